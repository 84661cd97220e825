"""Tabular files through a mapping, whole loads as a user meets them: the encodings and CSV
dialects Serbian offices save, XLSX with a Serbian and an English header row, names in both
scripts, registry numbers, places however they are written, and contacts. The cleaning
functions themselves are tested in test_clean.py; here every value goes through a file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from ssekg.loaders import load_source
from ssekg.loaders.pipeline import SourceRecord
from ssekg.loaders.tabular import read_table
from ssekg.namespaces import DEFAULT_BASE, PLACE, SCHEMA, SSEKG
from ssekg.setup import initialise
from ssekg.store import open_store
from ssekg.store.base import Store

BASE = DEFAULT_BASE

MAPPING = """\
mapping: clanice
key:
  column: [Rb, No.]
constants:
  actorType: ASSOC
fields:
  - column: [Naziv, Name]
    property: name
  - column: [Matični broj, Registration number]
    property: registrationNumber
    optional: true
  - column: [PIB, Tax number]
    property: taxNumber
    optional: true
  - column: [Opština, Municipality]
    property: municipality
  - column: [Okrug, District]
    property: district
    optional: true
  - column: [Adresa, Address]
    property: fullAddress
    optional: true
  - column: [Veb, Website]
    property: website
    optional: true
  - column: [E-pošta, E-mail]
    property: email
    optional: true
  - column: [Telefon, Phone]
    property: phone
    optional: true
  - column: [Datum, Date]
    property: observedOn
    optional: true
"""

LATIN = (
    "Rb;Naziv;Opština\n"
    "1;Udruženje građana Žabalj;Žabalj\n"
    "2;Zadruga Čačanska ljubičica;Čačak\n"
    "3;Đački servis Šabac;Šabac\n"
)
CYRILLIC = (
    "Рб;Назив;Општина\n"
    "1;Удружење грађана Жабаљ;Жабаљ\n"
    "2;Задруга Чачанска љубичица;Чачак\n"
    "3;Ђачки сервис Шабац;Шабац\n"
)


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "clanice.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.fixture
def store() -> Iterator[Store]:
    target = open_store("memory", base=BASE)
    initialise(target)
    yield target
    target.close()


def read(
    tmp_path: Path, mapping_file: Path, data: bytes, name: str = "clanice.csv"
) -> tuple[list[SourceRecord], str | None]:
    path = tmp_path / name
    path.write_bytes(data)
    found, encoding = read_table(path, BASE, mapping=mapping_file, source_id="clanice")
    return list(found), encoding


def one(tmp_path: Path, mapping_file: Path, header: str, row: str) -> SourceRecord:
    (record,) = read(tmp_path, mapping_file, f"{header}\n{row}\n".encode())[0]
    return record


def names(found: list[SourceRecord]) -> list[str]:
    return [str(next(r.graph.objects(r.subject, SSEKG.name))) for r in found]


def places(found: list[SourceRecord]) -> list[URIRef]:
    return [next(r.graph.objects(r.subject, SSEKG.municipality)) for r in found]


# --- encodings and dialects ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        (LATIN, "utf-8", "utf-8"),
        (LATIN, "utf-8-sig", "utf-8-sig"),
        (CYRILLIC, "utf-8-sig", "utf-8-sig"),
        (LATIN, "cp1250", "cp1250"),
        (LATIN, "iso8859_2", "iso-8859-2"),
        (CYRILLIC, "cp1251", "cp1251"),
    ],
)
def test_every_encoding_loads_the_same_records_and_is_reported(
    store: Store, tmp_path: Path, mapping_file: Path, text: str, codec: str, reported: str
) -> None:
    path = tmp_path / "clanice.csv"
    path.write_bytes(text.encode(codec))
    result = load_source(store, path, mapping=mapping_file, report_dir=tmp_path)
    assert result.encoding == reported
    assert (result.loaded, result.quarantined) == (3, 0)
    found, _ = read(tmp_path, mapping_file, text.encode(codec))
    expected = [line.split(";")[1] for line in text.splitlines()[1:]]
    assert names(found) == expected  # the first column, after a BOM too, is the key
    assert [r.key for r in found] == ["1", "2", "3"]
    assert places(found) == [PLACE["zabalj"], PLACE["cacak"], PLACE["sabac"]]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_the_csv_dialect_is_found(tmp_path: Path, mapping_file: Path, delimiter: str) -> None:
    rows = [
        ["Rb", "Naziv", "Opština", "Adresa"],
        ["1", "Zadruga Sloga", "Čačak", "Gradsko šetalište 4, Čačak"],
        ["2", "Udruženje Izvor; Pirot", "Pirot", "Srpskih vladara 1, Pirot"],
    ]

    def cell(value: str) -> str:
        return f'"{value}"' if any(c in value for c in ";,\t") else value

    text = "\n".join(delimiter.join(cell(c) for c in row) for row in rows) + "\n"
    found, _ = read(tmp_path, mapping_file, text.encode("utf-8"))
    assert names(found) == ["Zadruga Sloga", "Udruženje Izvor; Pirot"]
    assert places(found) == [PLACE["cacak"], PLACE["pirot"]]


# --- XLSX with two header rows -------------------------------------------------------------


def workbook(path: Path, rows: list[list[object]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_a_serbian_and_an_english_header_row(
    store: Store, tmp_path: Path, mapping_file: Path
) -> None:
    path = workbook(
        tmp_path / "clanice.xlsx",
        [
            ["Rb", "Naziv", "Matični broj", "Opština", "Datum"],
            ["No.", "Name", "Registration number", "Municipality", "Date"],
            [1, "Zadruga Sloga", 21000124.0, "Čačak", datetime(2026, 2, 15)],
            [2, "Задруга Њива", "08100217", "Зрењанин", "15.02.2026."],
        ],
    )
    result = load_source(store, path, mapping=mapping_file, report_dir=tmp_path)
    assert (result.loaded, result.quarantined) == (2, 0)
    assert result.encoding is None
    found, _ = read_table(path, BASE, mapping=mapping_file, source_id="clanice")
    records = list(found)
    # the English row is a header, not a record; numbers and dates come as written
    assert [r.locator for r in records] == ["row 3", "row 4"]
    assert [r.subject for r in records] == [
        URIRef(f"{BASE}actor/mb/21000124"),
        URIRef(f"{BASE}actor/mb/08100217"),
    ]
    for record in records:
        assert set(record.graph.objects(record.subject, SSEKG.observedOn)) == {
            Literal("2026-02-15", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date"))
        }


def test_a_mapping_that_knows_only_the_english_headers_finds_them_in_the_second_row(
    tmp_path: Path,
) -> None:
    english = tmp_path / "english.yaml"
    english.write_text(
        "mapping: english\nheader-rows: 2\nkey: {column: No.}\nfields:\n"
        "  - column: Name\n    property: name\n  - column: Municipality\n"
        "    property: municipality\n",
        encoding="utf-8",
    )
    path = workbook(
        tmp_path / "members.xlsx",
        [["Rb", "Naziv", "Opština"], ["No.", "Name", "Municipality"], [1, "Sloga", "Pirot"]],
    )
    found, _ = read_table(path, BASE, mapping=english, source_id="members")
    (record,) = list(found)
    assert record.subject == URIRef(f"{BASE}actor/members/1")
    assert (record.subject, SSEKG.municipality, PLACE["pirot"]) in record.graph


# --- scripts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "given", "derived"),
    [
        ("Zadruga Ljubičica", "sr-Latn", ("Задруга Љубичица", "sr-Cyrl")),
        ("Задруга Љубичица", "sr-Cyrl", ("Zadruga Ljubičica", "sr-Latn")),
        ("Udruženje Njegoš i Džervin", "sr-Latn", ("Удружење Његош и Џервин", "sr-Cyrl")),
        ("ЏУГАЊ", "sr-Cyrl", ("DŽUGANJ", "sr-Latn")),
        ("DŽUGANJ LJUBOVIJA", "sr-Latn", ("ЏУГАЊ ЉУБОВИЈА", "sr-Cyrl")),
        ("  Zadruga   SLOGA ", "sr-Latn", ("Задруга СЛОГА", "sr-Cyrl")),
    ],
)
def test_a_name_is_kept_as_given_and_the_other_script_derived(
    tmp_path: Path, mapping_file: Path, written: str, given: str, derived: tuple[str, str]
) -> None:
    record = one(tmp_path, mapping_file, "Rb;Naziv;Opština", f"1;{written};Pirot")
    assert set(record.graph.objects(record.subject, SSEKG.name)) == {
        Literal(" ".join(written.split()), lang=given)
    }
    assert set(record.graph.objects(record.subject, SSEKG.transliteratedName)) == {
        Literal(derived[0], lang=derived[1])
    }


# --- identifiers -----------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["21000124", "21.000.124", "21 000 124", "MB: 21000124"])
def test_an_mb_is_normalised_and_mints_the_iri(
    tmp_path: Path, mapping_file: Path, written: str
) -> None:
    record = one(tmp_path, mapping_file, "Rb;Naziv;Matični broj;Opština", f"1;S;{written};Pirot")
    assert record.subject == URIRef(f"{BASE}actor/mb/21000124")
    assert set(record.graph.objects(record.subject, SSEKG.registrationNumber)) == {
        Literal("21000124")
    }
    assert not [p for p in record.problems if p.severity != "Info"]


def test_an_mb_that_lost_its_leading_zero_gets_it_back_with_a_warning(
    tmp_path: Path, mapping_file: Path
) -> None:
    record = one(tmp_path, mapping_file, "Rb;Naziv;Matični broj;Opština", "1;S;8100217;Pirot")
    assert record.subject == URIRef(f"{BASE}actor/mb/08100217")
    assert [p.severity for p in record.problems] == ["Warning"]


def test_a_wrong_pib_sets_the_record_aside_naming_the_column(
    store: Store, tmp_path: Path, mapping_file: Path
) -> None:
    path = tmp_path / "clanice.csv"
    path.write_text(
        "Rb;Naziv;PIB;Opština\n1;Sloga;112 000 013;Pirot\n2;Izvor;123456789;Pirot\n",
        encoding="utf-8",
    )
    result = load_source(store, path, mapping=mapping_file, report_dir=tmp_path)
    assert (result.loaded, result.quarantined) == (1, 1)
    (entry,) = result.quarantine
    assert (entry.locator, entry.column, entry.value) == ("row 3", "PIB", "123456789")
    rows = store.query("SELECT ?pib WHERE { ?a ssekg:taxNumber ?pib }").rows
    assert [str(r["pib"]) for r in rows] == ["112000013"]


# --- places ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "place"),
    [
        ("Čačak", "cacak"),
        ("ČAČAK", "cacak"),
        ("cacak", "cacak"),
        ("Чачак", "cacak"),
        ("Grad Čačak", "cacak"),
        ("Opština Kovačica", "kovacica"),
        ("opstina kovacica", "kovacica"),
        ("ОПШТИНА КОВАЧИЦА", "kovacica"),
        ("Bačka Palanka", "backa-palanka"),
    ],
)
def test_a_place_is_matched_however_it_is_written(
    tmp_path: Path, mapping_file: Path, written: str, place: str
) -> None:
    record = one(tmp_path, mapping_file, "Rb;Naziv;Opština", f"1;Sloga;{written}")
    assert set(record.graph.objects(record.subject, SSEKG.municipality)) == {PLACE[place]}
    assert record.problems == []


def test_a_misspelt_place_is_read_with_a_warning(tmp_path: Path, mapping_file: Path) -> None:
    record = one(tmp_path, mapping_file, "Rb;Naziv;Opština", "1;Sloga;Novi Sda")
    assert set(record.graph.objects(record.subject, SSEKG.municipality)) == {PLACE["novi-sad"]}
    (warning,) = record.problems
    assert (warning.severity, warning.column, warning.value) == ("Warning", "Opština", "Novi Sda")


@pytest.mark.parametrize(
    ("district", "address", "place"),
    [
        ("Nišavski", "", "nis-palilula"),
        ("Нишавски округ", "", "nis-palilula"),
        ("Grad Beograd", "", "beograd-palilula"),
        ("", "Vizantijski bulevar 8, 18000 Niš", "nis-palilula"),
    ],
)
def test_an_ambiguous_place_is_settled_by_the_district_or_the_address(
    tmp_path: Path, mapping_file: Path, district: str, address: str, place: str
) -> None:
    record = one(
        tmp_path,
        mapping_file,
        "Rb;Naziv;Opština;Okrug;Adresa",
        f"1;Sloga;Palilula;{district};{address}",
    )
    assert set(record.graph.objects(record.subject, SSEKG.municipality)) == {PLACE[place]}


def test_an_ambiguous_place_alone_is_set_aside_with_its_candidates(
    store: Store, tmp_path: Path, mapping_file: Path
) -> None:
    path = tmp_path / "clanice.csv"
    path.write_text("Rb;Naziv;Opština\n1;Sloga;Pirot\n2;Izvor;Opština Palilula\n", "utf-8")
    result = load_source(store, path, mapping=mapping_file, report_dir=tmp_path)
    assert (result.loaded, result.quarantined) == (1, 1)
    (entry,) = result.quarantine
    assert (entry.locator, entry.column) == ("row 3", "Opština")
    assert "Palilula (Belgrade)" in entry.message_en and "Palilula (Niš)" in entry.message_en
    assert "Palilula (Beograd)" in entry.message_sr
    assert (tmp_path / "clanice.quarantine.csv").is_file()


# --- web, e-mail, phone ----------------------------------------------------------------------


def test_web_addresses_e_mails_and_phones_are_normalised(
    tmp_path: Path, mapping_file: Path
) -> None:
    record = one(
        tmp_path,
        mapping_file,
        "Rb;Naziv;Opština;Veb;E-pošta;Telefon",
        "1;Sloga;Pirot;www.sloga.rs, facebook.com/zadrugasloga;"
        'Info@Sloga.RS;"011/323-4567; +381 64 123 45 67"',
    )
    graph, subject = record.graph, record.subject
    assert set(graph.objects(subject, SCHEMA.url)) == {URIRef("https://www.sloga.rs/")}
    assert set(graph.objects(subject, SSEKG.socialAccount)) == {
        URIRef("https://facebook.com/zadrugasloga")
    }
    point = URIRef(f"{subject}/contact/1")
    assert set(graph.objects(point, SCHEMA.email)) == {URIRef("mailto:Info@sloga.rs")}
    assert set(graph.objects(point, SCHEMA.telephone)) == {
        Literal("+381113234567"),
        Literal("+381641234567"),
    }
    assert record.problems == []


def test_a_contact_that_cannot_be_read_is_a_warning_and_the_actor_is_kept(
    tmp_path: Path, mapping_file: Path
) -> None:
    record = one(
        tmp_path,
        mapping_file,
        "Rb;Naziv;Opština;E-pošta;Telefon",
        "1;Sloga;Pirot;sloga at gmail;nema",
    )
    assert record.subject is not None
    assert (record.subject, SCHEMA.contactPoint, None) not in record.graph
    assert [(p.severity, p.column) for p in record.problems] == [("Warning", "E-pošta")]
