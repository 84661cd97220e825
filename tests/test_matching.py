"""Matching of needs with offers and alliance candidates on the example data: each answer is
compared with what is worked out here from the example file itself (rdflib, the gazetteer
of the reference graph), through the library and the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from itertools import combinations
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node
from typer.testing import CliRunner

from ssekg.analysis import matching
from ssekg.analysis.matching import (
    ALLIANCE_WEIGHTS,
    DISTANCES,
    PLACE_SHARE,
    PROXIMITY,
    alliance_candidates,
    match_needs,
)
from ssekg.cli import app as cli_app
from ssekg.errors import InputError
from ssekg.namespaces import DEFAULT_BASE, ORG, SSEKG
from ssekg.namespaces import concept as concept_iri
from ssekg.reference import reference_graph
from ssekg.setup import EXAMPLES, initialise, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store

DATA = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
PRIVATE = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
REF = reference_graph()
ACTORS = sorted(str(a) for a in DATA.subjects(RDF.type, SSEKG.Actor))
#: A day on which the example offers and needs are valid (until 2026-12-31).
ON = date(2026, 6, 1)
LATER = date(2027, 6, 1)
LANGS = ("sr-Latn", "sr-Cyrl", "en")
NEWCOMER = URIRef("https://w3id.org/ssekg/id/actor/test/bela-palanka")


# -- the example data, read directly -----------------------------------------------------------


def values(subject: str, prop: URIRef, graph: Graph = DATA) -> set[str]:
    return {str(o) for o in graph.objects(URIRef(subject), prop)}


def chain(place: str) -> list[str]:
    """The place and everything above it, nearest first."""
    found, todo = [place], [place]
    while todo:
        for parent in sorted(values(todo.pop(0), SSEKG.partOf, REF)):
            if parent not in found:
                found.append(parent)
                todo.append(parent)
    return found


def unit(actor: str, level: str) -> str | None:
    seat = DATA.value(URIRef(actor), SSEKG.municipality)
    if seat is None:
        return None
    for place in chain(str(seat)):
        classes = values(place, RDF.type, REF)
        if level == "lsg" and classes & {str(SSEKG.Municipality), str(SSEKG.City)}:
            return place
        if level == "district" and str(SSEKG.District) in classes:
            return place
        nstj = str(REF.value(URIRef(place), SSEKG.nstjCode))
        if level == "region" and str(SSEKG.StatisticalRegion) in classes and len(nstj) == 4:
            return place
    return None


def distance(a: str, b: str) -> str:
    for level, name in (("lsg", "municipality"), ("district", "district"), ("region", "region")):
        if unit(a, level) is not None and unit(a, level) == unit(b, level):
            return name
    return "country"  # every example actor is seated in Serbia


def still_valid(node: Node, on: date) -> bool:
    until = DATA.value(node, SSEKG.validUntil)
    return until is None or until.toPython() >= on  # type: ignore[attr-defined]


def wanted(actor: str, prop: URIRef, on: date) -> set[tuple[str, str]]:
    """(kind, concept) of an actor's needs or offers valid on the day."""
    found = set()
    for node in DATA.objects(URIRef(actor), prop):
        if not still_valid(node, on):
            continue
        for concept in DATA.objects(node, SSEKG.capacityArea):
            found.add(("capacity", str(concept)))
        for concept in DATA.objects(node, SSEKG.resourceType):
            found.add(("resource", str(concept)))
    return found


def expected_matches(on: date = ON) -> set[tuple[str, str, str, str, str]]:
    """(actor in need, offering actor, kind, concept, distance); the capacity and resource
    schemes have no hierarchy, so every match is exact."""
    found = set()
    for x in ACTORS:
        for kind, concept in wanted(x, SSEKG.needs, on):
            for y in ACTORS:
                if y != x and (kind, concept) in wanted(y, SSEKG.offers, on):
                    found.add((x, y, kind, concept, distance(x, y)))
    return found


def current_networks(actor: str, on: date) -> set[str]:
    stated, ended = set(values(actor, ORG.memberOf)), set()
    for m in DATA.subjects(ORG.member, URIRef(actor)):
        network = str(DATA.value(m, ORG.organization))
        stated.add(network)
        end = DATA.value(m, SSEKG.endDate)
        if end is not None and end.toPython() < on:  # type: ignore[attr-defined]
            ended.add(network)
    return stated - ended


ALLIANCE_PROPS = {"goal": SSEKG.advocacyTopic, "target-group": SSEKG.targetGroup,
                  "practice": SSEKG.practice}  # fmt: skip


def pair_score(a: str, b: str) -> float:
    score = 0.0
    for dim, prop in ALLIANCE_PROPS.items():
        x, y = values(a, prop), values(b, prop)
        if x | y:
            score += ALLIANCE_WEIGHTS[dim] * len(x & y) / len(x | y)
    place = 0.0
    for level, name in (("region", "region"), ("district", "district"), ("lsg", "municipality")):
        if unit(a, level) is not None and unit(a, level) == unit(b, level):
            place = PLACE_SHARE[name]
    return score + ALLIANCE_WEIGHTS["place"] * place


def sharing(a: str, b: str) -> bool:
    return any(values(a, p) & values(b, p) for p in ALLIANCE_PROPS.values())


def together(a: str, b: str, on: date) -> bool:
    na, nb = current_networks(a, on), current_networks(b, on)
    return bool(na & nb) or b in na or a in nb


def expected_alliances(on: date = ON) -> dict[frozenset[str], float]:
    return {
        frozenset((a, b)): round(pair_score(a, b), 6)
        for a, b in combinations(ACTORS, 2)
        if sharing(a, b) and not together(a, b, on)
    }


def name(actor: str, lang: str) -> str:
    script = "sr-Cyrl" if lang == "sr-Cyrl" else "sr-Latn"
    for prop in (SSEKG.name, SSEKG.transliteratedName):
        for text in DATA.objects(URIRef(actor), prop):
            if isinstance(text, Literal) and text.language == script:
                return str(text)
    raise AssertionError(f"no {script} name for {actor}")


def label(node: str, lang: str) -> str:
    for text in REF.objects(URIRef(node), SKOS.prefLabel):
        if isinstance(text, Literal) and text.language == lang:
            return str(text)
    raise AssertionError(f"no {lang} label for {node}")


# -- stores ------------------------------------------------------------------------------------


def new_store(request: pytest.FixtureRequest, kind: str) -> Store:
    """An empty store of the kind; on the session's Virtuoso, under a base IRI of its own."""
    if kind == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        return open_store(server.url, base=server.new_base())
    return open_store("memory", create=True)


@pytest.fixture(scope="module", params=["memory", "virtuoso"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def store(request: pytest.FixtureRequest, kind: str) -> Iterator[Store]:
    target = new_store(request, kind)
    load_examples(target)
    yield target
    target.close()


@pytest.fixture(scope="module")
def with_newcomer(request: pytest.FixtureRequest, kind: str) -> Iterator[Store]:
    """The examples and one more actor, in the district of an offering actor but not in its
    municipality (the examples have no such pair)."""
    target = new_store(request, kind)
    load_examples(target)
    need = URIRef(str(NEWCOMER) + "/need/PUBLIC-SUBSIDY")
    facts = [
        (NEWCOMER, RDF.type, SSEKG.Actor),
        (NEWCOMER, SSEKG.name, Literal("Udruženje Bela reka", lang="sr-Latn")),
        (NEWCOMER, SSEKG.transliteratedName, Literal("Удружење Бела река", lang="sr-Cyrl")),
        (NEWCOMER, SSEKG.municipality, URIRef("https://w3id.org/ssekg/place/bela-palanka")),
        (NEWCOMER, SSEKG.needs, need),
        (need, RDF.type, SSEKG.ResourceNeed),
        (need, SSEKG.resourceType, URIRef(concept_iri("resource-type", "PUBLIC-SUBSIDY"))),
    ]
    target.add_quads([(s, p, o, target.graphs_of.source("extra")) for s, p, o in facts])
    yield target
    target.close()


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("matching") / "store")
    with open_store(path, create=True) as target:
        load_examples(target)
    return path


def match_key(m: object) -> tuple[str, str, str, str, str]:
    return (m.need_actor, m.offer_actor, m.kind, m.concept.iri, m.distance)  # type: ignore[attr-defined]


# -- matching ----------------------------------------------------------------------------------


def test_every_need_meets_every_offer_of_its_concept(store: Store) -> None:
    found = match_needs(store, on=ON)
    expected = expected_matches()
    assert len(expected) > 100
    assert {match_key(m) for m in found} == expected
    assert len(found) == len(expected)
    for m in found:
        assert m.fit == "exact"
        assert m.score == pytest.approx(PROXIMITY[m.distance])


def test_matches_come_best_and_nearest_first(store: Store) -> None:
    found = match_needs(store, on=ON)
    ranks = [(-m.score, DISTANCES.index(m.distance)) for m in found]
    assert ranks == sorted(ranks)
    assert {m.distance for m in found} >= {"municipality", "region", "country"}
    # one actor's providers of one need: nearest first
    actor = "https://w3id.org/ssekg/id/actor/mb/02683504"
    mine = match_needs(store, actor=actor, on=ON)
    assert {match_key(m) for m in mine} == {k for k in expected_matches() if k[0] == actor}
    for concept in {m.concept.iri for m in mine}:
        steps = [DISTANCES.index(m.distance) for m in mine if m.concept.iri == concept]
        assert steps == sorted(steps)


def test_an_actor_by_mb_or_iri_a_kind_and_a_limit(store: Store) -> None:
    iri = "https://w3id.org/ssekg/id/actor/mb/06354017"
    by_iri = match_needs(store, actor=iri, on=ON)
    assert by_iri == match_needs(store, actor="06354017", on=ON)
    assert by_iri and all(m.need_actor == iri for m in by_iri)
    resources = match_needs(store, kind="resource", on=ON)
    assert {match_key(m) for m in resources} == {
        k for k in expected_matches() if k[2] == "resource"
    }
    assert match_needs(store, limit=5, on=ON) == match_needs(store, on=ON)[:5]


def test_offers_and_needs_that_ended_are_left_out(store: Store) -> None:
    later = match_needs(store, on=LATER)
    assert {match_key(m) for m in later} == expected_matches(LATER)
    assert len(later) < len(match_needs(store, on=ON))


@pytest.mark.parametrize("lang", LANGS)
def test_each_reason_says_who_offers_what_to_whom_and_where(
    store: Store, with_newcomer: Store, lang: str
) -> None:
    found = match_needs(store, on=ON, lang=lang)
    words = {"sr-Latn": " nudi ", "sr-Cyrl": " нуди ", "en": " offers "}[lang]
    where = {"sr-Latn": "isti okrug (", "sr-Cyrl": "исти округ (", "en": "same district ("}[lang]
    for m in found:
        assert m.reason.startswith(name(m.offer_actor, lang) + words)
        assert name(m.need_actor, lang) in m.reason
        assert label(m.concept.iri, lang) in m.reason
        assert m.concept.label == label(m.concept.iri, lang)
        assert m.place is not None and m.place.label in m.reason
    local = next(m for m in found if m.distance == "municipality")
    assert local.place is not None
    assert label(unit(local.need_actor, "lsg") or "", lang) == local.place.label
    # the examples have no two actors in one district but different municipalities: add one
    near = match_needs(with_newcomer, actor=str(NEWCOMER), on=ON, lang=lang)
    assert near[0].offer_actor == "https://w3id.org/ssekg/id/actor/mb/06354017"  # Pirot
    assert near[0].distance == "district"
    district = label("https://w3id.org/ssekg/place/RS-22", lang)
    assert near[0].reason.endswith(where + district + ").")
    assert [m.distance for m in near] == sorted((m.distance for m in near), key=DISTANCES.index)


def test_unknown_actor_kind_and_language_are_errors(store: Store) -> None:
    with pytest.raises(InputError, match="not in the store"):
        match_needs(store, actor="https://w3id.org/ssekg/id/actor/mb/00000000")
    with pytest.raises(InputError, match="not in the store"):
        alliance_candidates(store, actor="12345678")
    with pytest.raises(InputError, match="capacity or resource"):
        match_needs(store, kind="money")
    with pytest.raises(InputError, match="sr-Latn, sr-Cyrl or en"):
        alliance_candidates(store, lang="de")


# -- alliance candidates -----------------------------------------------------------------------


def test_alliance_candidates_share_something_and_no_network(store: Store) -> None:
    found = alliance_candidates(store, on=ON)
    expected = expected_alliances()
    assert len(expected) > 50
    assert {frozenset((c.a, c.b)): c.score for c in found} == pytest.approx(expected)
    assert len(found) == len(expected)
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    for c in found:
        for dim, prop in ALLIANCE_PROPS.items():
            assert {x.iri for x in c.shared[dim]} == values(c.a, prop) & values(c.b, prop)


def test_pairs_already_in_a_network_are_not_proposed(store: Store) -> None:
    excluded = [
        frozenset((a, b))
        for a, b in combinations(ACTORS, 2)
        if sharing(a, b) and together(a, b, ON)
    ]
    assert excluded  # the example data has such pairs
    found = {frozenset((c.a, c.b)) for c in alliance_candidates(store, on=ON)}
    assert not found & set(excluded)


def test_one_actors_allies_come_with_the_actor_first(store: Store) -> None:
    actor = "https://w3id.org/ssekg/id/actor/mb/17678078"
    mine = alliance_candidates(store, actor="17678078", on=ON)
    assert mine and all(c.a == actor for c in mine)
    expected = {p for p in expected_alliances() if actor in p}
    assert {frozenset((c.a, c.b)) for c in mine} == expected
    assert alliance_candidates(store, actor=actor, limit=2, on=ON) == mine[:2]


@pytest.mark.parametrize("lang", LANGS)
def test_alliance_reasons_name_the_actors_and_what_they_share(store: Store, lang: str) -> None:
    word = {"sr-Latn": " dele ", "sr-Cyrl": " деле ", "en": " share "}[lang]
    for c in alliance_candidates(store, on=ON, lang=lang):
        conjunction = {"sr-Latn": " i ", "sr-Cyrl": " и ", "en": " and "}[lang]
        assert c.reason.startswith(name(c.a, lang) + conjunction + name(c.b, lang) + word)
        for dim in ("goal", "target-group", "practice", "place"):
            for concept in c.shared[dim]:
                assert concept.label in c.reason


def test_merged_records_are_one_actor(request: pytest.FixtureRequest, kind: str) -> None:
    target = new_store(request, kind)
    load_examples(target)
    # two records that share a concept need and offer, joined as one actor
    matches = match_needs(target, on=ON)
    first = matches[0]
    x, y = sorted((first.need_actor, first.offer_actor))
    target.add_quads([(URIRef(x), OWL.sameAs, URIRef(y), target.graphs_of.links)])
    merged = match_needs(target, on=ON)
    assert all({m.need_actor, m.offer_actor} != {x} for m in merged)
    assert all(y not in (m.need_actor, m.offer_actor) for m in merged)
    assert not any(m.need_actor == m.offer_actor for m in merged)
    allies = alliance_candidates(target, on=ON)
    assert all(y not in (c.a, c.b) and c.a != c.b for c in allies)
    # the record joined in is found as the actor it was joined to
    assert {m.need_actor for m in match_needs(target, actor=y, on=ON)} <= {x}
    target.close()


# -- the command line --------------------------------------------------------------------------

runner = CliRunner()


def private_texts() -> set[str]:
    return {str(o) for o in PRIVATE.objects() if isinstance(o, Literal) and len(str(o)) > 3}


@pytest.fixture
def cli_store(
    request: pytest.FixtureRequest, kind: str, store: Store, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The examples as ``--store`` names them: a store directory beside the embedded store,
    or the endpoint of the module's Virtuoso store (whose base IRI the command then takes)."""
    if kind == "virtuoso":
        monkeypatch.setenv("SSEKG_BASE_IRI", store.graphs_of.base)
        return str(request.getfixturevalue("virtuoso").url)
    return str(request.getfixturevalue("store_dir"))


@pytest.mark.parametrize("command", ["match", "alliances"])
def test_cli_json_is_the_library_answer_without_personal_data(cli_store: str, command: str) -> None:
    result = runner.invoke(cli_app, [command, "--store", cli_store, "--format", "json",
                                     "--limit", "0", "--lang", "en"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    base = os.environ.get("SSEKG_BASE_IRI", DEFAULT_BASE)
    with open_store(cli_store, base=base) as target:
        if command == "match":
            library = match_needs(target, lang="en")
            assert [r["reason"] for r in rows] == [m.reason for m in library]
        else:
            library_pairs = alliance_candidates(target, lang="en")
            assert [(r["a"], r["b"]) for r in rows] == [(c.a, c.b) for c in library_pairs]
    assert private_texts()
    for text in private_texts():
        assert text not in result.stdout


@pytest.mark.parametrize(
    ("command", "lang", "first"),
    [("match", "sr-Latn", "akteru je potrebno"), ("match", "en", "actor in need"),
     ("match", "sr-Cyrl", "актеру је потребно"), ("alliances", "sr-Latn", "akter"),
     ("alliances", "en", "actor"), ("alliances", "sr-Cyrl", "актер")],
)  # fmt: skip
def test_cli_csv_has_headers_in_the_language(store_dir: str, command: str, lang: str,
                                             first: str) -> None:  # fmt: skip
    result = runner.invoke(cli_app, [command, "--store", store_dir, "--format", "csv",
                                     "--lang", lang, "--limit", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0][0] == first
    assert len(rows) <= 4


def test_cli_table_for_one_actor(store_dir: str) -> None:
    result = runner.invoke(cli_app, ["match", "--store", store_dir, "--actor", "06354017",
                                     "--kind", "resource", "--lang", "en"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "score" in result.stdout and "reason" in result.stdout
    with open_store(store_dir) as target:
        library = match_needs(target, actor="06354017", kind="resource", lang="en")
    assert library
    for m in library:
        assert m.offer_label.split()[0] in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["match", "--actor", "https://example.org/nobody"], "is not in the store"),
     (["alliances", "--actor", "99999999"], "is not in the store"),
     (["match", "--kind", "money"], "capacity or resource"),
     (["alliances", "--format", "pdf"], "table, csv or json"),
     (["match", "--lang", "de"], "sr-Latn, sr-Cyrl or en"),
     (["match", "--limit", "-1"], "negative")],
)  # fmt: skip
def test_cli_errors_are_one_sentence(store_dir: str, args: list[str], message: str) -> None:
    result = runner.invoke(cli_app, [*args, "--store", store_dir])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert message in text
    assert "greška:" in text
    assert "Traceback" not in result.output


# -- the best few against all, on generated data ---------------------------------------------

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from generate import generate  # noqa: E402

GENERATED_ACTORS = 300
#: A hierarchy for the generated capacity areas, so that broader and narrower offers match.
BROADER = [("DIGITAL", "MARKETING"), ("LEGAL-COMPLIANCE", "GOVERNANCE")]


@pytest.fixture(scope="module")
def generated() -> Iterator[tuple[Store, Graph]]:
    data = Graph()
    for triple in generate(GENERATED_ACTORS, seed=3):
        data.add(triple)
    for narrow, broad in BROADER:
        data.add((URIRef(concept_iri("capacity-area", narrow)), SKOS.broader,
                  URIRef(concept_iri("capacity-area", broad))))  # fmt: skip
    # every eleventh actor offers grants, which every seventh needs
    grant = URIRef(concept_iri("resource-type", "GRANT"))
    for i, actor in enumerate(sorted(data.subjects(RDF.type, SSEKG.Actor))):
        if i % 11 == 0:
            offer = URIRef(f"{actor}/offer/GRANT")
            data.add((actor, SSEKG.offers, offer))
            data.add((offer, RDF.type, SSEKG.ResourceOffer))
            data.add((offer, SSEKG.resourceType, grant))
    target = open_store("memory", create=True)
    initialise(target)
    target.add_quads([(s, p, o, target.graphs_of.source("synthetic")) for s, p, o in data])
    yield target, data
    target.close()


def test_the_best_matches_are_the_first_of_all_matches(generated: tuple[Store, Graph]) -> None:
    store, _ = generated
    everything = match_needs(store, on=ON)
    assert len(everything) > 10_000
    assert {m.fit for m in everything} == {"exact", "broader", "narrower"}
    assert {m.distance for m in everything} >= {"municipality", "region", "country"}
    for limit in (0, 1, 7, 25, 333, 5_000, len(everything) + 1):
        assert match_needs(store, limit=limit, on=ON) == everything[:limit]
    resources = match_needs(store, kind="resource", on=ON)
    assert resources and match_needs(store, kind="resource", limit=9, on=ON) == resources[:9]
    actor = everything[-1].need_actor
    mine = match_needs(store, actor=actor, on=ON, lang="en")
    assert mine and match_needs(store, actor=actor, limit=3, on=ON, lang="en") == mine[:3]


def generated_alliance_scores(data: Graph) -> dict[tuple[str, str], float]:
    """Every pair's alliance score, worked out from the generated triples and the gazetteer."""
    actors = sorted(str(a) for a in data.subjects(RDF.type, SSEKG.Actor))
    concepts = {a: {dim: values(a, prop, data) for dim, prop in ALLIANCE_PROPS.items()}
                for a in actors}  # fmt: skip
    networks = {a: values(a, ORG.memberOf, data) for a in actors}
    units = {}
    for a in actors:
        seat = data.value(URIRef(a), SSEKG.municipality)
        found: dict[str, str] = {}
        for place in chain(str(seat)):
            classes = values(place, RDF.type, REF)
            nstj = str(REF.value(URIRef(place), SSEKG.nstjCode))
            if "lsg" not in found and classes & {str(SSEKG.Municipality), str(SSEKG.City)}:
                found["lsg"] = place
            if "district" not in found and str(SSEKG.District) in classes:
                found["district"] = place
            if ("region" not in found and str(SSEKG.StatisticalRegion) in classes
                    and len(nstj) == 4):  # fmt: skip
                found["region"] = place
        units[a] = found
    scores = {}
    for a, b in combinations(actors, 2):
        x, y = concepts[a], concepts[b]
        if not any(x[d] & y[d] for d in ALLIANCE_PROPS):
            continue
        if networks[a] & networks[b] or b in networks[a] or a in networks[b]:
            continue
        score = sum(ALLIANCE_WEIGHTS[d] * len(x[d] & y[d]) / len(x[d] | y[d])
                    for d in ALLIANCE_PROPS if x[d] | y[d])  # fmt: skip
        place = 0.0
        for level, share in (("lsg", "municipality"), ("district", "district"),
                             ("region", "region")):  # fmt: skip
            if units[a].get(level) is not None and units[a].get(level) == units[b].get(level):
                place = PLACE_SHARE[share]
                break
        scores[(a, b)] = round(score + ALLIANCE_WEIGHTS["place"] * place, 6)
    return scores


def test_the_best_alliances_are_the_first_of_all_pairs(generated: tuple[Store, Graph]) -> None:
    store, data = generated
    everything = alliance_candidates(store, on=ON)
    expected = generated_alliance_scores(data)
    assert len(everything) == len(expected) > 1_000
    assert {frozenset((c.a, c.b)): c.score for c in everything} == pytest.approx(
        {frozenset(p): s for p, s in expected.items()}
    )
    assert [c.score for c in everything[:50]] == pytest.approx(
        sorted(expected.values(), reverse=True)[:50]
    )
    for limit in (0, 1, 7, 25, 444, len(everything) + 1):
        assert alliance_candidates(store, limit=limit, on=ON) == everything[:limit]
    actor = everything[len(everything) // 2].b
    mine = alliance_candidates(store, actor=actor, on=ON, lang="sr-Cyrl")
    assert mine and all(c.a == actor for c in mine)
    assert alliance_candidates(store, actor=actor, limit=5, on=ON, lang="sr-Cyrl") == mine[:5]


def test_large_networks_and_pending_links_keep_their_pairs_apart(
    generated: tuple[Store, Graph], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = generated
    everything = alliance_candidates(store, on=ON)
    # every network checked by membership instead of by its list of pairs
    monkeypatch.setattr(matching, "_LISTED_NETWORK", 1)
    assert alliance_candidates(store, on=ON) == everything
    assert alliance_candidates(store, limit=20, on=ON) == everything[:20]
    monkeypatch.undo()
    # a pending identity link between the best pair takes it out
    best = everything[0]
    link = URIRef("https://w3id.org/ssekg/id/link/test-pending")
    graph = store.graphs_of.source("extra")
    store.add_quads([
        (link, RDF.type, SSEKG.IdentityLink, graph),
        (link, SSEKG.linkStatus, Literal("pending"), graph),
        (link, SSEKG.linkedActor, URIRef(best.a), graph),
        (link, SSEKG.linkedActor, URIRef(best.b), graph),
    ])  # fmt: skip
    try:
        assert alliance_candidates(store, limit=10, on=ON) == everything[1:11]
    finally:
        store.drop_graph(graph)
