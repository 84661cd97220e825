"""The network of the example data as a user meets it: its edges are the cooperations,
memberships and fundings of the example file (worked out here with rdflib), its isolated
actors those with none of them, its brokers tie communities together, its communities come
out the same on every run, the GraphML and GEXF files open again with every attribute, merged
duplicates are one node, and no contact person reaches any of it."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from typer.testing import CliRunner

from ssekg.analysis.network import analyse_network, build_network, write_network
from ssekg.cli import app as cli_app
from ssekg.errors import InputError
from ssekg.loaders.resolve import find_links
from ssekg.namespaces import ORG, SSEKG
from ssekg.reference import reference_graph
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store

DATA = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
PRIVATE = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
REF = reference_graph()
ACTORS = {str(a) for a in DATA.subjects(RDF.type, SSEKG.Actor)}
ID = "https://w3id.org/ssekg/id/"
Pair = frozenset[str]
runner = CliRunner()


# -- the example data, read directly -----------------------------------------------------------


def expected_edges() -> dict[Pair, set[str]]:
    """Every pair of IRIs a cooperation, a membership or a funding of the file ties."""
    edges: dict[Pair, set[str]] = defaultdict(set)
    for coop in set(DATA.subjects(SSEKG.partner, None)):
        partners = sorted(str(p) for p in DATA.objects(coop, SSEKG.partner))
        for i, a in enumerate(partners):
            for b in partners[i + 1 :]:
                edges[frozenset((a, b))].add("cooperation")
    for m in DATA.subjects(ORG.member, None):
        for member in DATA.objects(m, ORG.member):
            for network in DATA.objects(m, ORG.organization):
                edges[frozenset((str(member), str(network)))].add("membership")
    for member, network in DATA.subject_objects(ORG.memberOf):
        edges[frozenset((str(member), str(network)))].add("membership")
    for f in DATA.subjects(SSEKG.funder, None):
        for funder in DATA.objects(f, SSEKG.funder):
            for recipient in DATA.objects(f, SSEKG.recipient):
                edges[frozenset((str(funder), str(recipient)))].add("funding")
    return dict(edges)


EDGES = expected_edges()
TIED = {iri for pair in EDGES for iri in pair}


def name_of(actor: str, lang: str = "sr-Latn") -> str:
    for prop in (SSEKG.name, SSEKG.transliteratedName):
        for name in DATA.objects(URIRef(actor), prop):
            if isinstance(name, Literal) and name.language == lang:
                return str(name)
    raise AssertionError(f"no {lang} name for {actor}")


def actor_named(name: str) -> str:
    found = [a for a in ACTORS if name_of(a) == name]
    assert len(found) == 1, name
    return found[0]


def type_labels(actor: str, lang: str) -> set[str]:
    out = set()
    for t in DATA.objects(URIRef(actor), SSEKG.actorType):
        for label in REF.objects(t, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language == lang:
                out.add(str(label))
    return out


def private_texts() -> set[str]:
    """What only the private file says: the persons' IRIs, names, e-mails, phones, titles."""
    public = {str(t) for triple in DATA for t in triple}
    found = set()
    for s, _p, o in PRIVATE:
        for term in (s, o):
            text = str(term)
            if text not in public and not text.startswith("https://schema.org/"):
                found.add(text.removeprefix("mailto:"))
    return {t for t in found if len(t) > 3}


SOLIDARNI_KRUG = f"{ID}actor/mb/08797307"  # the network with the most members
KUCA_ZANATA = actor_named("Kuća zanata Sombor")  # isolated in the example file
RADIO = actor_named("Radio Ravnica")  # isolated too
TWIN = f"{ID}actor/partners/kuca-zanata"  # a partner's record of Kuća zanata, with its MB

PARTNERS = f"""
@prefix ssekg: <https://w3id.org/ssekg/ontology#> .
@prefix actor-type: <https://w3id.org/ssekg/scheme/actor-type/> .
<{TWIN}> a ssekg:Actor ; ssekg:name "Кућа заната Сомбор"@sr-Cyrl ;
    ssekg:registrationNumber "17145843" ; ssekg:actorType actor-type:SE .
<{ID}cooperation/partners/sajam> a ssekg:Cooperation ; ssekg:partner <{TWIN}>, <{RADIO}> .
<{ID}cooperation/partners/isti-akter> a ssekg:Cooperation ; ssekg:partner <{TWIN}>,
    <{KUCA_ZANATA}> .
"""


# -- stores ------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["memory", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        target = open_store(server.url, base=server.new_base())
    else:
        target = open_store("memory", create=True)
    load_examples(target)  # the private file goes to the private graph
    yield target


@pytest.fixture(scope="module")
def graph(store: Store) -> nx.Graph:
    return build_network(store, lang="sr-Latn")


@pytest.fixture(scope="module")
def merged() -> nx.Graph:
    target = open_store("memory", create=True)
    load_examples(target)
    target.replace_graph(
        target.graphs_of.source("partners"), Graph().parse(data=PARTNERS, format="turtle")
    )
    find_links(target)
    return build_network(target, lang="en")


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("network") / "store")
    with open_store(path, create=True) as target:
        load_examples(target)
    return path


def edge_kinds(graph: nx.Graph) -> dict[Pair, set[str]]:
    return {frozenset((a, b)): set(d["kinds"].split()) for a, b, d in graph.edges(data=True)}


# -- the graph ---------------------------------------------------------------------------------


def test_edges_are_the_cooperations_memberships_and_fundings_of_the_file(
    graph: nx.Graph,
) -> None:
    assert edge_kinds(graph) == EDGES
    assert set(graph.nodes) == ACTORS | TIED
    for _a, _b, data in graph.edges(data=True):
        assert data["kind"] in ("cooperation", "membership", "funding")
        assert data["kind"] == data["kinds"].split()[0]


def test_a_pair_tied_twice_is_one_edge_of_both_kinds(graph: nx.Graph) -> None:
    both = [pair for pair, kinds in EDGES.items() if len(kinds) > 1]
    assert both  # the file has a city that funds its cooperation partner
    for pair in both:
        a, b = sorted(pair)
        assert set(graph.edges[a, b]["kinds"].split()) == EDGES[pair]
        assert graph.edges[a, b]["weight"] == 2


def test_edges_carry_years_and_periods(graph: nx.Graph) -> None:
    funding = next(iter(DATA.subjects(RDF.type, SSEKG.Funding)))
    a, b = str(DATA.value(funding, SSEKG.funder)), str(DATA.value(funding, SSEKG.recipient))
    year = int(str(DATA.value(funding, SSEKG.year)))
    assert graph.edges[a, b]["year"] <= year
    assert str(year) in graph.edges[a, b]["period"]
    m = next(iter(DATA.subjects(ORG.member, None)))
    member, network = str(DATA.value(m, ORG.member)), str(DATA.value(m, ORG.organization))
    start = str(DATA.value(m, SSEKG.startDate))
    edge = graph.edges[member, network]
    assert start in edge["period"] and edge["year"] == int(start[:4])
    assert str(m) in edge["via"]


def test_nodes_carry_names_types_and_regions(graph: nx.Graph) -> None:
    node = graph.nodes[KUCA_ZANATA]
    assert node["label"] == "Kuća zanata Sombor"
    assert set(node["actor_type"].split("; ")) == type_labels(KUCA_ZANATA, "sr-Latn")
    assert node["region_code"] == "RS12" and node["region"] == "Region Vojvodine"


def test_labels_follow_the_language_and_script(store: Store) -> None:
    cyrillic = build_network(store, lang="sr-Cyrl")
    assert cyrillic.nodes[KUCA_ZANATA]["label"] == name_of(KUCA_ZANATA, "sr-Cyrl")
    english = build_network(store, lang="en")
    assert set(english.nodes[KUCA_ZANATA]["actor_type"].split("; ")) == type_labels(
        KUCA_ZANATA, "en"
    )


# -- the measures ------------------------------------------------------------------------------


def test_isolated_actors_are_those_with_no_tie(graph: nx.Graph) -> None:
    summary = analyse_network(graph)
    assert set(summary.isolated) == ACTORS - TIED
    assert {KUCA_ZANATA, RADIO} <= set(summary.isolated)
    for iri in summary.isolated:
        assert summary.actor(iri).community == -1  # type: ignore[union-attr]


def test_isolated_actors_agree_with_the_named_query(store: Store, graph: nx.Graph) -> None:
    from ssekg.queries import run_named

    listed = {str(row["actor"]) for row in run_named(store, "isolated-actors", {}).rows}
    assert set(analyse_network(graph).isolated) == listed


def test_degree_and_betweenness_are_networkx_measures(graph: nx.Graph) -> None:
    summary = analyse_network(graph)
    exact = nx.betweenness_centrality(graph)
    centrality = nx.degree_centrality(graph)
    assert summary.betweenness_samples is None
    for a in summary.actors:
        assert a.degree == graph.degree(a.iri)
        assert a.betweenness == pytest.approx(exact[a.iri])
        assert a.degree_centrality == pytest.approx(centrality[a.iri])


def test_brokers_tie_communities_and_the_biggest_network_leads(graph: nx.Graph) -> None:
    summary = analyse_network(graph)
    community = {a.iri: a.community for a in summary.actors}
    reach = {v: {community[u] for u in graph[v]} | {community[v]} for v in graph if graph[v]}
    assert set(summary.brokers) == {v for v, found in reach.items() if len(found) >= 2}
    ranked = [summary.actor(b).betweenness for b in summary.brokers]  # type: ignore[union-attr]
    assert ranked == sorted(ranked, reverse=True)
    assert summary.brokers[0] == SOLIDARNI_KRUG
    assert summary.actor(SOLIDARNI_KRUG).communities_reached >= 3  # type: ignore[union-attr]


def test_communities_partition_the_tied_actors_the_same_way_every_run(store: Store) -> None:
    first = analyse_network(build_network(store))
    again = analyse_network(build_network(store))
    assert first.communities == again.communities
    assert first.brokers == again.brokers
    members = [iri for c in first.communities for iri in c]
    assert sorted(members) == sorted(TIED) and len(members) == len(set(members))
    sizes = [len(c) for c in first.communities]
    assert sizes == sorted(sizes, reverse=True) and len(sizes) > 1
    assert first.modularity > 0.3


def test_sampled_betweenness_is_reproducible(graph: nx.Graph) -> None:
    first = analyse_network(graph, exact_max=5, samples=10)
    again = analyse_network(graph, exact_max=5, samples=10)
    assert first.betweenness_samples == 10
    assert [a.betweenness for a in first.actors] == [a.betweenness for a in again.actors]


def test_sampled_betweenness_is_networkx_estimate_from_the_same_sources(
    graph: nx.Graph,
) -> None:
    summary = analyse_network(graph, exact_max=5, samples=10, seed=7)
    tied = graph.subgraph([v for v in graph if graph.degree(v)]).copy()
    estimate = nx.betweenness_centrality(tied, k=10, normalized=False, seed=7)
    n = graph.number_of_nodes()
    for a in summary.actors:
        assert a.betweenness == pytest.approx(estimate.get(a.iri, 0.0) * 2 / ((n - 1) * (n - 2)))
    assert any(a.betweenness > 0 for a in summary.actors)


def test_samples_as_many_as_the_tied_actors_are_exact(graph: nx.Graph) -> None:
    tied = sum(1 for v in graph if graph.degree(v))
    summary = analyse_network(graph, exact_max=5, samples=tied)
    exact = nx.betweenness_centrality(graph)
    assert summary.betweenness_samples is None
    for a in summary.actors:
        assert a.betweenness == pytest.approx(exact[a.iri])


def test_a_graph_without_ties_has_no_communities_and_everyone_isolated() -> None:
    graph = nx.Graph()
    graph.add_nodes_from(["a", "b", "c"], label="x")
    summary = analyse_network(graph)
    assert summary.communities == [] and summary.brokers == []
    assert summary.isolated == ["a", "b", "c"] and summary.modularity == 0.0
    assert all(a.betweenness == 0 and a.community == -1 for a in summary.actors)


# -- merged duplicates -------------------------------------------------------------------------


def test_merged_duplicates_are_one_node(merged: nx.Graph) -> None:
    assert TWIN not in merged
    node = merged.nodes[KUCA_ZANATA]
    assert node["records"] == 2 and node["same_as"] == TWIN
    assert "social enterprise" in node["actor_type"].split("; ")  # the partner's type joins
    assert merged.edges[KUCA_ZANATA, RADIO]["kind"] == "cooperation"
    assert not any(a == b for a, b in merged.edges)  # a tie of one actor with itself is gone
    summary = analyse_network(merged)
    assert KUCA_ZANATA not in summary.isolated and RADIO not in summary.isolated
    assert set(merged.nodes) == ACTORS | TIED


# -- files for Gephi ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_files_read_back_with_every_attribute(graph: nx.Graph, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"mreza.{fmt}"
    write_network(graph, path, fmt)
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    summary = analyse_network(graph)
    assert set(back.nodes) == set(graph.nodes)
    assert {frozenset(e) for e in back.edges} == set(EDGES)
    for a in summary.actors:
        node = back.nodes[a.iri]
        assert node["label"] == graph.nodes[a.iri]["label"]
        assert node["actor_type"] == graph.nodes[a.iri]["actor_type"]
        assert node["region"] == graph.nodes[a.iri]["region"]
        assert int(node["community"]) == a.community
        assert int(node["degree"]) == a.degree
        assert float(node["betweenness"]) == pytest.approx(a.betweenness)
        assert node["broker"] in (a.broker, str(a.broker).lower())
    for u, v, data in graph.edges(data=True):
        edge = back.edges[u, v]
        assert edge["kind"] == data["kind"] and edge["period"] == data["period"]
        if "year" in data:
            assert int(edge["year"]) == data["year"]


def test_gexf_is_gephis_1_2draft(graph: nx.Graph, tmp_path: Path) -> None:
    path = tmp_path / "mreza.gexf"
    write_network(graph, path, "gexf")
    text = path.read_text(encoding="utf-8")
    assert 'xmlns="http://www.gexf.net/1.2draft"' in text and 'version="1.2"' in text
    assert 'defaultedgetype="undirected"' in text


def test_no_private_data_in_the_graph_or_its_files(graph: nx.Graph, tmp_path: Path) -> None:
    secrets = private_texts()
    assert secrets  # names, e-mails and phones of the contact persons
    texts = []
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"mreza.{fmt}"
        write_network(graph, path, fmt)
        texts.append(path.read_text(encoding="utf-8"))
    texts.append(json.dumps([list(graph.nodes(data=True)), list(graph.edges(data=True))]))
    for text in texts:
        leaked = {s for s in secrets if s in text}
        assert not leaked


def test_an_unknown_format_is_refused(graph: nx.Graph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="graphml or gexf"):
        write_network(graph, tmp_path / "mreza.pdf", "pdf")


# -- the command line --------------------------------------------------------------------------


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_cli_prints_brokers_communities_and_isolated_actors(store_dir: str) -> None:
    result = runner.invoke(cli_app, ["network", "--lang", "en", "--top", "50",
                                     "--store", store_dir])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = flat(result.stdout)
    assert "Brokers between communities" in text and "Communities" in text
    assert f"Isolated actors ({len(ACTORS - TIED)})" in text
    for name in (name_of(SOLIDARNI_KRUG), "Kuća zanata Sombor"):  # cells may wrap a name
        assert all(word in text for word in name.split())
    serbian = runner.invoke(cli_app, ["network", "--store", store_dir])
    assert "Posrednici između zajednica" in flat(serbian.stdout)


def test_cli_json_and_csv(store_dir: str) -> None:
    result = runner.invoke(cli_app, ["network", "--format", "json", "--store", store_dir])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["brokers"][0]["iri"] == SOLIDARNI_KRUG
    assert {i["iri"] for i in data["isolated"]} == ACTORS - TIED
    assert sum(len(c["members"]) for c in data["communities"]) == len(TIED)
    result = runner.invoke(cli_app, ["network", "--format", "csv", "--lang", "en",
                                     "--store", store_dir])  # fmt: skip
    lines = result.stdout.splitlines()
    assert lines[0].startswith("iri,actor,actor type,region,degree")
    assert len(lines) == 1 + len(ACTORS | TIED)
    assert lines[1].startswith(SOLIDARNI_KRUG)
    for secret in private_texts():
        assert secret not in result.stdout


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_cli_writes_the_file(store_dir: str, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"mreza.{fmt}"
    result = runner.invoke(cli_app, ["network", "-o", str(path), "--store", store_dir])
    assert result.exit_code == 0, result.output
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert set(back.nodes) == ACTORS | TIED
    assert f"Wrote {path}" in flat(result.stderr)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "mreza.txt"], "give a file ending in .graphml or .gexf"),
        (["--format", "xml"], "--format 'xml' is not known"),
        (["--lang", "de"], "the language 'de' is not known"),
    ],
)
def test_cli_errors_are_one_sentence_in_both_languages(
    store_dir: str, tmp_path: Path, args: list[str], words: str
) -> None:
    args = [str(tmp_path / a) if a.endswith(".txt") else a for a in args]
    result = runner.invoke(cli_app, ["network", *args, "--store", store_dir])
    assert result.exit_code == 2
    text = flat(result.stderr)
    assert words in text and "greška:" in text
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_names_with_markup_characters_read_back_unchanged(fmt: str, tmp_path: Path) -> None:
    graph = nx.Graph()
    name = 'Udruženje "Most" & <Sloga>\tNiš'
    graph.add_node("https://example.org/a&b", label=name, actor_type="", region="")
    graph.add_node("https://example.org/c", label="Ц", actor_type="", region="")
    graph.add_edge("https://example.org/a&b", "https://example.org/c", kind="funding",
                   kinds="funding", weight=1.0, period="2020", role="", via="")  # fmt: skip
    path = tmp_path / f"mreza.{fmt}"
    write_network(graph, path, fmt)
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.nodes["https://example.org/a&b"]["label"] == name
    assert back.edges["https://example.org/a&b", "https://example.org/c"]["period"] == "2020"
