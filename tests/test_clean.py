"""Cleaning source values as a user meets it: files in the encodings Serbian offices save,
CSV files with any common delimiter, names in both scripts, registry numbers, contacts and
place names written every way people write them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from ssekg.errors import ParseError
from ssekg.loaders.clean import (
    clean_email,
    clean_mb,
    clean_phone,
    clean_pib,
    clean_url,
    decode_bytes,
    match_place,
    mb_check_digit,
    name_literals,
    read_text_file,
    sniff_dialect,
    split_multi,
)
from ssekg.namespaces import PLACE

LATIN_TABLE = (
    "naziv;opština;delatnost\n"
    'Udruženje građana "Žabalj";Žabalj;šivenje, vez\n'
    "Zadruga Čačanska ljubičica;Čačak;džem, sokovi, njive\n"
    "Đački servis Šabac;Šabac;ćevapi i čorba\n"
)
CYRILLIC_TABLE = (
    "назив;општина;делатност\n"
    "Удружење грађана Жабаљ;Жабаљ;шивење, вез\n"
    "Задруга Чачанска љубичица;Чачак;џем, сокови, њиве\n"
    "Ђачки сервис Шабац;Шабац;ћевапи и чорба\n"
)


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codec", "reported"),
    [
        (LATIN_TABLE, "utf-8", "utf-8"),
        (CYRILLIC_TABLE, "utf-8", "utf-8"),
        (LATIN_TABLE, "utf-8-sig", "utf-8-sig"),
        (LATIN_TABLE, "cp1250", "cp1250"),
        (LATIN_TABLE, "iso8859_2", "iso-8859-2"),
        (CYRILLIC_TABLE, "cp1251", "cp1251"),
    ],
)
def test_a_file_reads_back_as_written_and_names_its_encoding(
    tmp_path: Path, text: str, codec: str, reported: str
) -> None:
    path = tmp_path / "akteri.csv"
    path.write_bytes(text.encode(codec))
    decoded, encoding = read_text_file(path)
    assert decoded == text
    assert encoding == reported


def test_a_byte_order_mark_does_not_reach_the_first_column_name() -> None:
    text, _ = decode_bytes(LATIN_TABLE.encode("utf-8-sig"))
    assert next(csv.reader(io.StringIO(text), delimiter=";"))[0] == "naziv"


def test_binary_data_is_a_parse_error_naming_the_file() -> None:
    with pytest.raises(ParseError) as caught:
        decode_bytes(b"PK\x03\x04\x00\x00\x00\xff\xfe", "akteri.xlsx")
    assert "akteri.xlsx" in caught.value.en
    assert "UTF-8" in caught.value.sr


def test_a_missing_file_is_an_input_error() -> None:
    with pytest.raises(Exception) as caught:
        read_text_file("/nonexistent/akteri.csv")
    assert "akteri.csv" in str(caught.value)


# --- CSV dialects ---------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
def test_the_delimiter_is_found_even_when_cells_contain_other_delimiters(delimiter: str) -> None:
    rows = [
        ["naziv", "opis", "veb"],
        ["Zadruga, Ćuprija", "med; vosak | propolis", "www.x.rs"],
        ["Udruženje „Naša kuća“", "radna integracija, obuke", "-"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    dialect = sniff_dialect(buffer.getvalue())
    assert dialect.delimiter == delimiter
    assert list(csv.reader(io.StringIO(buffer.getvalue()), dialect)) == rows


def test_an_empty_file_has_no_dialect() -> None:
    with pytest.raises(ParseError):
        sniff_dialect("  \n\n")


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "tag", "other", "other_tag"),
    [
        ("Задруга Љубичица", "sr-Cyrl", "Zadruga Ljubičica", "sr-Latn"),
        ("Zadruga Njiva", "sr-Latn", "Задруга Њива", "sr-Cyrl"),
        ("ЏУГАЊ", "sr-Cyrl", "DŽUGANJ", "sr-Latn"),
        ("UDRUŽENJE LJUBOMIR NJEGOŠ", "sr-Latn", "УДРУЖЕЊЕ ЉУБОМИР ЊЕГОШ", "sr-Cyrl"),
        ("Džemper doo", "sr-Latn", "Џемпер доо", "sr-Cyrl"),
    ],
)
def test_a_name_keeps_its_script_and_gets_the_other_one_derived(
    given: str, tag: str, other: str, other_tag: str
) -> None:
    original, derived = name_literals(given)
    assert original == Literal(given, lang=tag)
    assert derived == Literal(other, lang=other_tag)


def test_all_caps_names_are_kept_as_given() -> None:
    original, derived = name_literals("  ZADRUGA   ZLATNA RUKA ")
    assert str(original) == "ZADRUGA ZLATNA RUKA"
    assert derived is not None and str(derived) == "ЗАДРУГА ЗЛАТНА РУКА"


def test_a_single_code_point_digraph_is_read_as_two_letters() -> None:
    original, derived = name_literals("Zadruga \u01c9ubičica")  # ǉ
    assert str(original) == "Zadruga ljubičica"
    assert derived is not None and str(derived) == "Задруга љубичица"


def test_a_name_without_letters_has_no_script() -> None:
    original, derived = name_literals("4 × 4")
    assert original.language == "und"
    assert derived is None


# --- matični broj and PIB -------------------------------------------------------------------

PUBLISHED_MB = ["07350767", "07204990", "17400169", "28836627", "66841251", "62650842"]


@pytest.mark.parametrize("mb", PUBLISHED_MB)
def test_published_mbs_pass(mb: str) -> None:
    assert clean_mb(mb) == (mb, [])


def test_the_mb_worked_examples_of_the_brief() -> None:
    assert mb_check_digit("1740016") == 9
    assert mb_check_digit("0720499") == 0  # 11 - 1 = 10 gives 0
    assert mb_check_digit("2883662") == 7


@pytest.mark.parametrize("mb", ["28945197", "01234567", "06009876"])
def test_an_mb_with_a_wrong_check_digit_is_kept_with_a_warning(mb: str) -> None:
    value, problems = clean_mb(mb, column="MB")
    assert value == mb
    assert [p.severity for p in problems] == ["Warning"]
    assert problems[0].column == "MB"
    assert mb in problems[0].message_en and mb in problems[0].message_sr


def test_an_mb_that_lost_its_leading_zero_in_a_spreadsheet_gets_it_back() -> None:
    value, problems = clean_mb("7204990")
    assert value == "07204990"
    assert [p.severity for p in problems] == ["Warning"]


@pytest.mark.parametrize("given", ["MB: 17400169", "17 400 169", "17400169.0", "1740-0169"])
def test_an_mb_is_read_through_labels_spaces_and_spreadsheet_floats(given: str) -> None:
    assert clean_mb(given) == ("17400169", [])


@pytest.mark.parametrize("given", ["1234", "174001690", "nepoznat"])
def test_a_malformed_mb_is_a_violation(given: str) -> None:
    value, problems = clean_mb(given)
    assert value is None
    assert [p.severity for p in problems] == ["Violation"]
    assert problems[0].value == given


@pytest.mark.parametrize("empty", [None, "", "  ", "-", "nema"])
def test_an_empty_identifier_is_no_problem(empty: str | None) -> None:
    assert clean_mb(empty) == (None, [])
    assert clean_pib(empty) == (None, [])


@pytest.mark.parametrize("pib", ["102021423", "101017443", "100001378", "113460262"])
def test_published_pibs_pass(pib: str) -> None:
    assert clean_pib(pib) == (pib, [])
    assert clean_pib(f"PIB: {pib[:3]} {pib[3:6]} {pib[6:]}") == (pib, [])


@pytest.mark.parametrize("pib", ["123456789", "100012345", "10101744", "1010174430"])
def test_a_wrong_pib_is_a_violation(pib: str) -> None:
    value, problems = clean_pib(pib)
    assert value is None
    assert [p.severity for p in problems] == ["Violation"]


# --- web addresses, e-mails, phones ---------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "iri"),
    [
        ("www.zadruga.rs", "https://www.zadruga.rs/"),
        ("zadruga.rs/o-nama", "https://zadruga.rs/o-nama"),
        ("HTTP://WWW.Zadruga.RS/Proizvodi", "http://www.zadruga.rs/Proizvodi"),
        ("https://www.facebook.com/zadruga?ref=1", "https://www.facebook.com/zadruga?ref=1"),
        ("https:/zadruga.rs", "https://zadruga.rs/"),
        ("<www.zadruga.rs>", "https://www.zadruga.rs/"),
        ("x.at/index.php?tx_news[id]=169", "https://x.at/index.php?tx_news%5Bid%5D=169"),
    ],
)
def test_web_addresses_become_absolute_iris(given: str, iri: str) -> None:
    assert clean_url(given) == (iri, [])


@pytest.mark.parametrize("given", ["zadruga", "nemamo sajt", "ftp://x.rs/", "ime@zadruga.rs"])
def test_text_that_is_no_web_address_is_a_violation(given: str) -> None:
    value, problems = clean_url(given, column="veb")
    assert value is None
    assert [(p.severity, p.column) for p in problems] == [("Violation", "veb")]


@pytest.mark.parametrize(
    ("given", "iri"),
    [
        ("Info@Zadruga.RS", "mailto:Info@zadruga.rs"),
        ("mailto:kontakt@udruzenje.org.rs", "mailto:kontakt@udruzenje.org.rs"),
        ("kontakt (at) udruzenje.rs", "mailto:kontakt@udruzenje.rs"),
    ],
)
def test_e_mails_become_mailto_iris(given: str, iri: str) -> None:
    assert clean_email(given) == (iri, [])


@pytest.mark.parametrize("given", ["kontakt", "a@b", "a@b.rs, c@d.rs", "www.zadruga.rs"])
def test_text_that_is_not_one_e_mail_is_a_violation(given: str) -> None:
    value, problems = clean_email(given)
    assert value is None
    assert [p.severity for p in problems] == ["Violation"]


@pytest.mark.parametrize(
    ("given", "e164"),
    [
        ("011/323-4567", "+381113234567"),
        ("064 123 4567", "+381641234567"),
        ("+381 21 456 789", "+38121456789"),
        ("00381 64 123 4567", "+381641234567"),
    ],
)
def test_serbian_phone_numbers_become_e164(given: str, e164: str) -> None:
    assert clean_phone(given) == (e164, [])


def test_a_foreign_number_is_read_in_its_own_region() -> None:
    assert clean_phone("030 1234567", "DE") == ("+49301234567", [])


def test_an_extension_is_dropped_with_an_info() -> None:
    value, problems = clean_phone("011 323 4567 lok. 12")
    assert value == "+381113234567"
    assert [p.severity for p in problems] == ["Info"]


@pytest.mark.parametrize("given", ["12", "zovite nas", "064"])
def test_text_that_is_no_phone_number_is_a_violation(given: str) -> None:
    value, problems = clean_phone(given)
    assert value is None
    assert [p.severity for p in problems] == ["Violation"]


# --- multi-choice cells ---------------------------------------------------------------------


def test_choices_split_on_every_common_separator() -> None:
    assert split_multi("obrazovanje; zapošljavanje, kultura | sport\nzdravlje") == [
        "obrazovanje",
        "zapošljavanje",
        "kultura",
        "sport",
        "zdravlje",
    ]


def test_other_text_runs_to_the_end_of_the_cell() -> None:
    assert split_multi("Obrazovanje; Drugo: popravka, reciklaža; kompost") == [
        "Obrazovanje",
        "Drugo: popravka, reciklaža; kompost",
    ]
    assert split_multi("other: repair, reuse") == ["other: repair, reuse"]


def test_parentheses_and_repeats_are_respected() -> None:
    assert split_multi("Udruženje (savez, mreža), zadruga, ZADRUGA, ") == [
        "Udruženje (savez, mreža)",
        "zadruga",
    ]
    assert split_multi(None) == []


# --- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Bačka Palanka",
        "BAČKA PALANKA",
        "backa palanka",
        "Бачка Паланка",
        "Opština Bačka Palanka",
        "OPSTINA BACKA PALANKA",
        "Општина Бачка Паланка",
        "21400 Bačka Palanka",
    ],
)
def test_a_place_is_found_however_it_is_written(written: str) -> None:
    found = match_place(written)
    assert found.place == PLACE["backa-palanka"]
    assert found.problems == []


def test_city_prefixes_find_the_city() -> None:
    assert match_place("Grad Niš").place == PLACE["nis"]
    assert match_place("Град Београд").place == PLACE["beograd"]


def test_a_city_and_its_namesake_city_municipality() -> None:
    assert match_place("Vranje").place == PLACE["vranje"]
    assert match_place("Gradska opština Vranje").place == PLACE["vranje-vranje"]


@pytest.mark.parametrize(("typo", "code"), [("Novi Sda", "novi-sad"), ("Kragujevc", "kragujevac")])
def test_a_misspelt_place_is_read_with_a_warning(typo: str, code: str) -> None:
    found = match_place(typo, column="opština")
    assert found.place == PLACE[code]
    assert [(p.severity, p.column, p.value) for p in found.problems] == [
        ("Warning", "opština", typo)
    ]


def test_an_ambiguous_place_without_district_is_a_violation_naming_the_candidates() -> None:
    found = match_place("Palilula")
    assert found.place is None
    assert set(found.candidates) == {PLACE["beograd-palilula"], PLACE["nis-palilula"]}
    (problem,) = found.problems
    assert problem.severity == "Violation"
    assert "Niš" in problem.message_en and "Belgrade" in problem.message_en
    assert "Niš" in problem.message_sr and "Beograd" in problem.message_sr


@pytest.mark.parametrize("district", ["RS-20", "Nišavski okrug", str(PLACE["RS-20"])])
def test_the_district_settles_an_ambiguous_place(district: str) -> None:
    found = match_place("Палилула", district=district)
    assert found.place == PLACE["nis-palilula"]
    assert found.problems == []


def test_the_address_settles_an_ambiguous_place() -> None:
    found = match_place("Palilula", address="Takovska 12, 11000 Beograd")
    assert found.place == PLACE["beograd-palilula"]
    found = match_place("PALILULA", address="Bulevar Nemanjića 12, 18000 Niš")
    assert found.place == PLACE["nis-palilula"]


def test_a_district_that_does_not_hold_the_place_is_reported_and_ignored() -> None:
    found = match_place("Čačak", district="RS-01")
    assert found.place == PLACE["cacak"]
    assert [p.severity for p in found.problems] == ["Warning"]


def test_a_place_outside_serbia_is_not_looked_for() -> None:
    assert match_place("Palilula", country="AT") == match_place("", country="RS")
    found = match_place("Wien", country="AT")
    assert (found.place, found.candidates, found.problems) == (None, [], [])


def test_an_unknown_place_is_a_warning_and_no_place() -> None:
    found = match_place("Atlantida")
    assert found.place is None
    assert [p.severity for p in found.problems] == ["Warning"]


def test_a_place_iri_is_a_gazetteer_iri() -> None:
    found = match_place("Ниш")
    assert isinstance(found.place, URIRef)
    assert found.place == PLACE["nis"]
