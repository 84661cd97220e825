"""The SHACL shapes and the validation reports, as a user loading data meets them.

Every shape with a message has a fixture folder ``tests/fixtures/shapes/{shape}/`` with
``invalid-*.ttl`` files it must reject; their header names the expected severity and a part
of the English and Serbian message. ``valid/*.ttl`` must be accepted by every shape. pyshacl
is slow, so the fixtures are validated together in one run (each uses its own ``@base``, so
every result can be traced to its file) against the small ``reference-min.ttl``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from ssekg.namespaces import PLACE, SSEKG, concept
from ssekg.validation import (
    ValidationIssue,
    ValidationReport,
    load_shapes,
    validate,
    validate_store,
)

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SHX = Namespace("https://w3id.org/ssekg/shapes#")
TEST_BASE = "https://w3id.org/ssekg/id/test/"

MB_PASS = [
    "07350767",
    "08055769",
    "07204990",
    "06425747",
    "08715181",
    "06832270",
    "66841251",
    "28836627",
    "20514841",
    "20952288",
    "21788007",
    "22096737",
    "20784245",
    "20490918",
    "21491128",
    "07009496",
    "17273094",
    "17455613",
    "17400169",
    "17067648",
    "62650842",
    "07333889",
    "09018433",
    "07803125",
    "07005466",
    "20213108",
    "68643627",
    "63560073",
]
MB_FAIL = ["28945197", "01234567", "06009876"]
PIB_PASS = [
    "102021423",
    "101450672",
    "104318304",
    "100026798",
    "101662166",
    "101910220",
    "113460262",
    "115840443",
    "106037154",
    "108205616",
    "113008454",
    "114961759",
    "107341216",
    "105917343",
    "111497958",
    "100974365",
    "100371248",
    "102605020",
    "101017443",
    "100572465",
    "107307040",
    "101531745",
    "100001378",
    "104701667",
]
PIB_FAIL = ["123456789", "100012345"]


@dataclass(frozen=True)
class Case:
    shape: str
    path: Path
    severity: str
    en: str
    sr: str


def read_case(path: Path) -> Case:
    header: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect-"):
            break
        key, _, value = line[len("# expect-") :].partition(":")
        header[key.strip()] = value.strip()
    return Case(path.parent.name, path, header["severity"], header["en"], header["sr"])


CASES = [read_case(p) for p in sorted(FIXTURES.glob("*/invalid-*.ttl"))]
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))


def message_shapes() -> list[str]:
    """Local names of the shapes that report: every named node with a sh:message."""
    shapes = load_shapes()
    return sorted(
        str(s)[len(str(SHX)) :]
        for s in set(shapes.subjects(SH.message))
        if isinstance(s, URIRef) and str(s).startswith(str(SHX))
    )


@pytest.fixture(scope="session")
def reference_min() -> Graph:
    return Graph().parse(FIXTURES / "reference-min.ttl")


@pytest.fixture(scope="session")
def invalid_report(reference_min: Graph) -> ValidationReport:
    data = Graph()
    for case in CASES:
        data.parse(case.path)
    return validate(data, reference=reference_min)


@pytest.fixture(scope="session")
def valid_reports(reference_min: Graph) -> dict[str, ValidationReport]:
    return {p.name: validate(Graph().parse(p), reference=reference_min) for p in VALID}


def issues_of(report: ValidationReport, case: Case) -> list[ValidationIssue]:
    prefix = f"{TEST_BASE}{case.shape}/"
    return [i for i in report.results if i.focus.startswith(prefix)]


def test_every_shape_has_fixtures_and_two_languages() -> None:
    shapes = load_shapes()
    covered = {c.shape for c in CASES}
    missing = [s for s in message_shapes() if s not in covered]
    assert not missing, f"shapes without an invalid fixture: {missing}"
    assert len(message_shapes()) >= 60
    for shape in set(shapes.subjects(SH.message)):
        langs = {m.language for m in shapes.objects(shape, SH.message) if isinstance(m, Literal)}
        assert langs == {"en", "sr-Latn"}, shape


def test_every_reporting_node_has_a_severity() -> None:
    shapes = load_shapes()
    for shape in set(shapes.subjects(SH.message)):
        assert shapes.value(shape, SH.severity) in (SH.Violation, SH.Warning, SH.Info), shape


@pytest.mark.parametrize("case", CASES, ids=[c.shape for c in CASES])
def test_shape_rejects_its_fixture(case: Case, invalid_report: ValidationReport) -> None:
    mine = [i for i in issues_of(invalid_report, case) if i.shape == str(SHX[case.shape])]
    assert mine, f"{case.path} was not rejected by {case.shape}"
    issue = mine[0]
    assert issue.severity == case.severity
    assert case.en in issue.message_en
    assert case.sr in issue.message_sr


@pytest.mark.parametrize("shape", message_shapes())
def test_shape_accepts_the_valid_fixtures(
    shape: str, valid_reports: dict[str, ValidationReport]
) -> None:
    for name, report in valid_reports.items():
        hits = [i for i in report.results if i.shape == str(SHX[shape])]
        assert not hits, f"{name}: {hits}"


def test_valid_fixture_reaches_every_target_class(
    valid_reports: dict[str, ValidationReport],
) -> None:
    shapes = load_shapes()
    data = Graph()
    for p in VALID:
        data.parse(p)
    for cls in set(shapes.objects(None, SH.targetClass)):
        assert any(data.subjects(RDF.type, cls)), f"no {cls} in the valid fixtures"
    assert all(r.conforms and not r.results for r in valid_reports.values())


def test_valid_fixture_against_the_real_reference() -> None:
    report = validate(Graph().parse(FIXTURES / "valid" / "full.ttl"))
    assert report.conforms, report.to_text("en")
    assert report.results == []


def actor_graph(prop: URIRef, values: list[str]) -> Graph:
    graph = Graph()
    for value in values:
        actor = URIRef(f"{TEST_BASE}ids/{prop.fragment}/{value}")
        graph.add((actor, RDF.type, SSEKG.Actor))
        graph.add((actor, SSEKG.name, Literal(f"Akter {value}", lang="sr-Latn")))
        graph.add((actor, SSEKG.actorType, URIRef(concept("actor-type", "COOP"))))
        graph.add((actor, SSEKG.municipality, PLACE["novi-sad"]))
        graph.add((actor, prop, Literal(value)))
    return graph


@pytest.fixture(scope="session")
def identifier_report(reference_min: Graph) -> ValidationReport:
    graph = actor_graph(SSEKG.registrationNumber, MB_PASS + MB_FAIL)
    graph += actor_graph(SSEKG.taxNumber, PIB_PASS + PIB_FAIL)
    return validate(graph, reference=reference_min)


def flagged(report: ValidationReport, shape: str) -> set[str]:
    return {i.focus.rsplit("/", 1)[1] for i in report.results if i.shape == str(SHX[shape])}


def test_mb_check_digit_warns_on_exactly_the_failing_vectors(
    identifier_report: ValidationReport,
) -> None:
    assert flagged(identifier_report, "Actor-registrationNumber-check") == set(MB_FAIL)
    severities = {
        i.severity
        for i in identifier_report.results
        if i.shape == str(SHX["Actor-registrationNumber-check"])
    }
    assert severities == {"Warning"}
    assert not flagged(identifier_report, "Actor-registrationNumber")


def test_pib_check_digit_rejects_exactly_the_failing_vectors(
    identifier_report: ValidationReport,
) -> None:
    assert flagged(identifier_report, "Actor-taxNumber-check") == set(PIB_FAIL)
    assert not flagged(identifier_report, "Actor-taxNumber")
    assert not identifier_report.conforms
    assert identifier_report.violations == len(PIB_FAIL)


def case_report(report: ValidationReport, shape: str) -> ValidationReport:
    case = next(c for c in CASES if c.shape == shape)
    return ValidationReport(results=issues_of(report, case))


def test_warnings_alone_conform(invalid_report: ValidationReport) -> None:
    postcode = case_report(invalid_report, "Address-postCode")
    assert postcode.warnings >= 1 and postcode.violations == 0
    assert postcode.conforms
    name = case_report(invalid_report, "Actor-name")
    assert name.violations >= 1 and not name.conforms
    assert not invalid_report.conforms


def test_text_report_groups_by_actor_and_names_it(reference_min: Graph) -> None:
    data = Graph().parse(FIXTURES / "valid" / "full.ttl")
    zlatna = URIRef("https://w3id.org/ssekg/id/actor/mb/17400169")
    krug = URIRef("https://w3id.org/ssekg/id/actor/mb/07204990")
    data.set((zlatna, SSEKG.taxNumber, Literal("123456789")))
    address = URIRef(f"{zlatna}/address")
    data.set((address, URIRef("http://www.w3.org/ns/locn#postCode"), Literal("2100")))
    data.remove((krug, URIRef("http://www.w3.org/ns/locn#address"), None))
    report = validate(data, reference=reference_min)
    assert (report.violations, report.warnings) == (1, 2)
    sr = report.to_text("sr")
    lines = sr.splitlines()
    header = lines.index(f"Zadruga Zlatna ruka <{zlatna}> (zapis 1)")
    assert lines[header + 1].startswith('  Greška: ssekg:taxNumber = "123456789"')
    assert "PIB ne prolazi kontrolu" in lines[header + 1]
    assert lines[header + 2].startswith("  Upozorenje: locn:postCode")
    assert f"[{address}]" in lines[header + 2]
    # The network is named in Latin script although its name is Cyrillic.
    assert f"Mreža Solidarni krug <{krug}>" in lines
    assert lines[-1] == "Ukupno: 1 grešaka, 2 upozorenja, 0 napomena; podaci nisu ispravni."
    en = report.to_text("en")
    assert "(record 1)" in en and "fails its ISO 7064 MOD 11,10 check digit" in en
    assert en.splitlines()[-1].startswith("Total: 1 violation(s), 2 warning(s)")


def test_json_report_is_stable_and_parses(invalid_report: ValidationReport) -> None:
    body: dict[str, Any] = json.loads(invalid_report.to_json())
    assert set(body) == {"conforms", "violations", "warnings", "actors"}
    assert body["conforms"] is False
    assert body["violations"] == invalid_report.violations
    actor = next(a for a in body["actors"] if a["actor"] == f"{TEST_BASE}Actor-name-language/a")
    assert set(actor) == {"actor", "name", "record", "issues"}
    assert actor["name"] == "Akter"
    issue = actor["issues"][0]
    assert {"severity", "focus", "path", "value", "message_en", "message_sr", "shape"} <= set(issue)
    assert sum(len(a["issues"]) for a in body["actors"]) == len(invalid_report.results)


def test_turtle_report_parses_and_holds_only_data_nodes(invalid_report: ValidationReport) -> None:
    graph = Graph().parse(data=invalid_report.to_turtle(), format="turtle")
    report = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert graph.value(report, SH.conforms) == Literal(False)
    foci = {str(graph.value(r, SH.focusNode)) for r in graph.objects(report, SH.result)}
    assert foci and all(f.startswith(TEST_BASE) for f in foci)
    assert len(list(graph.objects(report, SH.result))) == len(invalid_report.results)


def test_reference_nodes_are_never_reported(reference_min: Graph) -> None:
    broken = Graph().parse(data=(FIXTURES / "reference-min.ttl").read_text(), format="turtle")
    # A reference that itself breaks a shape: a geometry without a point.
    geometry = URIRef("https://w3id.org/ssekg/place/novi-sad/geometry")
    broken.add((geometry, RDF.type, URIRef("http://www.opengis.net/ont/geosparql#Geometry")))
    report = validate(Graph().parse(FIXTURES / "valid" / "full.ttl"), reference=broken)
    assert report.results == []


class FakeResult:
    def __init__(self, graph: Graph) -> None:
        self.graph = graph


class FakeStore:
    def __init__(self, graph: Graph) -> None:
        self.data = graph
        self.queries: list[str] = []

    def query(self, sparql: str, *args: object, **kwargs: object) -> FakeResult:
        self.queries.append(sparql)
        return FakeResult(self.data)


def test_validate_store_checks_the_public_union_without_the_reference() -> None:
    from ssekg.reference import reference_graph

    union = reference_graph()
    union.parse(FIXTURES / "Actor-name" / "invalid-1.ttl")
    store = FakeStore(union)
    report = validate_store(store)
    assert store.queries and store.queries[0].startswith("CONSTRUCT")
    assert not report.conforms
    assert {i.focus for i in report.results} == {f"{TEST_BASE}Actor-name/a"}


def test_unknown_concept_is_rejected_against_the_real_taxonomies() -> None:
    data = Graph().parse(FIXTURES / "valid" / "full.ttl")
    zlatna = URIRef("https://w3id.org/ssekg/id/actor/mb/17400169")
    data.set((zlatna, SSEKG.legalForm, URIRef(concept("legal-form", "ZAD-XYZ"))))
    data.set((zlatna, SSEKG.municipality, PLACE["nis-palilula"]))
    report = validate(data)
    assert [(i.shape, i.severity) for i in report.results] == [
        (str(SHX["Actor-legalForm"]), "Violation")
    ]
    assert report.results[0].value == f"<{concept('legal-form', 'ZAD-XYZ')}>"
