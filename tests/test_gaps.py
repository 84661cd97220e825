"""The gap analysis on the example data: what each territory has and lacks is worked out here
from the example file itself (read with rdflib, seats placed with the gazetteer), and the
score from its formula, then compared with what `analyse_gaps` and `ssekg gaps` say."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node
from typer.testing import CliRunner

from ssekg.analysis.gaps import GapReport, TerritoryGaps, analyse_gaps
from ssekg.cli import app as cli_app
from ssekg.errors import InputError
from ssekg.namespaces import PLACE, SCHEME_BASE, SSEKG
from ssekg.places import gazetteer
from ssekg.reference import reference_graph
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store

DATA = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
PRIVATE = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
REF = reference_graph()
ACTORS = set(DATA.subjects(RDF.type, SSEKG.Actor))
DIMENSIONS = ("function", "actor-type", "practice", "capacity-area")


def p(code: str) -> str:
    return str(PLACE) + code


def scheme_concepts(name: str) -> set[str]:
    return {str(c) for c in REF.subjects(SKOS.inScheme, URIRef(SCHEME_BASE + name))}


FUNCTIONS = scheme_concepts("ecosystem-function")


def has(actor: Node, dimension: str) -> set[str]:
    if dimension == "capacity-area":
        return {
            str(DATA.value(o, SSEKG.capacityArea))
            for o in DATA.objects(actor, SSEKG.offers)
            if (o, RDF.type, SSEKG.CapacityOffer) in DATA
        }
    prop = {"function": SSEKG.fulfilsFunction, "actor-type": SSEKG.actorType,
            "practice": SSEKG.practice}[dimension]  # fmt: skip
    return {str(o) for o in DATA.objects(actor, prop)}


def seated(actor: Node) -> str | None:
    place = DATA.value(actor, SSEKG.municipality)
    return str(place) if place is not None else None


def actors_in(territory: str) -> set[Node]:
    return {
        x
        for x in ACTORS
        if (s := seated(x)) is not None
        and (s == territory or territory in gazetteer().ancestors(s))
    }


def present(territory: str) -> dict[str, set[str]]:
    here = actors_in(territory)
    return {d: set().union(*(has(x, d) for x in here)) for d in DIMENSIONS}


NATIONAL = {d: set().union(*(has(x, d) for x in ACTORS if seated(x))) for d in DIMENSIONS}


def expected_score(territory: str) -> float:
    """The formula of docs/analysis.md, written out again."""
    here = present(territory)
    f = len(here["function"] & FUNCTIONS) / len(FUNCTIONS)
    rest = [len(here[d]) / len(NATIONAL[d]) for d in DIMENSIONS[1:]]
    return 0.6 * f + 0.4 * sum(rest) / 3


def territories_of(level: str) -> set[str]:
    classes = {
        "region": [SSEKG.StatisticalRegion],
        "district": [SSEKG.District],
        "municipality": [SSEKG.Municipality, SSEKG.City],
    }[level]
    found = {str(t) for cls in classes for t in REF.subjects(RDF.type, cls)}
    if level == "region":  # NSTJ2 only
        found = {t for t in found if len(str(REF.value(URIRef(t), SSEKG.nstjCode))) == 4}
    outside = {str(t) for t in REF.subjects(SSEKG.administeredBySerbia, Literal(False))}
    return found - outside


def iris(concepts: list) -> set[str]:  # type: ignore[type-arg]
    return {c.iri for c in concepts}


def pref_label(node: str, lang: str) -> str:
    for text in REF.objects(URIRef(node), SKOS.prefLabel):
        if isinstance(text, Literal) and text.language and text.language.lower() == lang.lower():
            return str(text)
    raise AssertionError(f"no {lang} label for {node}")


# -- stores --------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["memory", "disk", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        target = open_store(server.url, base=server.new_base())
    elif request.param == "disk":
        target = open_store(str(tmp_path_factory.mktemp("gaps") / "store"), create=True)
    else:
        target = open_store("memory", create=True)
    load_examples(target)
    return target


@pytest.fixture(scope="module")
def report(store: Store) -> GapReport:
    return analyse_gaps(store, lang="en")


@pytest.fixture(scope="module")
def embedded() -> Iterator[Store]:
    target = open_store("memory", create=True)
    load_examples(target)
    yield target


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("gaps-cli") / "store")
    with open_store(path, create=True) as target:
        load_examples(target)
    return path


# -- what the analysis finds -----------------------------------------------------------------


def test_every_territory_of_every_level_once(report: GapReport) -> None:
    for level in ("region", "district", "municipality"):
        got = [t.iri for t in report.territories if t.level == level]
        assert len(got) == len(set(got))
        assert set(got) == territories_of(level)
    assert p("RS23") not in {t.iri for t in report.territories}  # not administered
    levels = [t.level for t in report.territories]
    assert levels == sorted(levels, key=["region", "district", "municipality"].index)


def test_present_and_missing_as_worked_out_from_the_examples(report: GapReport) -> None:
    assert {d: iris(report.national[d]) for d in DIMENSIONS} == NATIONAL
    for t in report.territories:
        here = present(t.iri)
        assert t.actor_count == len(actors_in(t.iri)), t.code
        assert {d: iris(t.present[d]) for d in DIMENSIONS} == here, t.code
        # functions: the full reference list; the others: present in the country
        assert iris(t.missing["function"]) == FUNCTIONS - here["function"], t.code
        for d in DIMENSIONS[1:]:
            assert iris(t.missing[d]) == NATIONAL[d] - here[d], (t.code, d)


def test_score_follows_the_formula_and_shows_its_inputs(report: GapReport) -> None:
    for t in report.territories:
        assert 0.0 <= t.score <= 1.0
        assert t.score == pytest.approx(expected_score(t.iri)), t.code
        here = present(t.iri)
        assert t.score_inputs["function"] == pytest.approx(
            len(here["function"]) / len(FUNCTIONS)
        )
        assert t.score_inputs["function.of"] == len(FUNCTIONS) == 11
        for d in DIMENSIONS[1:]:
            assert t.score_inputs[f"{d}.present"] == len(here[d])
            assert t.score_inputs[f"{d}.of"] == len(NATIONAL[d])
        weights = [t.score_inputs[f"{d}.weight"] for d in DIMENSIONS]
        assert sum(weights) == pytest.approx(1.0)
        terms = zip(weights, DIMENSIONS, strict=True)
        assert t.score == pytest.approx(sum(w * t.score_inputs[d] for w, d in terms))
    assert "0.6" in report.formula and "11" in report.formula


def test_the_gap_planted_in_the_examples(report: GapReport) -> None:
    # examples/README.md: no actor in the Pirotski, Pčinjski, Jablanički or Raški district
    # finances or incubates.
    financing = SCHEME_BASE + "ecosystem-function/FINANCING"
    incubation = SCHEME_BASE + "ecosystem-function/INCUBATION-SUPPORT"
    for code in ("RS-22", "RS-24", "RS-23", "RS-18"):
        t = report.territory(p(code))
        assert t is not None and t.actor_count > 0
        assert {financing, incubation} <= iris(t.missing["function"]), code
    best = max((t for t in report.territories if t.level == "district"), key=lambda t: t.score)
    assert best.score > report.territory("RS-24").score  # type: ignore[union-attr]


def test_a_territory_without_actors(report: GapReport) -> None:
    empty = [t for t in report.territories if not actors_in(t.iri)]
    assert empty, "the examples leave some territories without actors"
    borski = report.territory(p("RS-14"))  # no example actor has its seat in the Bor district
    assert borski in empty
    for t in empty:
        assert t.actor_count == 0 and t.score == 0.0
        assert all(not t.present[d] for d in DIMENSIONS)
        assert iris(t.missing["function"]) == FUNCTIONS
        assert {d: iris(t.missing[d]) for d in DIMENSIONS[1:]} == {
            d: NATIONAL[d] for d in DIMENSIONS[1:]
        }


def test_missing_in_peers_is_what_a_peer_territory_has(report: GapReport) -> None:
    t = report.territory(p("RS-24"))
    assert t is not None
    # the peers of the Pčinjski district: the other districts of Southern and Eastern Serbia
    peers = {
        str(d) for d in REF.subjects(SSEKG.partOf, URIRef(p("RS22")))
        if (d, RDF.type, SSEKG.District) in REF and str(d) != p("RS-24")
    }  # fmt: skip
    assert len(peers) == 8
    around = {d: set().union(*(present(q)[d] for q in peers)) for d in DIMENSIONS}
    for d in DIMENSIONS:
        assert iris(t.missing_in_peers[d]) == iris(t.missing[d]) & around[d]
    assert t.missing_in_peers["actor-type"]


def test_could_fulfil_names_present_types_that_typically_fulfil_a_missing_function(
    report: GapReport,
) -> None:
    for t in report.territories:
        for function, types in t.could_fulfil.items():
            assert function in iris(t.missing["function"])
            typical = {str(x) for x in REF.objects(URIRef(function), SSEKG.typicallyFulfilledBy)}
            assert iris(types) == typical & iris(t.present["actor-type"]) != set()


def test_levels_and_one_territory(embedded: Store) -> None:
    districts = analyse_gaps(embedded, level="district")
    assert {t.level for t in districts.territories} == {"district"}
    assert len(districts.territories) == len(territories_of("district"))
    for text in ("RS-24", "Pčinjski okrug", "Пчињски округ", "pcinjski", p("RS-24")):
        one = analyse_gaps(embedded, territory=text)
        assert [t.iri for t in one.territories] == [p("RS-24")], text
    region = analyse_gaps(embedded, territory="RS22").territories
    assert [t.iri for t in region] == [p("RS22")]
    city = analyse_gaps(embedded, territory="Niš", level="municipality").territories
    assert [(t.iri, t.level) for t in city] == [(p("nis"), "municipality")]
    whole = districts.territory(p("RS-24"))
    assert one.territories[0].score == whole.score  # type: ignore[union-attr]


def test_labels_in_each_language(embedded: Store) -> None:
    for lang in ("en", "sr-Latn", "sr-Cyrl"):
        t = analyse_gaps(embedded, territory="RS-24", lang=lang).territories[0]
        assert t.label == pref_label(p("RS-24"), lang)
        for d in DIMENSIONS:
            for c in t.present[d] + t.missing[d]:
                assert c.label == pref_label(c.iri, lang)
    cyrillic = analyse_gaps(embedded, territory="RS-24", lang="sr-Cyrl")
    assert "Ф" in cyrillic.formula and not any("a" <= ch <= "z" for ch in cyrillic.formula)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"level": "county"}, "region, district or municipality"),
        ({"territory": "Atlantis"}, "is not a region, district, city or municipality"),
        ({"territory": "RS-24", "level": "region"}, "at the level region"),
        ({"territory": "RS"}, "is not a region, district, city or municipality"),
        ({"lang": "de"}, "sr-Latn, sr-Cyrl or en"),
    ],
)
def test_user_errors(embedded: Store, kwargs: dict[str, str], words: str) -> None:
    with pytest.raises(InputError) as caught:
        analyse_gaps(embedded, **kwargs)  # type: ignore[arg-type]
    assert words in caught.value.en
    assert caught.value.sr != caught.value.en


def test_private_data_is_not_read(tmp_path: Path) -> None:
    target = open_store("memory", create=True)
    load_examples(target)
    before = analyse_gaps(target, territory="RS-14")
    # a fact only in a private graph: an actor seated in the Bor district that finances
    actor = URIRef("https://w3id.org/ssekg/id/actor/private-only")
    target.replace_graph(
        target.graphs_of.private + "/extra",
        [
            (actor, RDF.type, SSEKG.Actor),
            (actor, SSEKG.municipality, URIRef(p("bor"))),
            (actor, SSEKG.fulfilsFunction, URIRef(SCHEME_BASE + "ecosystem-function/FINANCING")),
        ],
    )
    after = analyse_gaps(target, territory="RS-14")
    assert after.territories == before.territories
    assert after.territories[0].actor_count == 0


# -- the command line ------------------------------------------------------------------------


def invoke(store_dir: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli_app, ["gaps", "--store", store_dir, *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_is_the_analysis(store_dir: str, embedded: Store) -> None:
    code, out, _ = invoke(store_dir, "--format", "json", "--lang", "en")
    assert code == 0
    data = json.loads(out)
    assert data["formula"] == analyse_gaps(embedded, lang="en").formula
    by_iri = {t["iri"]: t for t in data["territories"]}
    levels = ("region", "district", "municipality")
    assert set(by_iri) == set().union(*(territories_of(lv) for lv in levels))
    pcinjski = by_iri[p("RS-24")]
    assert pcinjski["score"] == pytest.approx(expected_score(p("RS-24")), abs=1e-4)
    assert {c["iri"] for c in pcinjski["missing"]["function"]} == FUNCTIONS - present(
        p("RS-24")
    )["function"]
    assert set(pcinjski["scoreInputs"]) >= {"function", "actor-type.present", "practice.of"}
    assert {f["iri"] for f in data["functions"]} == FUNCTIONS


def test_cli_csv_one_row_per_territory(store_dir: str) -> None:
    code, out, _ = invoke(store_dir, "--format", "csv", "--level", "district", "--lang", "en")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(territories_of("district"))
    row = next(r for r in rows if r["code"] == "RS-24")
    assert row["territory"] == "Pčinjski okrug" and row["level"] == "district"
    assert float(row["completeness"]) == pytest.approx(expected_score(p("RS-24")), abs=1e-3)
    assert "financing" in row["functions: missing"].split("; ")
    code, out, _ = invoke(store_dir, "--format", "csv", "--territory", "RS-24")
    header = next(csv.reader(io.StringIO(out)))
    assert header[:5] == ["šifra", "teritorija", "nivo", "akteri", "potpunost"]


def test_cli_table(store_dir: str) -> None:
    code, out, _ = invoke(store_dir, "--level", "region", "--lang", "en")
    assert code == 0
    for code in ("(RS11)", "(RS12)", "(RS21)", "(RS22)"):
        assert code in out
    assert "Belgrade" in out and "Vojvodina" in out
    assert "score = 0.6" in " ".join(out.split())
    code, out, _ = invoke(store_dir, "--territory", "Pčinjski okrug", "--lang", "sr-Latn")
    assert code == 0
    assert "Pčinjski okrug (RS-24)" in out and "0/11" in out and "finansiranje" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--level", "county"], "the level 'county' is not known"),
        (["--territory", "Atlantis"], "the territory 'Atlantis' is not"),
        (["--format", "pdf"], "--format 'pdf' is not known"),
        (["--lang", "de"], "the language 'de' is not known"),
    ],
)
def test_cli_errors_are_one_sentence(store_dir: str, args: list[str], words: str) -> None:
    code, out, err = invoke(store_dir, *args)
    assert code == 2
    assert words in " ".join(err.split())
    assert "Traceback" not in err and "greška:" in err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1


def test_cli_output_has_no_personal_data(store_dir: str) -> None:
    secrets = {str(o) for o in PRIVATE.objects() if isinstance(o, Literal)}
    secrets |= {str(s) for s in PRIVATE.subjects() if "/person/" in str(s)}
    assert secrets
    for fmt in ("json", "csv", "table"):
        code, out, _ = invoke(store_dir, "--format", fmt)
        assert code == 0
        assert not [s for s in secrets if s in out], fmt


def test_territory_gaps_is_frozen() -> None:
    assert TerritoryGaps.__dataclass_params__.frozen  # type: ignore[attr-defined]
