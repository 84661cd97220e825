"""Mappings users write, as a user meets them: the worked example of docs/mappings.md loads
exactly as the documentation says; a mapping with a mistake stops the load before any row is
read and names the line of the mapping; free text is read as concepts whatever its case,
script or diacritics; "other: ..." text, multi-choice cells and constants; IRIs that stay the
same on every reload; and a failed load that leaves the store as it was."""

from __future__ import annotations

import io
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD
from typer.testing import CliRunner

from ssekg.cli import app
from ssekg.errors import InputError
from ssekg.loaders import load_source
from ssekg.loaders.pipeline import SourceRecord
from ssekg.loaders.tabular import read_table
from ssekg.namespaces import DEFAULT_BASE, ORG, PLACE, SCHEMA, SSEKG, concept
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "mappings.md"
EXAMPLE = ROOT / "docs" / "examples" / "partner-spreadsheet.csv"
EXAMPLE_MAPPING = ROOT / "docs" / "examples" / "partner-mapping.yaml"
BASE = DEFAULT_BASE
runner = CliRunner()


def actor(tail: str) -> URIRef:
    return URIRef(f"{BASE}actor/{tail}")


def legal_form(code: str) -> URIRef:
    return URIRef(concept("legal-form", code))


def actor_type(code: str) -> URIRef:
    return URIRef(concept("actor-type", code))


@pytest.fixture
def store() -> Iterator[Store]:
    target = open_store("memory", base=BASE)
    initialise(target)
    yield target
    target.close()


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    path = str(tmp_path / "store")
    assert runner.invoke(app, ["init", "--store", path]).exit_code == 0
    return path


def dump(store: Store) -> bytes:
    out = io.BytesIO()
    store.dump(out, include_private=True)
    return b"\n".join(sorted(out.getvalue().splitlines()))


def source_graph(store: Store, source_id: str, *, private: bool = False) -> Graph:
    graph = f"{BASE}graph/{'private/' if private else ''}source/{source_id}"
    out = io.BytesIO()
    store.dump(out, include_private=True)
    found = Graph()
    for line in out.getvalue().decode("utf-8").splitlines():
        if line.rstrip().endswith(f"<{graph}> ."):
            found.parse(data=line[: line.rindex("<")] + ".", format="nt")
    return found


def records(
    tmp_path: Path, mapping: str, table: str, *, name: str = "table.csv", encoding: str = "utf-8"
) -> list[SourceRecord]:
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(mapping, encoding="utf-8")
    data = tmp_path / name
    data.write_bytes(table.encode(encoding))
    found, _ = read_table(data, BASE, mapping=mapping_file, source_id="test")
    return list(found)


def by_key(found: list[SourceRecord]) -> dict[str, SourceRecord]:
    return {r.key: r for r in found}


# --- the worked example of docs/mappings.md --------------------------------------------------


def doc_session() -> tuple[list[str], list[str]]:
    """The ``ssekg load`` command of the worked example and the lines it prints, as the
    documentation shows them."""
    text = DOC.read_text("utf-8")
    blocks = re.findall(r"```console\n(.*?)```", text, re.S)
    for block in blocks:
        lines = block.splitlines()
        if lines and lines[0].startswith("$ ssekg load"):
            return shlex.split(lines[0][2:]), [line for line in lines[1:] if line.strip()]
    raise AssertionError("docs/mappings.md shows no `$ ssekg load` session")


def test_the_worked_example_prints_what_the_documentation_shows(
    store_path: str, tmp_path: Path
) -> None:
    command, shown = doc_session()
    assert command[:2] == ["ssekg", "load"]
    args = [str(ROOT / a) if a.startswith("docs/") else a for a in command[1:]]
    result = runner.invoke(
        app, [*args, "--store", store_path, "--report-dir", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 3, result.output
    printed = [
        line.replace(str(tmp_path) + "/", "")
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip()
    ]
    assert printed == shown


def test_the_worked_example_reads_the_partners_words_as_the_documentation_says(
    store: Store, tmp_path: Path
) -> None:
    result = load_source(
        store, EXAMPLE, mapping=EXAMPLE_MAPPING, source_id="dobro-selo", report_dir=tmp_path
    )
    assert (result.loaded, result.quarantined) == (5, 1)
    graph = source_graph(store, "dobro-selo")
    dobro_polje, ljubicica, njiva = (
        actor("mb/21000124"),
        actor("dobro-selo/2"),
        actor("mb/21000132"),
    )
    palilula, sremska = actor("dobro-selo/4"), actor("mb/21000159")
    # "Zadruga", "задруга", "cooperative": a cooperative; "Poljoprivredna zadruga" its kind
    for subject in (dobro_polje, ljubicica, sremska):
        assert set(graph.objects(subject, SSEKG.legalForm)) == {legal_form("ZAD")}
        assert set(graph.objects(subject, SSEKG.actorType)) == {actor_type("COOP")}
    assert set(graph.objects(njiva, SSEKG.legalForm)) == {legal_form("ZAD-POLJ")}
    assert set(graph.objects(njiva, SSEKG.actorType)) == {actor_type("COOP")}
    # one crosswalk entry gives concepts of three schemes
    assert set(graph.objects(palilula, SSEKG.legalForm)) == {legal_form("UDR")}
    assert set(graph.objects(palilula, SSEKG.actorType)) == {actor_type("ASSOC")}
    assert URIRef(concept("target-group", "WOMEN")) in set(
        graph.objects(palilula, SSEKG.targetGroup)
    )
    # multi-valued cells, the field's own values first, the taxonomy's labels after them
    assert set(graph.objects(dobro_polje, SSEKG.activity)) == {
        URIRef(concept("nace-section", "A")),
        URIRef(concept("nace-section", "C")),
    }
    assert set(graph.objects(dobro_polje, SSEKG.targetGroup)) == {
        URIRef(concept("target-group", "WOMEN")),
        URIRef(concept("target-group", "RURAL")),
    }
    assert set(graph.objects(njiva, SSEKG.targetGroup)) == {
        URIRef(concept("target-group", "YOUTH"))
    }
    assert set(graph.objects(njiva, SSEKG.socialGoal)) == {
        Literal("samohrani roditelji, penzioneri", lang="sr-Latn")
    }
    # places: prefixes, Cyrillic, a district, a misspelling
    assert set(graph.objects(dobro_polje, SSEKG.municipality)) == {PLACE["kovacica"]}
    assert set(graph.objects(ljubicica, SSEKG.municipality)) == {PLACE["cacak"]}
    assert set(graph.objects(njiva, SSEKG.municipality)) == {PLACE["zrenjanin"]}
    assert set(graph.objects(palilula, SSEKG.municipality)) == {PLACE["nis-palilula"]}
    assert set(graph.objects(sremska, SSEKG.municipality)) == {PLACE["sremska-mitrovica"]}
    # names as given, the other script derived
    assert set(graph.objects(ljubicica, SSEKG.name)) == {
        Literal("ЗАДРУГА ЉУБИЧИЦА", lang="sr-Cyrl")
    }
    assert set(graph.objects(ljubicica, SSEKG.transliteratedName)) == {
        Literal("ZADRUGA LJUBIČICA", lang="sr-Latn")
    }
    assert set(graph.objects(njiva, SSEKG.transliteratedName)) == {
        Literal("Пољопривредна задруга Њива", lang="sr-Cyrl")
    }
    # identifiers, web, e-mail, phone
    assert set(graph.objects(njiva, SSEKG.registrationNumber)) == {Literal("21000132")}
    assert set(graph.objects(dobro_polje, SSEKG.taxNumber)) == {Literal("112000013")}
    assert set(graph.objects(dobro_polje, SCHEMA.url)) == {URIRef("https://www.dobropolje.rs/")}
    point = URIRef(f"{dobro_polje}/contact/1")
    assert set(graph.objects(point, SCHEMA.telephone)) == {Literal("+38113661234")}
    assert set(graph.objects(point, SCHEMA.email)) == {URIRef("mailto:Info@dobropolje.rs")}
    # constants: every member is in the network, observed on the list's date
    network = actor("dobro-selo/mreza-dobro-selo")
    members = {actor(t) for t in ("mb/21000124", "dobro-selo/2", "mb/21000132")} | {
        palilula,
        sremska,
    }
    assert set(graph.subjects(ORG.memberOf, network)) == members
    observed = Literal("2026-02-15", datatype=XSD.date)
    assert set(graph.subjects(SSEKG.observedOn, observed)) == members
    # the contact person stays private; the ambiguous Palilula was set aside
    private = source_graph(store, "dobro-selo", private=True)
    assert Literal("Marija Petrović") in set(private.objects(None, SCHEMA.name))
    assert Literal("Marija Petrović") not in set(graph.objects(None, None))
    assert (actor("mb/21000140"), None, None) not in graph
    assert [q.locator for q in result.quarantine] == ["row 7"]


def test_the_worked_example_mapping_is_the_one_the_documentation_prints() -> None:
    text = DOC.read_text("utf-8")
    assert EXAMPLE_MAPPING.read_text("utf-8").strip() in text
    header = EXAMPLE.read_text("utf-8").splitlines()[0]
    assert header in text


# --- a mapping with a mistake stops the load before anything is read ----------------------

GOOD = """\
mapping: partneri
key:
  column: Rb
fields:
  - column: Naziv
    property: name
  - column: Oblik
    property: legalForm
    values:
      Zadruga: [ZAD, actor-type:COOP]
  - column: Mesto
    property: municipality
"""
TABLE = "Rb;Naziv;Oblik;Mesto\n1;Zadruga Sloga;Zadruga;Čačak\n"


def mistaken(old: str, new: str) -> str:
    assert old in GOOD
    return GOOD.replace(old, new, 1)


MISTAKES = {
    # what is wrong: (the mapping, its line named, words the message has)
    # an unclosed bracket is found where the next line begins
    "bad YAML": (mistaken("    values:\n", "    values: [\n"), 11, "not valid YAML"),
    "tab indentation": (mistaken("  - column: Mesto", "\t- column: Mesto"), 11, "YAML"),
    "unknown property": (mistaken("property: legalForm", "property: legalfrom"), 8, "'legalForm'"),
    "unknown setting": (
        mistaken("    property: municipality", "    propery: municipality"),
        12,
        "propery",
    ),
    "bad crosswalk code": (mistaken("[ZAD, actor-type:COOP]", "[ZADR]"), 10, "'ZADR'"),
    "bad crosswalk scheme": (mistaken("actor-type:COOP", "actor-kind:COOP"), 10, "actor-kind"),
    "crosswalk to a register": (mistaken("actor-type:COOP", "register:APR-RPS"), 10, "register"),
    "crosswalk of a text property": (
        mistaken("property: legalForm", "property: description"),
        10,
        "takes no concepts",
    ),
    "missing key": (mistaken("key:\n  column: Rb\n", ""), 1, "'key'"),
    "key twice": (mistaken("      Zadruga:", "      Zadruga: ZAD\n      Zadruga:"), 11, "twice"),
    "no name": (mistaken("    property: name", "    property: alternateName"), 1, "'name'"),
    "neither column nor path": (
        mistaken("  - column: Mesto\n", "  - optional: true\n"),
        11,
        "'column'",
    ),
    "constant of another scheme": (
        GOOD.replace("fields:", "constants:\n  legalForm: actor-type:COOP\nfields:"),
        5,
        "actor-type",
    ),
    "unknown constant": (GOOD.replace("fields:", "constants:\n  drzava: RS\nfields:"), 5, "drzava"),
    "unknown column": (mistaken("column: Mesto", "column: Mesto sedišta"), 11, "'Mesto sedišta'"),
}


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_a_mapping_with_a_mistake_fails_before_any_row_is_read_naming_its_line(
    case: str, tmp_path: Path, store_path: str
) -> None:
    mapping, line, words = MISTAKES[case]
    mapping_file = tmp_path / "partneri.yaml"
    mapping_file.write_text(mapping, encoding="utf-8")
    table = tmp_path / "partneri.csv"
    # the first row is broken: reading it would be an error of its own
    table.write_text(TABLE.replace("1;Zadruga", '1;"Zadruga'), encoding="utf-8")
    result = runner.invoke(
        app,
        ["load", str(table), "--mapping", str(mapping_file), "--store", store_path],
        catch_exceptions=False,
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.stderr.split())
    assert f"partneri.yaml, line {line}:" in said
    assert f"partneri.yaml, red {line}:" in said
    assert words in said
    assert "Traceback" not in result.output
    assert "row 2" not in said


def test_the_mapping_mistakes_are_found_without_the_data() -> None:
    for case, (mapping, line, _) in MISTAKES.items():
        if case == "unknown column":
            continue
        with pytest.raises(InputError) as raised:
            from ssekg.loaders.mapping import parse_mapping

            parse_mapping(mapping, "partneri.yaml")
        assert f"partneri.yaml, line {line}:" in raised.value.en, case


def test_an_unknown_column_lists_the_columns_the_file_has(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        records(tmp_path, mistaken("column: Mesto", "column: Sediste"), TABLE)
    assert "'Sediste' is not in the header of table.csv" in raised.value.en
    assert "'Rb', 'Naziv', 'Oblik', 'Mesto'" in raised.value.en
    assert "optional: true" in raised.value.en


def test_an_optional_column_may_be_missing(tmp_path: Path) -> None:
    mapping = GOOD + "  - column: Veb-sajt\n    property: website\n    optional: true\n"
    found = records(tmp_path, mapping, TABLE)
    assert [r.key for r in found] == ["1"]


def test_a_column_is_found_whatever_its_case_script_or_diacritics(tmp_path: Path) -> None:
    table = "РБ;NAZIV;oblik;mesto\n1;Zadruga Sloga;Zadruga;Čačak\n"
    (record,) = records(tmp_path, GOOD, table)
    assert record.subject == actor("test/1")
    assert (record.subject, SSEKG.municipality, PLACE["cacak"]) in record.graph


# --- crosswalks, "other: ...", multi-valued cells, constants -------------------------------

CROSSWALK = """\
mapping: partneri
key: {column: Rb}
fields:
  - column: Naziv
    property: name
  - column: Oblik
    property: legalForm
    values:
      Zadruga: [ZAD, actor-type:COOP]
      cooperative: [ZAD, actor-type:COOP]
      Poljoprivredna zadruga: [ZAD-POLJ, actor-type:COOP]
      Udruženje žena: [UDR, actor-type:ASSOC, target-group:WOMEN]
      ne znam: ~
"""


def read_one(tmp_path: Path, mapping: str, header: str, row: str) -> SourceRecord:
    (record,) = records(tmp_path, mapping, f"{header}\n{row}\n")
    return record


@pytest.mark.parametrize(
    ("written", "form", "kind"),
    [
        ("Zadruga", "ZAD", "COOP"),
        ("ZADRUGA", "ZAD", "COOP"),
        ("задруга", "ZAD", "COOP"),
        ("ЗАДРУГА", "ZAD", "COOP"),
        ("  zadruga. ", "ZAD", "COOP"),
        ("Cooperative", "ZAD", "COOP"),
        ("Poljoprivredna zadruga", "ZAD-POLJ", "COOP"),
        ("POLJOPRIVREDNA ZADRUGA", "ZAD-POLJ", "COOP"),
        ("пољопривредна задруга", "ZAD-POLJ", "COOP"),
        ("Udruzenje zena", "UDR", "ASSOC"),
        ("УДРУЖЕЊЕ ЖЕНА", "UDR", "ASSOC"),
        # not in the mapping's values: the shared synonyms and the scheme's labels
        ("zemljoradnička zadruga", "ZAD-POLJ", "COOP"),
        ("Stambena zadruga", "ZAD-STAMB", "COOP"),
        ("Udruženje građana", "UDR", "ASSOC"),
    ],
)
def test_a_crosswalk_ignores_case_script_and_diacritics(
    tmp_path: Path, written: str, form: str, kind: str
) -> None:
    record = read_one(tmp_path, CROSSWALK, "Rb;Naziv;Oblik", f"1;Članica;{written}")
    assert set(record.graph.objects(record.subject, SSEKG.legalForm)) == {legal_form(form)}
    assert set(record.graph.objects(record.subject, SSEKG.actorType)) == {actor_type(kind)}
    assert not [p for p in record.problems if p.severity != "Info"]


def test_a_crosswalk_entry_may_fill_properties_of_other_schemes(tmp_path: Path) -> None:
    record = read_one(tmp_path, CROSSWALK, "Rb;Naziv;Oblik", "1;Žene Banata;udruzenje zena")
    assert set(record.graph.objects(record.subject, SSEKG.targetGroup)) == {
        URIRef(concept("target-group", "WOMEN"))
    }


def test_a_value_crosswalked_to_nothing_is_left_out_quietly(tmp_path: Path) -> None:
    record = read_one(tmp_path, CROSSWALK, "Rb;Naziv;Oblik", "1;Članica;Ne znam")
    assert (record.subject, SSEKG.legalForm, None) not in record.graph
    assert record.problems == []


def test_a_misspelt_value_is_read_as_the_nearest_concept_with_a_warning(tmp_path: Path) -> None:
    # the misspelt kind wins over the "zadruga" it contains
    record = read_one(tmp_path, CROSSWALK, "Rb;Naziv;Oblik", "1;Članica;Poljoprivrdna zadruga")
    assert set(record.graph.objects(record.subject, SSEKG.legalForm)) == {legal_form("ZAD-POLJ")}
    (warning,) = [p for p in record.problems if p.severity == "Warning"]
    assert warning.column == "Oblik" and "ZAD-POLJ" in warning.message_en


def test_without_fuzzy_a_misspelt_value_is_kept_as_a_keyword(tmp_path: Path) -> None:
    mapping = CROSSWALK.replace(
        "    property: legalForm\n", "    property: legalForm\n    fuzzy: false\n"
    )
    record = read_one(tmp_path, mapping, "Rb;Naziv;Oblik", "1;Članica;Fondacja")
    assert (record.subject, SSEKG.legalForm, None) not in record.graph
    assert set(record.graph.objects(record.subject, SCHEMA.keywords)) == {
        Literal("Fondacja", lang="sr-Latn")
    }
    assert "values" in record.problems[0].message_en


CHOICES = """\
mapping: anketa
key: {column: Rb}
fields:
  - column: Naziv
    property: name
  - column: Ciljne grupe
    property: targetGroup
  - column: Prakse
    property: practice
  - column: Delatnosti
    property: activity
    separator: "/"
    values:
      pčelarstvo: A
      turizam, ugostiteljstvo: I
  - column: Opis
    property: description
"""
CHOICE_HEADER = "Rb;Naziv;Ciljne grupe;Prakse;Delatnosti;Opis"


def objects(record: SourceRecord, predicate: URIRef) -> set[object]:
    return set(record.graph.objects(record.subject, predicate))


def test_multi_choice_cells_split_on_semicolons_and_commas(tmp_path: Path) -> None:
    row = '1;Sloga;"Žene; Romi, osobe sa invaliditetom";"Radna integracija,pravedna trgovina";;'
    record = read_one(tmp_path, CHOICES, CHOICE_HEADER, row)
    assert objects(record, SSEKG.targetGroup) == {
        URIRef(concept("target-group", code)) for code in ("WOMEN", "ROMA", "PWD")
    }
    assert objects(record, SSEKG.practice) == {
        URIRef(concept("practice", code)) for code in ("WORK-INTEGRATION", "FAIR-TRADE")
    }


def test_a_field_separator_splits_only_there(tmp_path: Path) -> None:
    row = "1;Sloga;;;pčelarstvo / turizam, ugostiteljstvo;Opis, sa zarezima; i tačkom-zarezom"
    record = read_one(tmp_path, CHOICES, CHOICE_HEADER, row.replace("; i", ", i"))
    assert objects(record, SSEKG.activity) == {
        URIRef(concept("nace-section", "A")),
        URIRef(concept("nace-section", "I")),
    }
    # a single-valued text is never split
    assert objects(record, SCHEMA.description) == {
        Literal("Opis, sa zarezima, i tačkom-zarezom", lang="sr-Latn")
    }


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("žene; drugo: samohrani roditelji, penzioneri", "samohrani roditelji, penzioneri"),
        ("Žene, Ostalo - povratnici iz migracije", "povratnici iz migracije"),
        ("жене; друго: самохрани родитељи", "самохрани родитељи"),
        ("Other: single parents; carers", "single parents; carers"),
    ],
)
def test_other_free_text_is_kept_whole(tmp_path: Path, cell: str, text: str) -> None:
    record = read_one(tmp_path, CHOICES, CHOICE_HEADER, f'1;Sloga;"{cell}";;;')
    goals = {str(v) for v in objects(record, SSEKG.socialGoal)}
    assert goals == {text}
    if not text.startswith("single"):
        assert objects(record, SSEKG.targetGroup) == {URIRef(concept("target-group", "WOMEN"))}


def test_other_text_of_other_concept_fields_becomes_a_keyword(tmp_path: Path) -> None:
    record = read_one(tmp_path, CHOICES, CHOICE_HEADER, "1;Sloga;;drugo: izrada nakita;;")
    assert objects(record, SCHEMA.keywords) == {Literal("izrada nakita", lang="sr-Latn")}
    assert (record.subject, SSEKG.practice, None) not in record.graph


CONSTANTS = """\
mapping: strani
key: {column: Rb}
constants:
  country: NO
  practice: AGRI-COOP
  observedOn: 2026-02-15
  selfIdentifiesAsSE: yes
  network: Mreža Dobro selo
fields:
  - column: Naziv
    property: name
  - column: Adresa
    property: fullAddress
"""


def test_constants_are_given_to_every_record_as_written(tmp_path: Path) -> None:
    table = "Rb;Naziv;Adresa\n1;Andelslag Fjord;Storgata 1, Oslo\n2;Gårdsbutikk;Bergen\n"
    found = records(tmp_path, CONSTANTS, table)
    assert len(found) == 2
    for record in found:
        assert objects(record, SSEKG.practice) == {URIRef(concept("practice", "AGRI-COOP"))}
        assert objects(record, SSEKG.observedOn) == {Literal("2026-02-15", datatype=XSD.date)}
        assert objects(record, SSEKG.selfIdentifiesAsSE) == {Literal(True)}
        assert objects(record, ORG.memberOf) == {actor("test/mreza-dobro-selo")}
        address = URIRef(f"{record.subject}/address")
        assert set(record.graph.objects(address, SCHEMA.addressCountry)) == {Literal("NO")}
        # Norway: no Serbian municipality is looked for
        assert (record.subject, SSEKG.municipality, None) not in record.graph
        assert [p for p in record.problems if p.severity == "Violation"] == []


# --- IRIs that stay, and a failed load that changes nothing ---------------------------------

STABLE = """\
mapping: partneri
key: {column: Br.}
fields:
  - column: Naziv
    property: name
  - column: MB
    property: registrationNumber
  - column: Mesto
    property: municipality
"""
STABLE_TABLE = "Br.;Naziv;MB;Mesto\n7;Zadruga Sloga;;Čačak\n8;Zadruga Njiva;21000124;Kovačica\n"


def test_iris_come_from_the_key_or_the_mb_and_stay_on_reload(store: Store, tmp_path: Path) -> None:
    mapping = tmp_path / "partneri.yaml"
    mapping.write_text(STABLE, encoding="utf-8")
    table = tmp_path / "partneri.csv"
    table.write_text(STABLE_TABLE, encoding="utf-8")
    load_source(store, table, mapping=mapping, source_id="partneri", report_dir=tmp_path)
    first = source_graph(store, "partneri")
    assert set(first.subjects(SSEKG.registrationNumber, None)) == {actor("mb/21000124")}
    assert (actor("partneri/7"), SSEKG.name, Literal("Zadruga Sloga", lang="sr-Latn")) in first
    # the same rows in another order, in another encoding: the same graph
    lines = STABLE_TABLE.splitlines()
    table.write_bytes("\n".join([lines[0], lines[2], lines[1]]).encode("cp1250"))
    load_source(store, table, mapping=mapping, source_id="partneri", report_dir=tmp_path)
    again = source_graph(store, "partneri")

    def facts(graph: Graph) -> set[object]:  # the rows moved, so their locators did
        return {t for t in graph if t[1] != SSEKG.sourceLocator}

    assert facts(again) == facts(first)


def test_hashed_keys_stay_when_the_row_moves(tmp_path: Path) -> None:
    mapping = STABLE.replace("key: {column: Br.}", "key: {hash: [Naziv, Mesto]}")
    one = records(tmp_path, mapping, STABLE_TABLE)
    moved = records(tmp_path, mapping, STABLE_TABLE.replace("7;", "70;").replace("8;", "1;"))
    assert {r.subject for r in one} == {r.subject for r in moved}
    sloga = [r for r in one if (r.subject, SSEKG.name, None) in r.graph and not r.key.isdigit()]
    assert len(sloga) == 2


@pytest.mark.parametrize(
    ("mapping", "table", "strict"),
    [
        (STABLE.replace("registrationNumber", "registrationNo"), STABLE_TABLE, False),
        (STABLE.replace("column: Mesto", "column: Sedište"), STABLE_TABLE, False),
        (STABLE, STABLE_TABLE.replace(";Čačak", ";Palilula"), True),
        (STABLE, "Br.;Naziv;MB;Mesto\n7;Zadruga Sloga;;Palilula\n", False),
    ],
    ids=["mapping mistake", "missing column", "strict with a violation", "no valid record"],
)
def test_a_failed_load_leaves_the_store_as_it_was(
    store: Store, tmp_path: Path, mapping: str, table: str, strict: bool
) -> None:
    good_mapping = tmp_path / "good.yaml"
    good_mapping.write_text(STABLE, encoding="utf-8")
    earlier = tmp_path / "partneri.csv"
    earlier.write_text(STABLE_TABLE, encoding="utf-8")
    load_source(store, earlier, mapping=good_mapping, source_id="partneri", report_dir=tmp_path)
    before = dump(store)
    bad_mapping = tmp_path / "bad.yaml"
    bad_mapping.write_text(mapping, encoding="utf-8")
    newer = tmp_path / "newer.csv"
    newer.write_text(table, encoding="utf-8")
    with pytest.raises(InputError if not strict and "Palilula" not in table else Exception):
        load_source(
            store,
            newer,
            mapping=bad_mapping,
            source_id="partneri",
            strict=strict,
            report_dir=tmp_path,
        )
    assert dump(store) == before


def test_the_json_example_of_the_documentation_loads(store: Store, tmp_path: Path) -> None:
    section = DOC.read_text("utf-8").split("## JSON records", 1)[1]
    data = re.search(r"```json\n(.*?)```", section, re.S)
    mapping = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert data is not None and mapping is not None
    (tmp_path / "partneri.json").write_text(data.group(1), encoding="utf-8")
    (tmp_path / "partner-api.yaml").write_text(mapping.group(1), encoding="utf-8")
    result = load_source(
        store,
        tmp_path / "partneri.json",
        mapping=tmp_path / "partner-api.yaml",
        report_dir=tmp_path,
    )
    assert (result.loaded, result.quarantined) == (1, 0)
    graph = source_graph(store, "partneri")
    sloga = actor("partneri/7")
    assert set(graph.objects(sloga, SSEKG.municipality)) == {PLACE["cacak"]}
    assert set(graph.objects(sloga, SSEKG.actorType)) == {actor_type("COOP")}
    assert set(graph.objects(sloga, SSEKG.practice)) == {
        URIRef(concept("practice", "FAIR-TRADE")),
        URIRef(concept("practice", "WORK-INTEGRATION")),
    }
