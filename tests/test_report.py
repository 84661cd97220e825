"""The HTML report on the example data: it parses, opens offline (every resource a local file),
its charts are there as PNG and SVG, its words are in the chosen language, its counts are those
worked out here from the example file itself, no contact person reaches it, and the command
line says in one sentence what is wrong."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node
from typer.testing import CliRunner

from ssekg.analysis.report import freshness, write_report
from ssekg.cli import app as cli_app
from ssekg.namespaces import ORG, PLACE, SCHEMA, SSEKG, concept
from ssekg.places import gazetteer
from ssekg.setup import EXAMPLES, load_examples
from ssekg.store import open_store
from ssekg.store.base import Store
from ssekg.validation import validate_store

DATA = Graph().parse(EXAMPLES / "ssekg-examples.ttl")
PRIVATE = Graph().parse(EXAMPLES / "ssekg-examples-private.ttl")
ACTORS = set(DATA.subjects(RDF.type, SSEKG.Actor))
TODAY = date.today()
REGIONS = {str(PLACE) + code for code in ("RS11", "RS12", "RS21", "RS22", "RS23")}
VOID_ELEMENTS = {"meta", "img", "source", "br", "hr", "link", "input", "col", "wbr"}


# -- the report, read back -------------------------------------------------------------------


class Page(HTMLParser):
    """What a test needs of a page: the tags in order (checked to be balanced), attributes of
    every element, headings, and the cells of each table by id."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.headings: dict[str, list[str]] = {"h1": [], "h2": [], "h3": []}
        self.tables: dict[str, list[list[str]]] = {}
        self.row_attrs: dict[str, list[dict[str, str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._heading: list[str] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.elements.append((tag, values))
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)
        if tag == "table":
            self._table = values.get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
            self.row_attrs[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
            self.row_attrs[self._table].append(values)
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in self.headings:
            self._heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1] if self.open else 'nothing'}")
            return
        self.open.pop()
        if tag == "table":
            self._table = None
        elif tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag in self.headings and self._heading is not None:
            self.headings[tag].append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def body_rows(self, table: str) -> list[tuple[dict[str, str], list[str]]]:
        """The rows below the header row, with the attributes of their <tr>."""
        return list(zip(self.row_attrs[table][1:], self.tables[table][1:], strict=True))


@pytest.fixture(scope="module", params=["memory", "virtuoso"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        target = open_store(server.url, base=server.new_base())
    else:
        target = open_store("memory", create=True)
    load_examples(target)
    yield target
    target.close()


@pytest.fixture(scope="module")
def reports(store: Store, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("report")
    return {
        lang: write_report(store, folder / lang, lang=lang, validate=lang != "sr-Cyrl")
        for lang in ("sr-Latn", "en", "sr-Cyrl")
    }


def page(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


def number(text: str) -> int:
    return int(text.replace(",", "").replace(".", ""))


# -- the counts, worked out from the example file ----------------------------------------------


def region_of(actor: Node) -> str | None:
    seat = DATA.value(actor, SSEKG.municipality)
    if seat is None:
        return None
    return next((r for r in gazetteer().ancestors(str(seat)) if r in REGIONS), None)


def legal_status_holders() -> set[Node]:
    holders = set()
    for actor in ACTORS:
        for status in DATA.objects(actor, SSEKG.hasStatus):
            if DATA.value(status, SSEKG.statusKind) != URIRef(concept("se-status-kind", "LEGAL")):
                continue
            ended = DATA.value(status, SSEKG.endedOn)
            if ended is None or ended.toPython() > TODAY:  # type: ignore[attr-defined]
                holders.add(actor)
    return holders


def instances(*classes: URIRef) -> int:
    return len({s for cls in classes for s in DATA.subjects(RDF.type, cls)})


# -- tests -------------------------------------------------------------------------------------


def test_the_report_parses_and_its_charts_are_there_as_png_and_svg(
    reports: dict[str, Path],
) -> None:
    for lang, index in reports.items():
        assert index.name == "index.html" and index.is_file()
        parsed = page(index)
        assert parsed.errors == [], lang
        assert parsed.open == [], lang
        pictures = [a for tag, a in parsed.elements if tag == "img"]
        svgs = [a["srcset"] for tag, a in parsed.elements if tag == "source"]
        names = {Path(a["src"]).stem for a in pictures}
        assert {"actors-by-type", "actors-by-region", "actor-types-by-region", "network",
                "gaps-district-functions", "gaps-region-functions"} <= names  # fmt: skip
        for img in pictures:
            png = index.parent / img["src"]
            assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
            assert img["alt"]
            svg = png.with_suffix(".svg")
            assert img["src"].removesuffix(".png") + ".svg" in svgs
            root = ET.parse(svg).getroot()
            assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_the_report_opens_offline(reports: dict[str, Path]) -> None:
    index = reports["en"]
    parsed = page(index)
    assert not [a for tag, a in parsed.elements if tag == "script"]
    assert not [a for tag, a in parsed.elements if tag == "link"]  # the CSS is inline
    for tag, attrs in parsed.elements:
        for name in ("src", "href", "srcset"):
            target = attrs.get(name)
            if target is None:
                continue
            assert "://" not in target and not target.startswith("//"), (tag, target)
            if not target.startswith("#"):
                assert (index.parent / target).is_file(), target
    text = index.read_text(encoding="utf-8")
    assert "url(" not in text and "@import" not in text
    for svg in (index.parent / "charts").glob("*.svg"):
        body = svg.read_text(encoding="utf-8")
        assert "xlink:href=\"http" not in body and "href=\"http" not in body, svg.name


def test_headings_are_in_the_chosen_language(reports: dict[str, Path]) -> None:
    headings = {lang: page(path).headings for lang, path in reports.items()}
    assert headings["en"]["h1"] == ["The social and solidarity economy in Serbia"]
    assert headings["sr-Latn"]["h1"] == ["Socijalna i solidarna ekonomija u Srbiji"]
    assert headings["sr-Cyrl"]["h1"] == ["Социјална и солидарна економија у Србији"]
    assert "The ecosystem at a glance" in headings["en"]["h2"]
    assert "Data quality" in headings["en"]["h2"]
    assert "Ekosistem ukratko" in headings["sr-Latn"]["h2"]
    assert "Kvalitet podataka" in headings["sr-Latn"]["h2"]
    assert set(headings["en"]["h2"]).isdisjoint(headings["sr-Latn"]["h2"])
    for heading in headings["sr-Cyrl"]["h2"] + headings["sr-Cyrl"]["h3"]:
        letters = [c for c in heading if c.isalpha() and c not in "SHACL"]
        assert letters and all("\u0400" <= c <= "\u04ff" for c in letters), heading
    # labels of concepts and places follow the language too
    by_type = {a["data-iri"]: cells[0] for a, cells in page(reports["en"]).body_rows(
        "actors-by-type")}  # fmt: skip
    assert by_type[concept("actor-type", "COOP")] == "cooperative"
    by_type = {a["data-iri"]: cells[0] for a, cells in page(reports["sr-Latn"]).body_rows(
        "actors-by-type")}  # fmt: skip
    assert by_type[concept("actor-type", "COOP")] == "zadruga"


def test_counts_at_a_glance_are_those_of_the_example_data(reports: dict[str, Path]) -> None:
    for lang in ("en", "sr-Latn"):
        parsed = page(reports[lang])
        counts = {a["data-key"]: number(c[1]) for a, c in parsed.body_rows("glance-counts")}
        assert counts == {
            "actors": len(ACTORS),
            "located": len([a for a in ACTORS if region_of(a) is not None]),
            "status-holders": len(legal_status_holders()),
            "memberships": instances(SSEKG.Membership),
            "cooperations": instances(SSEKG.Cooperation),
            "fundings": instances(SSEKG.Funding),
            "offers": instances(SSEKG.CapacityOffer, SSEKG.ResourceOffer),
            "needs": instances(SSEKG.CapacityNeed, SSEKG.ResourceNeed),
        }
        assert counts["status-holders"] > 0 and counts["memberships"] > 0
        by_type = {a["data-iri"]: number(c[1]) for a, c in parsed.body_rows("actors-by-type")}
        expected_types = Counter(str(t) for a in ACTORS for t in DATA.objects(a, SSEKG.actorType))
        assert by_type == dict(expected_types)
        by_region = {a["data-iri"]: number(c[1]) for a, c in parsed.body_rows("actors-by-region")}
        expected_regions = Counter(region_of(a) or "" for a in ACTORS)
        assert by_region == dict(expected_regions)
        # the gap tables count the same actors per region
        gaps = {a["data-iri"]: number(c[1]) for a, c in parsed.body_rows("gaps-regions")}
        assert {r: n for r, n in gaps.items() if n} == {r: n for r, n in expected_regions.items()
                                                         if r}  # fmt: skip


def test_sources_are_listed_with_their_load_date(reports: dict[str, Path]) -> None:
    rows = page(reports["en"]).body_rows("sources")
    assert len(rows) == 1
    attrs, cells = rows[0]
    assert cells[0] == "examples"
    assert "ssekg-examples.ttl" in cells[1]
    assert cells[2].startswith(TODAY.isoformat()[:4])
    assert number(cells[3]) == len(ACTORS)


def test_validation_issues_are_those_of_the_store(store: Store, reports: dict[str, Path]) -> None:
    report = validate_store(store)
    rows = page(reports["en"]).body_rows("validation-issues")
    shown: Counter[str] = Counter()
    for _attrs, cells in rows:
        shown[cells[0]] += number(cells[2])
    assert shown["Warning"] == report.warnings > 0
    assert shown["Violation"] == report.violations
    messages = {cells[1] for _a, cells in rows}
    assert messages == {i.message_en for i in report.results}
    # without a fresh validation the report gives what each load recorded
    text = reports["sr-Cyrl"].read_text(encoding="utf-8")
    assert "validation-issues" not in text
    assert "ssekg report --validate" in text


def test_stale_records(store: Store, tmp_path: Path) -> None:
    dated = {a for a in ACTORS if DATA.value(a, SSEKG.observedOn) is not None}
    assert dated
    now = freshness(store, "en", today=TODAY)
    assert now.stale == 0 and now.undated == len(ACTORS) - len(dated)
    later = freshness(store, "en", years=3, today=date(2040, 1, 1))
    assert later.stale == len(dated)
    assert sum(later.by_year.values()) == len(dated)
    index = write_report(store, tmp_path / "late", lang="en", validate=False,
                         today=date(2040, 1, 1))  # fmt: skip
    rows = page(index).body_rows("stale-records")
    assert len(rows) == min(25, len(dated))
    assert {a["data-iri"] for a, _ in rows} <= {str(a) for a in dated}
    assert all(cells[0] and cells[2] < "2037-01-01" for _a, cells in rows)


def test_network_matches_and_alliances_are_shown(reports: dict[str, Path]) -> None:
    parsed = page(reports["en"])
    networks = {str(o) for o in DATA.objects(None, ORG.organization)}
    brokers = {a["data-iri"] for a, _ in parsed.body_rows("brokers")}
    assert brokers and brokers <= {str(a) for a in ACTORS}
    assert networks & brokers
    assert parsed.body_rows("match-table")
    assert parsed.body_rows("alliance-table")


def test_no_private_data_anywhere_in_the_report(reports: dict[str, Path]) -> None:
    secrets = {str(o) for o in PRIVATE.objects(None, SCHEMA.name)}
    secrets |= {str(o) for o in PRIVATE.objects(None, SCHEMA.telephone)}
    emails = {str(o) for o in PRIVATE.objects(None, SCHEMA.email)}
    secrets |= emails | {e.removeprefix("mailto:") for e in emails}
    secrets |= {str(s) for s in PRIVATE.subjects(RDF.type, None)}
    assert len(secrets) > 10 and all(isinstance(s, str) and s for s in secrets)
    checked = 0
    for index in reports.values():
        for path in [index, *sorted((index.parent / "charts").glob("*.svg"))]:
            text = path.read_text(encoding="utf-8")
            found = [s for s in secrets if s in text]
            assert not found, (path, found)
            checked += 1
    assert checked > 10


# -- the command line --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("report-cli") / "store")
    with open_store(path, create=True) as target:
        load_examples(target)
    return path


def test_the_command_writes_the_report(store_dir: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli_app, ["report", "-o", str(out), "--lang", "en", "--no-validate", "--store", store_dir]
    )
    assert result.exit_code == 0, result.output
    parsed = page(out / "index.html")
    assert parsed.headings["h1"] == ["The social and solidarity economy in Serbia"]
    assert (out / "charts" / "actors-by-type.svg").is_file()


def test_the_default_folder_and_language(store_dir: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, ["report", "--no-validate", "--store", store_dir])
    assert result.exit_code == 0, result.output
    assert page(tmp_path / "ssekg-report" / "index.html").headings["h1"] == [
        "Socijalna i solidarna ekonomija u Srbiji"
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "{file}"], "is a file"),
        (["--lang", "de"], "'de' is not offered"),
        (["--store", "{missing}"], "no store at"),
        (["--stale-years", "0"], "--stale-years"),
    ],
)
def test_command_errors_are_one_sentence(
    store_dir: str, tmp_path: Path, args: list[str], words: str
) -> None:
    existing = tmp_path / "report.html"
    existing.write_text("not a folder\n", encoding="utf-8")
    values = {"file": str(existing), "missing": str(tmp_path / "nothing-here")}
    argv = ["report", "-o", str(tmp_path / "out"), "--store", store_dir]
    argv += [a.format(**values) for a in args]
    result = CliRunner().invoke(cli_app, argv)
    assert result.exit_code == 2
    assert words in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert existing.read_text(encoding="utf-8") == "not a folder\n"
