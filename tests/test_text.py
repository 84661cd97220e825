"""Serbian in both scripts: detection, transliteration both ways and the matching key."""

from __future__ import annotations

import pytest

from ssekg.text import detect_script, fold, other_script, slug, to_cyrillic, to_latin


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Zadruga Elektropionir", "sr-Latn"),
        ("Задруга Електропионир", "sr-Cyrl"),
        ("Udruženje „Наша кућа“ Beograd", "sr-Latn"),
        ("12345 / 2022", None),
        ("", None),
    ],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Ђорђе", "Đorđe"),
        ("Љубомир", "Ljubomir"),
        ("ЉУБОМИР", "LJUBOMIR"),
        ("ЏУГАЊ", "DŽUGANJ"),
        ("ЊЕГОШ", "NJEGOŠ"),
        ("Њ", "Nj"),
        ("ЗАДРУГА Џем", "ZADRUGA Džem"),
        ("Бачка Паланка", "Bačka Palanka"),
    ],
)
def test_to_latin(cyrillic: str, latin: str) -> None:
    assert to_latin(cyrillic) == latin


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Ljubomir", "Љубомир"),
        ("LJUBOMIR", "ЉУБОМИР"),
        ("NJEGOŠ", "ЊЕГОШ"),
        ("DŽEMPER", "ЏЕМПЕР"),
        ("Gadžin Han", "Гаџин Хан"),
        ("nadživeti", "надживети"),
        ("podžupan", "поджупан"),
        ("odžaliti", "оджалити"),
        ("injekcija", "инјекција"),
        ("INJEKCIJA", "ИНЈЕКЦИЈА"),
        ("konjunktura", "конјунктура"),
        ("vanjezički", "ванјезички"),
        ("\u01c9ubav", "љубав"),  # the single code point ǉ
        ("Wi-Fi zona", "Wi-Fi зона"),
        ("Piši na info@korse.rs ili www.korse.rs", "Пиши на info@korse.rs или www.korse.rs"),
        ("https://solidarnaekonomija.rs/ mapa", "https://solidarnaekonomija.rs/ мапа"),
    ],
)
def test_to_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def test_round_trip_of_a_cyrillic_name() -> None:
    name = "Удружење грађана Књажевац"
    assert to_cyrillic(to_latin(name)) == name


def test_other_script_gives_the_tag_of_the_result() -> None:
    assert other_script("Ниш") == ("Niš", "sr-Latn")
    assert other_script("Novi Sad") == ("Нови Сад", "sr-Cyrl")
    assert other_script("2022") is None
    assert other_script("www.korse.rs") is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Đakovica", "djakovica"),
        ("Ђаковица", "djakovica"),
        ("  Opština   Bačka Palanka, ", "opstina backa palanka"),
        ("ОПШТИНА БАЧКА ПАЛАНКА", "opstina backa palanka"),
        ("Kosovsko-Mitrovački okrug", "kosovsko mitrovacki okrug"),
        ("\u01c6ep", "dzep"),
    ],
)
def test_fold(text: str, key: str) -> None:
    assert fold(text) == key


def test_fold_makes_both_scripts_meet() -> None:
    assert fold("Гаџин Хан") == fold("Gadžin Han") == fold("GADZIN HAN")


def test_slug_is_the_place_code_form() -> None:
    assert slug("Bačka Palanka") == "backa-palanka"
    assert slug("Niš") == "nis"
