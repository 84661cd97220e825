"""Cleaning what sources give: text encodings and CSV dialects, names in two scripts,
registry numbers (MB, PIB), web addresses, e-mails, phone numbers, multi-choice cells and
place names matched to the gazetteer.

Each cleaner returns the value it could make of its input (or None) and the problems it
found, so that a loader can keep a record, flag it, or quarantine it; nothing here drops a
record on its own."""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import phonenumbers
from charset_normalizer import from_bytes
from rapidfuzz import fuzz, process
from rdflib import RDF, URIRef
from rdflib.namespace import RDFS, SKOS
from rdflib.term import Literal
from stdnum.rs import pib as stdnum_pib

from ssekg.errors import InputError, ParseError
from ssekg.namespaces import SSEKG
from ssekg.places import Gazetteer, gazetteer
from ssekg.text import CYRILLIC, LATIN, detect_script, fold, other_script

# --- problems -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One finding about one record: what is wrong, in English and Serbian (Latin), and
    where (the column, JSON path or property) with the value as it was given."""

    severity: str  # "Violation" | "Warning" | "Info"
    message_en: str
    message_sr: str
    column: str | None = None
    value: str | None = None


def _violation(en: str, sr: str, value: object = None) -> Problem:
    return Problem("Violation", en, sr, None, None if value is None else str(value))


def _warning(en: str, sr: str, value: object = None) -> Problem:
    return Problem("Warning", en, sr, None, None if value is None else str(value))


def _info(en: str, sr: str, value: object = None) -> Problem:
    return Problem("Info", en, sr, None, None if value is None else str(value))


#: Cell values that mean "nothing here" rather than a value to check.
_PLACEHOLDERS = frozenset(
    {"", "-", "--", "/", "n/a", "na", "nema", "нема", "none", "null", "nan", "x", "?", "/ /"}
)


def _located(
    result: tuple[str | None, list[Problem]], column: str | None
) -> tuple[str | None, list[Problem]]:
    value, problems = result
    if column is None:
        return value, problems
    return value, [replace(p, column=p.column or column) for p in problems]


def _blank(text: object) -> str | None:
    """The text stripped, or None when it is empty or a placeholder such as "-" or "nema"."""
    if text is None:
        return None
    tidy = " ".join(str(text).split())
    return None if tidy.lower() in _PLACEHOLDERS else tidy


# --- encodings and dialects -----------------------------------------------------------------

#: The encodings Serbian files come in besides UTF-8, in charset-normalizer's names.
_SERBIAN_ENCODINGS = ["cp1250", "cp1251", "iso8859_2"]
_ENCODING_NAMES = {"iso8859_2": "iso-8859-2", "utf_8": "utf-8", "ascii": "utf-8"}


def decode_bytes(data: bytes, path: object = None) -> tuple[str, str]:
    """The text of a file's bytes and the name of its encoding: UTF-8 (``"utf-8-sig"`` with a
    byte-order mark), else the best of cp1250, cp1251 and ISO-8859-2 by charset-normalizer.
    ParseError when the bytes are not text in any of them."""
    where = f"{path}: " if path is not None else ""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" not in data:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
        decoded = _best_serbian_decoding(data)
        if decoded is not None:
            return decoded
    raise ParseError(
        f"{where}the file is not text in UTF-8, Windows-1250, Windows-1251 or ISO-8859-2; "
        "save it as UTF-8 text (CSV) and load it again.",
        f"{where}datoteka nije tekst u kodnom rasporedu UTF-8, Windows-1250, Windows-1251 ni "
        "ISO-8859-2; sačuvajte je kao UTF-8 tekst (CSV) i ponovo je učitajte.",
    )


_SERBIAN_LETTERS = frozenset(
    "čćđšžČĆĐŠŽабвгдђежзијклљмнњопрстћуфхцчџшАБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ"
)
_PUNCTUATION = frozenset("„“”‘’‚–—…€«»°§©®·×\u00a0")
_WORD = re.compile(r"[^\W\d_]+")


def _serbian_score(text: str) -> int:
    """How Serbian a decoding reads: letters of the two Serbian alphabets count for it,
    other non-ASCII characters and words mixing Latin with Cyrillic against it."""
    score = 0
    for ch in text:
        if ch.isascii() or ch in _PUNCTUATION:
            continue
        score += 1 if ch in _SERBIAN_LETTERS else -3
    for word in _WORD.findall(text):
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        if cyrillic and cyrillic < len(word):
            score -= 3 * len(word)
    return score


def _best_serbian_decoding(data: bytes) -> tuple[str, str] | None:
    """The decoding of non-UTF-8 bytes that reads best as Serbian. charset-normalizer
    proposes the candidates, but it cannot tell Windows-1250 from ISO-8859-2 on Serbian text
    (both decode to plausible Central European letters), so its candidates, and the three
    Serbian code pages, are ranked by how Serbian their letters are; its own order breaks
    ties (and decides for text that is not Serbian)."""
    matches = from_bytes(data, cp_isolation=_SERBIAN_ENCODINGS)
    names = [m.encoding for m in matches]
    names += [n for n in _SERBIAN_ENCODINGS if n not in names]
    ranked: list[tuple[int, int, str, str]] = []
    for order, name in enumerate(names):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        ranked.append((_serbian_score(text), -order, text, name))
    if not ranked:
        fallback = from_bytes(data).best()
        if fallback is None:
            return None
        ranked.append((0, 0, str(fallback), fallback.encoding))
    _, _, text, name = max(ranked)
    return text, _ENCODING_NAMES.get(name, name.replace("_", "-"))


def read_text_file(path: Path | str) -> tuple[str, str]:
    """The text of a file and its encoding (see :func:`decode_bytes`)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(
            f"cannot read {path}: {error.strerror}; check the path.",
            f"ne mogu da pročitam {path}: {error.strerror}; proverite putanju.",
        ) from None
    return decode_bytes(data, path)


_DELIMITERS = (";", ",", "\t", "|")


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def _dialect(delimiter: str) -> type[csv.Dialect]:
    return type("SniffedDialect", (_Dialect,), {"delimiter": delimiter})


def sniff_dialect(text: str) -> csv.Dialect:
    """The CSV dialect of a text: the delimiter among ``; , TAB |`` that splits the first
    lines into the same number of fields (more than one), the most fields winning a tie.
    Quoted fields may hold delimiters and line breaks."""
    sample = text[:65536]
    if not sample.strip():
        raise ParseError(
            "the file is empty; give a CSV file with a header line.",
            "datoteka je prazna; navedite CSV datoteku sa redom zaglavlja.",
        )
    best: tuple[int, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(_DELIMITERS):
        rows = []
        reader = csv.reader(sample.splitlines(keepends=True)[:50], delimiter=delimiter)
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    rows.append(len(row))
        except csv.Error:
            continue
        if not rows or rows[0] < 2:
            continue
        header = rows[0]
        # complete lines only: the last one of the sample may be cut
        body = rows[1:-1] if len(text) > len(sample) else rows[1:]
        consistent = sum(1 for n in body if n == header)
        score = (consistent, header, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return _dialect(chosen)()


# --- names ----------------------------------------------------------------------------------


def name_literals(name: str) -> tuple[Literal, Literal | None]:
    """The name as given (whitespace tidied, NFKC so that ǉ is lj), tagged ``sr-Cyrl`` or
    ``sr-Latn`` by its script, and the name in the other script, derived, or None when that
    cannot be made (no Serbian letters, or nothing to transliterate). ALL-CAPS names stay
    ALL-CAPS in both scripts (ЏУГАЊ, DŽUGANJ)."""
    tidy = " ".join(unicodedata.normalize("NFKC", name).split())
    script = detect_script(tidy)
    if script is None:
        return Literal(tidy, lang="und"), None
    given = Literal(tidy, lang=script)
    other = other_script(tidy)
    if other is None:
        return given, None
    text, tag = other
    assert tag in (CYRILLIC, LATIN)
    return given, Literal(text, lang=tag)


# --- registry numbers -----------------------------------------------------------------------

_MB_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)


def mb_check_digit(first7: str) -> int:
    """The check digit of a matični broj from its first seven digits: weights 2,7,6,5,4,3,2,
    11 - (sum mod 11), with 10 and 11 giving 0 (inferred from published numbers)."""
    total = sum(int(d) * w for d, w in zip(first7, _MB_WEIGHTS, strict=True))
    check = 11 - total % 11
    return 0 if check >= 10 else check


def _digits(text: object, label: str) -> tuple[str, str] | None:
    """The digits of an identifier cell and the cell as given; a spreadsheet's "17400169.0"
    and labels such as "MB:" are tolerated, spaces, dots and dashes between digits too."""
    tidy = _blank(text)
    if tidy is None:
        return None
    value = re.sub(r"\.0+$", "", tidy)
    value = re.sub(rf"^\s*{label}\s*[:.]?\s*", "", value, flags=re.IGNORECASE)
    return re.sub(r"[\s.\-/]", "", value), tidy


def _clean_mb(text: object) -> tuple[str | None, list[Problem]]:
    found = _digits(text, "(mb|mat\\.? ?br\\.?|matični broj|матични број)")
    if found is None:
        return None, []
    digits, given = found
    problems: list[Problem] = []
    if digits.isdigit() and len(digits) == 7:
        digits = "0" + digits
        problems.append(
            _warning(
                f"the matični broj {given!r} has 7 digits; read as {digits} (a leading zero "
                "lost in a spreadsheet).",
                f"matični broj {given!r} ima 7 cifara; pročitan je kao {digits} (vodeća nula "
                "izgubljena u tabeli).",
                given,
            )
        )
    if not (digits.isdigit() and len(digits) == 8):
        return None, [
            _violation(
                f"{given!r} is not a matični broj (MB): it must be 8 digits, e.g. 17400169.",
                f"{given!r} nije matični broj (MB): mora imati 8 cifara, npr. 17400169.",
                given,
            )
        ]
    if mb_check_digit(digits[:7]) != int(digits[7]):
        problems.append(
            _warning(
                f"the check digit of the matični broj {digits} does not match; the number may "
                "be mistyped.",
                f"kontrolna cifra matičnog broja {digits} se ne slaže; broj je možda pogrešno "
                "upisan.",
                given,
            )
        )
    return digits, problems


def _clean_pib(text: object) -> tuple[str | None, list[Problem]]:
    found = _digits(text, "(pib|пиб)")
    if found is None:
        return None, []
    digits, given = found
    if not (digits.isdigit() and len(digits) == 9):
        return None, [
            _violation(
                f"{given!r} is not a PIB: it must be 9 digits, e.g. 101017443.",
                f"{given!r} nije PIB: mora imati 9 cifara, npr. 101017443.",
                given,
            )
        ]
    if not stdnum_pib.is_valid(digits):
        return None, [
            _violation(
                f"the PIB {digits} fails its check digit; it is not a valid tax number, check "
                "it in the register.",
                f"PIB {digits} ne prolazi kontrolu kontrolne cifre; nije ispravan poreski broj, "
                "proverite ga u registru.",
                given,
            )
        ]
    return digits, []


# --- web addresses, e-mails, phones ---------------------------------------------------------

_HOST = re.compile(r"^(?=.{1,253}$)([^\W_]([\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}$")
_IRI_FORBIDDEN = re.compile(r'[\s<>"]')
#: Characters a web address may carry in its path or query that an IRI may not (PHP-style
#: "tx_news[id]=1"): they are percent-encoded, as browsers do.
_IRI_ESCAPE = re.compile(r"[\[\]{}|\\^`]")


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group(0).encode("utf-8"))


def _clean_url(text: object) -> tuple[str | None, list[Problem]]:
    tidy = _blank(text)
    if tidy is None:
        return None, []
    candidate = tidy.strip("\"' ,;")
    for opening, closing in ("<>", "()", "[]"):
        if candidate.startswith(opening) and candidate.endswith(closing):
            candidate = candidate[1:-1].strip()
    if re.match(r"^https?:/?/?", candidate, re.IGNORECASE) is None and "://" not in candidate:
        candidate = "https://" + candidate.lstrip("/")
    candidate = re.sub(r"^(https?):/*", r"\1://", candidate, flags=re.IGNORECASE)
    parts = urlsplit(candidate)
    host = (parts.hostname or "").rstrip(".")
    if (
        parts.scheme.lower() not in ("http", "https")
        or not _HOST.match(host)
        or "@" in parts.netloc
        or _IRI_FORBIDDEN.search(candidate)
    ):
        return None, [
            _violation(
                f"{tidy!r} is not a web address; write it like www.example.rs.",
                f"{tidy!r} nije veb-adresa; napišite je kao www.primer.rs.",
                tidy,
            )
        ]
    netloc = host.lower() + (f":{parts.port}" if parts.port else "")
    path = _IRI_ESCAPE.sub(_percent, parts.path or "/")
    query = _IRI_ESCAPE.sub(_percent, parts.query)
    iri = urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
    return iri, []


_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@([^@\s<>(),;:\"\[\]]+\.[^\W\d_]{2,63})$")


def _clean_email(text: object) -> tuple[str | None, list[Problem]]:
    tidy = _blank(text)
    if tidy is None:
        return None, []
    candidate = re.sub(r"^mailto:", "", tidy, flags=re.IGNORECASE).strip("<>.,;")
    candidate = re.sub(r"\s*[\(\[]\s*(at|et)\s*[\)\]]\s*", "@", candidate, flags=re.IGNORECASE)
    match = _EMAIL.match(candidate)
    if match is None:
        return None, [
            _violation(
                f"{tidy!r} is not an e-mail address; write one address like ime@primer.rs.",
                f"{tidy!r} nije adresa e-pošte; napišite jednu adresu kao ime@primer.rs.",
                tidy,
            )
        ]
    local = candidate[: match.start(1) - 1]
    return f"mailto:{local}@{match.group(1).lower()}", []


_EXTENSION = re.compile(
    r"\s*(?:lok(?:al)?\.?|ext\.?|extension|int\.?|kuć\.?)\s*(\d{1,6})\s*$", re.I
)


def _clean_phone(text: object, region: str) -> tuple[str | None, list[Problem]]:
    tidy = _blank(text)
    if tidy is None:
        return None, []
    problems: list[Problem] = []
    number_text = tidy
    extension = _EXTENSION.search(number_text)
    if extension is not None:
        number_text = number_text[: extension.start()]
        problems.append(
            _info(
                f"the extension {extension.group(1)} of {tidy!r} is not kept (E.164 has none).",
                f"lokal {extension.group(1)} broja {tidy!r} nije sačuvan (E.164 ga nema).",
                tidy,
            )
        )
    try:
        number = phonenumbers.parse(number_text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        return None, [
            _violation(
                f"{tidy!r} is not a phone number; write it like +381 11 123 4567 or 011 123 4567.",
                f"{tidy!r} nije broj telefona; napišite ga kao +381 11 123 4567 ili 011 123 4567.",
                tidy,
            )
        ]
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        problems.append(
            _warning(
                f"the phone number {tidy!r} ({e164}) is not in use in its numbering plan; "
                "check it.",
                f"broj telefona {tidy!r} ({e164}) ne postoji u planu numeracije; proverite ga.",
                tidy,
            )
        )
    return e164, problems


def clean_mb(text: object, *, column: str | None = None) -> tuple[str | None, list[Problem]]:
    """A matični broj (MB) as 8 digits. A number that lost its leading zero in a
    spreadsheet (7 digits) gets it back, with a Warning; a failed check digit is a Warning
    (the rule is inferred, and a few published numbers fail it); anything else is a
    Violation. ``column`` is recorded on the problems."""
    return _located(_clean_mb(text), column)


def clean_pib(text: object, *, column: str | None = None) -> tuple[str | None, list[Problem]]:
    """A PIB as 9 digits with a valid ISO 7064 MOD 11,10 check digit (python-stdnum);
    otherwise None and a Violation."""
    return _located(_clean_pib(text), column)


def clean_url(text: object, *, column: str | None = None) -> tuple[str | None, list[Problem]]:
    """A web address as an absolute http(s) IRI: ``www.x.rs`` becomes ``https://www.x.rs/``,
    the host in lower case. None and a Violation when the text is not a web address; None
    and no problem for an empty cell or a placeholder ("-", "nema")."""
    return _located(_clean_url(text), column)


def clean_email(text: object, *, column: str | None = None) -> tuple[str | None, list[Problem]]:
    """An e-mail address as a ``mailto:`` IRI, the domain in lower case; "ime (at) x.rs" is
    read as "ime@x.rs". None and a Violation when the text is not one address."""
    return _located(_clean_email(text), column)


def clean_phone(
    text: object, region: str = "RS", *, column: str | None = None
) -> tuple[str | None, list[Problem]]:
    """A phone number in E.164 (``+381113234567``), national numbers read in ``region``. A
    number that is possible but not assigned in the numbering plan is kept with a Warning;
    an extension ("lok. 12") is dropped with an Info; None and a Violation when the text is
    no phone number."""
    return _located(_clean_phone(text, region), column)


# --- multi-choice cells ---------------------------------------------------------------------

_OTHER = re.compile(
    r"^(other|others|drugo|ostalo|nešto drugo|nesto drugo|друго|остало)\s*[:\-–]", re.I
)


def split_multi(cell: object) -> list[str]:
    """The choices of a multi-choice cell: split on ``;``, ``,``, ``|`` and line breaks,
    not inside parentheses, each choice once. A choice that starts with "other:" ("drugo:",
    "ostalo:", "друго:") runs to the end of the cell, commas and all."""
    if cell is None:
        return []
    text = str(cell)
    items: list[str] = []
    current: list[str] = []
    depth = 0
    rest_is_other = False
    for ch in text:
        if not rest_is_other and depth == 0 and ch in ";,|\n\r":
            items.append("".join(current))
            current = []
            continue
        current.append(ch)
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        # "other:" can only start to match when its separator comes
        if not rest_is_other and ch in ":-–" and _OTHER.match("".join(current).strip()):
            rest_is_other = True
    items.append("".join(current))
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        tidy = " ".join(item.split())
        if tidy and tidy.lower() not in seen:
            seen.add(tidy.lower())
            result.append(tidy)
    return result


# --- places ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceMatch:
    """The gazetteer place a name was matched to, the candidates when it stayed ambiguous,
    and what was doubtful on the way."""

    place: URIRef | None
    candidates: list[URIRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


_SERBIA = frozenset({"rs", "srb", "serbia", "srbija", "republika srbija", "republic of serbia"})
_LOCAL_CLASSES = (SSEKG.City, SSEKG.Municipality, SSEKG.CityMunicipality)
_PLACE_PREFIXES = ("gradska opstina ", "opstina ", "grad ")
_FUZZY_CUTOFF = 85.0


def _is_serbia(country: str | None) -> bool:
    return country is None or not country.strip() or fold(country) in _SERBIA


@lru_cache(maxsize=4)
def _place_keys(places: Gazetteer) -> dict[str, frozenset[str]]:
    """Folded names of the local places (with and without their prefix) → place IRIs."""
    keys: dict[str, set[str]] = {}
    graph = places.graph
    for cls in _LOCAL_CLASSES:
        for place in graph.subjects(RDF.type, cls):
            for prop in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
                for label in graph.objects(place, prop):
                    key = fold(str(label))
                    keys.setdefault(key, set()).add(str(place))
                    for prefix in _PLACE_PREFIXES:
                        if key.startswith(prefix):
                            keys.setdefault(key[len(prefix) :], set()).add(str(place))
    return {k: frozenset(v) for k, v in keys.items()}


def _bare_key(name: str) -> str:
    """The folded name without postcode, country, or the words "opština"/"grad"."""
    key = fold(name)
    key = re.sub(r"\b\d{5}\b", " ", key)
    key = re.sub(r"\b(republika srbija|srbija|serbia|rs)\s*$", " ", key)
    key = " ".join(key.split())
    for prefix in _PLACE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            return key[len(prefix) :]
    return key


def _reduce(places: Gazetteer, found: Iterable[str]) -> list[str]:
    """Candidates that remain different places: a city municipality that lies in another
    candidate (Vranje the city municipality, in Vranje the city) gives way to it."""
    found = sorted(set(found))
    kept = [p for p in found if not any(o in places.ancestors(p) for o in found if o != p)]
    return kept


def _describe(places: Gazetteer, place: str, lang: str) -> str:
    label = places.label(place, lang) or places.label(place) or place
    parents = places.ancestors(place)
    parent = parents[0] if parents else None
    if parent is not None:
        parent_label = places.label(parent, lang) or places.label(parent) or parent
        return f"{label} ({parent_label})"
    return label


def _in_address(places: Gazetteer, candidates: list[str], address: str) -> list[str]:
    """Candidates whose city or district (or own name with its parent) the address names."""
    text = f" {fold(address)} "
    chosen = []
    for place in candidates:
        for parent in places.ancestors(place)[:2]:
            labels = [str(o) for o in places.graph.objects(URIRef(parent), SKOS.prefLabel)]
            labels += [str(o) for o in places.graph.objects(URIRef(parent), SKOS.altLabel)]
            if any(f" {_bare_key(label)} " in text for label in labels if label):
                chosen.append(place)
                break
    return chosen


def match_place(
    name: object,
    *,
    district: str | None = None,
    address: str | None = None,
    country: str | None = "RS",
    column: str | None = None,
) -> PlaceMatch:
    """The municipality, city or city municipality a name means: either script, any case,
    with or without diacritics or an "Opština" / "Grad" / "Gradska opština" prefix; a
    misspelt name is matched to the nearest one (rapidfuzz) with a Warning. A name several
    places share is settled by ``district`` (ISO code, IRI or name) or by the ``address``,
    else it is a Violation naming the candidates. A name the gazetteer lacks is a Warning;
    outside Serbia (``country`` not RS) no place is looked for."""
    found = _match_place(name, district, address, country)
    if column is None:
        return found
    located = [replace(p, column=p.column or column) for p in found.problems]
    return PlaceMatch(found.place, found.candidates, located)


def _match_place(
    name: object, district: str | None, address: str | None, country: str | None
) -> PlaceMatch:
    if not _is_serbia(country):
        return PlaceMatch(None, [], [])
    given = _blank(name)
    if given is None:
        return PlaceMatch(None, [], [])
    places = gazetteer()
    found, fuzzy_from, first_problems = _place_candidates(places, given, district)
    problems = list(first_problems)
    candidates = list(found)
    if len(candidates) > 1 and address:
        chosen = _in_address(places, candidates, address)
        if len(chosen) == 1:
            candidates = chosen
    if not candidates:
        problems.append(
            _warning(
                f"{given!r} is not a municipality or city of Serbia in the gazetteer; the place "
                "was left out. Write the municipality's name, e.g. Novi Sad or Palilula.",
                f"{given!r} nije opština ni grad Srbije u spisku mesta; mesto je izostavljeno. "
                "Napišite naziv opštine, npr. Novi Sad ili Palilula.",
                given,
            )
        )
        return PlaceMatch(None, [], problems)
    if len(candidates) > 1:
        iris = [URIRef(c) for c in candidates]
        en = "; ".join(_describe(places, c, "en") for c in candidates)
        sr = "; ".join(_describe(places, c, "sr-Latn") for c in candidates)
        problems.append(
            _violation(
                f"{given!r} can mean several places ({en}); give the district or the full address.",
                f"{given!r} može biti više mesta ({sr}); navedite okrug ili punu adresu.",
                given,
            )
        )
        return PlaceMatch(None, iris, problems)
    place = candidates[0]
    if fuzzy_from is not None:
        label = places.label(place) or place
        problems.append(
            _warning(
                f"the place {fuzzy_from!r} is not in the gazetteer as written; read as {label}.",
                f"mesto {fuzzy_from!r} nije u spisku mesta tako napisano; pročitano je kao "
                f"{label}.",
                fuzzy_from,
            )
        )
    return PlaceMatch(URIRef(place), [], problems)


@lru_cache(maxsize=8192)
def _place_candidates(
    places: Gazetteer, given: str, district: str | None
) -> tuple[tuple[str, ...], str | None, tuple[Problem, ...]]:
    """The places a name can mean (within ``district`` when it has any of them), the name
    when it was matched as a misspelling, and the problems so far: all that does not depend
    on the address, worked out once per name (survey answers repeat the same towns)."""
    problems: list[Problem] = []
    found = set(places.find(given)) or set(places.find(_bare_key(given)))
    fuzzy_from: str | None = None
    key = _bare_key(given)
    if not found and len(key) >= 4:
        keys = _place_keys(places)
        hits = process.extract(key, list(keys), scorer=fuzz.ratio, limit=5)
        hits = [h for h in hits if h[1] >= _FUZZY_CUTOFF]
        if hits:
            top = max(h[1] for h in hits)
            for hit_key, score, _ in hits:
                if score == top:
                    found |= keys[hit_key]
            fuzzy_from = given
    if found and _blank(district) is not None:
        assert district is not None
        in_district = {p for p in found if _within(places, p, district)}
        if in_district:
            found = in_district
        else:
            problems.append(
                _warning(
                    f"the place {given!r} does not lie in the district {district!r}; the "
                    "district was not used.",
                    f"mesto {given!r} ne leži u okrugu {district!r}; okrug nije uzet u obzir.",
                    district,
                )
            )
    return tuple(_reduce(places, found)), fuzzy_from, tuple(problems)


def _within(places: Gazetteer, place: str, district: str) -> bool:
    """Whether a place lies in the district given as ISO code, IRI or name."""
    label = places.label(place) or ""
    return place in places.find(label, district) if label else False
