"""Tabular sources (CSV in any Serbian encoding, XLSX, JSON records) read through a mapping
(ssekg.loaders.mapping): one :class:`SourceRecord` per row, with the actor, its address,
geometry, contacts, statuses, offers and needs, and every problem found on the way.

Cleaning is ssekg.loaders.clean's (names in both scripts, MB and PIB, places, web, e-mail,
phone); this module decides what each mapped cell becomes. Contact persons are written as
``ssekg:contactPerson`` nodes, which the pipeline moves to the private graph; an actor's
e-mail and phone become a public ``schema:ContactPoint`` only where the source may publish
them (docs/mappings.md, "Contacts and consent").
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as rdf_namespaces

from ssekg import namespaces
from ssekg.errors import InputError, ParseError
from ssekg.loaders.clean import (
    Problem,
    clean_email,
    clean_mb,
    clean_phone,
    clean_pib,
    clean_url,
    match_place,
    name_literals,
    read_text_file,
    sniff_dialect,
    split_multi,
)
from ssekg.loaders.mapping import (
    OTHER_TEXT_PROPERTY,
    ConceptRef,
    Constant,
    FieldMapping,
    Mapping,
    Vocabulary,
    load_mapping,
    vocabulary,
)
from ssekg.loaders.pipeline import SourceRecord, check_source_id, record_iri
from ssekg.loaders.records import RecordStore
from ssekg.text import detect_script, fold, slug


class _Terms:
    """A namespace whose terms are made once each: rdflib's namespaces make a new URIRef at
    every attribute access, and a survey row names some sixty of them."""

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):
            raise AttributeError(name)
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


RDF = _Terms(rdf_namespaces.RDF)
XSD = _Terms(rdf_namespaces.XSD)
DCTERMS = _Terms(rdf_namespaces.DCTERMS)
PROV = _Terms(rdf_namespaces.PROV)
GEO = _Terms(namespaces.GEO)
LOCN = _Terms(namespaces.LOCN)
ORG = _Terms(namespaces.ORG)
SCHEMA = _Terms(namespaces.SCHEMA)
SSEKG = _Terms(namespaces.SSEKG)

# --- reading rows ----------------------------------------------------------------------------

Row = list[Any]


@dataclass
class _Table:
    """A file's header rows and an iterator over its data rows with their row numbers."""

    headers: list[list[str]]
    rows: Iterator[tuple[int, Row]]
    encoding: str | None


def _cell_text(value: Any) -> str:
    """A cell as text: whole numbers without ".0", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return value.date().isoformat()
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _blank_row(row: Row) -> bool:
    return not any(_cell_text(c).strip() for c in row)


def _csv_table(path: Path) -> _Table:
    text, encoding = read_text_file(path)
    try:
        dialect = sniff_dialect(text)
    except ParseError as error:
        raise ParseError(f"{path}: {error.en}", f"{path}: {error.sr}") from None
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    numbered = enumerate(reader, start=1)

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, row in numbered:
                yield number, list(row)
        except csv.Error as error:
            raise ParseError(
                f"{path}, line {reader.line_num}: the CSV is broken there ({error}); fix the "
                "quotes on that line.",
                f"{path}, red {reader.line_num}: CSV je tu neispravan ({error}); ispravite "
                "navodnike u tom redu.",
            ) from None

    return _Table([], rows(), encoding)


def _xlsx_table(path: Path, sheet: str | None) -> _Table:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise ParseError(
            f"{path}: not a readable XLSX workbook ({error}); save it from the spreadsheet "
            "program as .xlsx, or export the sheet as CSV.",
            f"{path}: nije čitljiva XLSX radna sveska ({error}); sačuvajte je u programu za "
            "tabele kao .xlsx ili izvezite list kao CSV.",
        ) from None
    if sheet is not None and sheet not in book.sheetnames:
        names = ", ".join(book.sheetnames)
        book.close()
        raise InputError(
            f"{path}: the workbook has no sheet {sheet!r} (its sheets: {names}); correct "
            "'sheet' in the mapping.",
            f"{path}: radna sveska nema list {sheet!r} (njeni listovi: {names}); ispravite "
            "'sheet' u mapiranju.",
        )
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
                yield number, list(row)
        finally:
            book.close()

    return _Table([], rows(), None)


def _open_table(path: Path, mapping: Mapping) -> _Table:
    if not path.is_file():
        raise InputError(
            f"{path}: the file does not exist; check the path.",
            f"{path}: datoteka ne postoji; proverite putanju.",
        )
    with path.open("rb") as handle:
        magic = handle.read(4)
    if path.suffix.lower() in (".xlsx", ".xlsm") or magic == b"PK\x03\x04":
        return _xlsx_table(path, mapping.sheet)
    if path.suffix.lower() == ".xls":
        raise InputError(
            f"{path}: old Excel (.xls) files are not read; save the sheet as .xlsx or CSV.",
            f"{path}: stare Excel (.xls) datoteke se ne čitaju; sačuvajte list kao .xlsx ili CSV.",
        )
    return _csv_table(path)


def _is_second_header(row: Row, mapping: Mapping) -> bool:
    if mapping.header_rows == 2:
        return True
    if mapping.header_rows == 1:
        return False
    cells = [fold(_cell_text(c)) for c in row if _cell_text(c).strip()]
    if not cells:
        return False
    known = mapping.header_names()
    hits = sum(1 for c in cells if c in known)
    return hits >= 2 and hits * 2 >= len(cells)


def read_table(
    path: Path | str,
    base: str,
    *,
    mapping: Mapping | str | Path,
    source_id: str,
) -> tuple[Iterator[SourceRecord], str | None]:
    """The records of a CSV or XLSX file read through ``mapping`` (a :class:`Mapping`, a
    bundled mapping's name or a YAML path), and the file's text encoding (None for XLSX).

    Everything about the mapping and the file's header is checked before this returns
    (InputError / ParseError naming the file and line); the rows are read as the iterator
    is consumed. A second header row (English under Serbian) is skipped."""
    path = Path(path)
    checked = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    sid = check_source_id(source_id)
    if checked.format == "json":
        return read_json_records(path, base, mapping=checked, source_id=sid), "utf-8"
    table = _open_table(path, checked)
    headers: list[list[str]] = []
    first: tuple[int, Row] | None = None
    for number, row in table.rows:
        if _blank_row(row):
            continue
        if not headers:
            headers.append([_cell_text(c).strip() for c in row])
            continue
        if len(headers) == 1 and _is_second_header(row, checked):
            headers.append([_cell_text(c).strip() for c in row])
            continue
        first = (number, row)
        break
    if not headers:
        raise ParseError(
            f"{path}: the file has no header row; the first row must name the columns.",
            f"{path}: datoteka nema red zaglavlja; prvi red mora da imenuje kolone.",
        )
    columns, key_index, hash_index = checked.resolve_columns(headers, path.name)
    reader = _RowReader(checked, base, sid, columns, key_index, hash_index)

    def records() -> Iterator[SourceRecord]:
        if first is not None:
            yield reader.record(*first)
        for number, row in table.rows:
            if not _blank_row(row):
                yield reader.record(number, row)

    return records(), table.encoding


# --- JSON records ----------------------------------------------------------------------------


def _walk(data: Any, path: str) -> list[Any]:
    """The values at a dotted path ("contact.email", "tags[0]"); lists are flattened."""
    current: list[Any] = [data]
    for part in [p for p in re.split(r"\.(?![^\[]*\])", path) if p]:
        match = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", part)
        name, indexes = (match.group(1), match.group(2)) if match else (part, "")
        found: list[Any] = []
        for item in current:
            if name:
                item = item.get(name) if isinstance(item, dict) else None
            for index in re.findall(r"\[(\d+)\]", indexes):
                item = (
                    item[int(index)] if isinstance(item, list) and int(index) < len(item) else None
                )
            if isinstance(item, list):
                found.extend(i for i in item if i is not None)
            elif item is not None:
                found.append(item)
        current = found
    return current


def read_json_records(
    path: Path, base: str, *, mapping: Mapping, source_id: str
) -> Iterator[SourceRecord]:
    """The records of a JSON file read through a ``format: json`` mapping: ``records`` is
    the path of the list of records (empty: the file is the list), fields name paths."""
    from ssekg.loaders.geojson import read_json

    data = read_json(path)
    items = _walk(data, mapping.records) if mapping.records else data
    if not isinstance(items, list):
        items = [items]
    reader = _RowReader(mapping, base, source_id, {}, [], [])
    for number, item in enumerate(items, start=1):
        yield reader.json_record(number, item)


# --- one record ------------------------------------------------------------------------------

#: The actor property that holds a concept of each scheme when a value names another scheme.
_SCHEME_PROPERTY = {
    "actor-type": "actorType",
    "legal-form": "legalForm",
    "se-status-kind": "seStatus",
    "practice": "practice",
    "target-group": "targetGroup",
    "nace-section": "activity",
    "ecosystem-function": "fulfilsFunction",
    "advocacy-topic": "advocacyTopic",
    "geographic-reach": "geographicReach",
    "platform-kind": "willingToJoin",
    "capacity-area": "offersCapacity",
    "resource-type": "offersResource",
}

_CONCEPT_PREDICATE = {
    "actorType": SSEKG.actorType,
    "legalForm": SSEKG.legalForm,
    "practice": SSEKG.practice,
    "targetGroup": SSEKG.targetGroup,
    "activity": SSEKG.activity,
    "fulfilsFunction": SSEKG.fulfilsFunction,
    "advocacyTopic": SSEKG.advocacyTopic,
    "geographicReach": SSEKG.geographicReach,
    "willingToJoin": SSEKG.willingToJoin,
}

_OFFERS = {
    "offersCapacity": ("offer", SSEKG.offers, SSEKG.CapacityOffer, SSEKG.capacityArea),
    "needsCapacity": ("need", SSEKG.needs, SSEKG.CapacityNeed, SSEKG.capacityArea),
    "offersResource": ("offer", SSEKG.offers, SSEKG.ResourceOffer, SSEKG.resourceType),
    "needsResource": ("need", SSEKG.needs, SSEKG.ResourceNeed, SSEKG.resourceType),
}

_TEXT_PREDICATE = {
    "alternateName": SCHEMA.alternateName,
    "description": SCHEMA.description,
    "socialGoal": SSEKG.socialGoal,
    "keywords": SCHEMA.keywords,
}

_SINGLE = ("legalForm", "geographicReach")
_TRUE, _FALSE = Literal(True), Literal(False)


# literals that repeat from row to row (dates, years, counts, countries) are made once each


@lru_cache(maxsize=4096)
def _typed_literal(lexical: str, datatype: URIRef | None) -> Literal:
    return Literal(lexical, datatype=datatype)


def _date_literal(day: date) -> Literal:
    return _typed_literal(day.isoformat(), XSD.date)


@lru_cache(maxsize=1024)
def _count_literal(number: int) -> Literal:
    return Literal(number, datatype=XSD.nonNegativeInteger)


#: One step a cell's text takes in every row that has it (_ActorBuilder._concept_steps).
_Step = tuple[str, Any, Any, Any]
#: How many distinct cells a reader remembers the steps of (a survey has a few hundred).
_MAX_CACHED = 50_000

_OTHER = re.compile(
    r"^(other|others|drugo|ostalo|nešto drugo|nesto drugo|друго|остало)\s*[:\-–]\s*", re.I
)
_YES_WORDS = frozenset({"da", "yes", "y", "true", "jeste", "saglasan", "saglasna", "saglasni"})
_YES_WORDS |= {"slazem", "dozvoljavam", "imamo", "ima", "1"}
_NO_WORDS = frozenset({"ne", "no", "n", "false", "nije", "nemamo", "nema", "nisam", "nismo", "0"})
_TICKS = {"x": True, "✓": True, "✔": True, "☑": True, "✗": False, "☐": False}

#: Words of a register status that say the entity is gone or going (folded).
_ENDED_WORDS = ("bris", "likvidac", "stecaj", "ugasen", "deleted", "liquidat", "bankrupt")

#: NACE Rev. 2 (KD 2010) sections by their first and last division.
_NACE_DIVISIONS = (
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43),
    ("G", 45, 47), ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68),
    ("M", 69, 75), ("N", 77, 82), ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93),
    ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
)  # fmt: skip

#: Names of neighbouring countries in Serbian, which pycountry does not know.
_COUNTRY_NAMES = {
    "srbija": "RS", "hrvatska": "HR", "bosna i hercegovina": "BA", "bih": "BA",
    "crna gora": "ME", "severna makedonija": "MK", "makedonija": "MK", "slovenija": "SI",
    "madjarska": "HU", "rumunija": "RO", "bugarska": "BG", "albanija": "AL",
    "nemacka": "DE", "austrija": "AT", "italija": "IT", "francuska": "FR", "spanija": "ES",
    "grcka": "GR", "belgija": "BE", "holandija": "NL", "svajcarska": "CH",
    "velika britanija": "GB", "kosovo": "XK", "republika srbija": "RS",
}  # fmt: skip

_SOCIAL_HOSTS = (
    "facebook.com", "fb.com", "instagram.com", "twitter.com", "x.com", "linkedin.com",
    "youtube.com", "tiktok.com", "t.me", "mastodon.social",
)  # fmt: skip


def parse_yes_no(text: str) -> bool | None:
    """A yes/no answer in Serbian (either script) or English, a tick or a cross; by its
    first word ("Da, saglasni smo" is yes); None when it is neither."""
    tidy = text.strip().lower()
    if tidy in _TICKS:
        return _TICKS[tidy]
    words = fold(text).split(" ")
    if not words or not words[0]:
        return None
    if words[0] in _NO_WORDS:
        return False
    if words[0] in _YES_WORDS:
        return True
    return None


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d. %m. %Y", "%d/%m/%Y", "%Y/%m/%d", "%d-%m-%Y")


_TIME_OF_DAY = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$")
_DAY_FIRST = re.compile(r"^\d{1,2}\s*\.")
_DOT = re.compile(r"\s*\.\s*")


@lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """A date as Serbian files write it ("15.03.2021.", "15. 3. 2021", "2021-03-15",
    "2021-03-15T10:20"), or None."""
    tidy = text.strip().rstrip(".").strip()
    tidy = _TIME_OF_DAY.sub("", tidy)
    tidy = _DOT.sub(".", tidy) if _DAY_FIRST.match(tidy) else tidy
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(tidy, fmt).date()
        except ValueError:
            continue
    return None


def _problem(severity: str, en: str, sr: str, column: str | None, value: Any = None) -> Problem:
    return Problem(severity, en, sr, column, None if value is None else str(value))


def _lang_of(text: str, configured: str | None) -> str:
    if configured:
        return configured
    return detect_script(text) or "und"


@dataclass
class _Cell:
    """One mapped value of a record: the field (or constant) it came from, and its text."""

    source: FieldMapping | Constant
    text: str

    @property
    def label(self) -> str:
        if isinstance(self.source, FieldMapping):
            return self.source.label
        return f"constant {self.source.property}"

    @property
    def field(self) -> FieldMapping | None:
        return self.source if isinstance(self.source, FieldMapping) else None


@dataclass
class _Seen:
    """Keys and registry numbers already used by earlier records, with their locators."""

    keys: dict[str, str] = field(default_factory=dict)
    mbs: dict[str, str] = field(default_factory=dict)


class _RowReader:
    """Builds the record of each row of one file."""

    def __init__(
        self,
        mapping: Mapping,
        base: str,
        source_id: str,
        columns: dict[FieldMapping, int],
        key_index: list[int],
        hash_index: list[int],
        vocab: Vocabulary | None = None,
    ) -> None:
        self.mapping = mapping
        self.base = base
        self.source_id = source_id
        self.columns = columns
        self.key_index = key_index
        self.hash_index = hash_index
        self.vocab = vocab or vocabulary()
        self.seen = _Seen()
        self.concept_steps: dict[tuple[str, FieldMapping | Constant, str], tuple[_Step, ...]] = {}
        self.has_consent_field = any(f.property == "contactConsent" for f in mapping.fields) or any(
            c.property == "contactConsent" for c in mapping.constants
        )

    # rows and JSON items both become a list of cells and a key

    def record(self, number: int, row: Row) -> SourceRecord:
        locator = f"row {number}"
        cells: list[_Cell] = []
        for f, index in self.columns.items():
            text = _cell_text(row[index]).strip() if index < len(row) else ""
            if text:
                cells.append(_Cell(f, text))
        key_parts = [_cell_text(row[i]).strip() for i in self.key_index if i < len(row)]
        hash_parts = [_cell_text(row[i]).strip() for i in self.hash_index if i < len(row)]
        return self._build(locator, cells, key_parts, hash_parts)

    def json_record(self, number: int, item: Any) -> SourceRecord:
        locator = f"record {number}"
        cells: list[_Cell] = []
        for f in self.mapping.fields:
            assert f.path is not None
            for value in _walk(item, f.path):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if text.strip():
                    cells.append(_Cell(f, text.strip()))
        key_parts: list[str] = []
        if self.mapping.key_path:
            key_parts = [_cell_text(v) for v in _walk(item, self.mapping.key_path)][:1]
        hash_parts = [
            " ".join(_cell_text(v) for v in _walk(item, p)) for p in self.mapping.key_hash
        ]
        return self._build(locator, cells, key_parts, hash_parts)

    def _key(self, key_parts: list[str], hash_parts: list[str]) -> str | None:
        if self.mapping.key_hash:
            if not any(p.strip() for p in hash_parts):
                return None
            joined = "\n".join(fold(p) for p in hash_parts)
            return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]
        key = "-".join(p for p in key_parts if p)
        return key or None

    def _rejected(
        self, key: str, locator: str, en: str, sr: str, column: str | None
    ) -> SourceRecord:
        return SourceRecord(key, locator, None, Graph(), [_problem("Violation", en, sr, column)])

    def _build(
        self, locator: str, cells: list[_Cell], key_parts: list[str], hash_parts: list[str]
    ) -> SourceRecord:
        mapping = self.mapping
        names = mapping.key_columns[:1] or mapping.key_hash
        key_label = ", ".join(names) or (mapping.key_path or "")
        key = self._key(key_parts, hash_parts)
        if key is None:
            return self._rejected(
                locator.replace(" ", "-"),
                locator,
                f"the record has no key in {key_label!r}; fill it in so the record gets a stable "
                "IRI.",
                f"zapis nema ključ u {key_label!r}; popunite ga da bi zapis dobio stalan IRI.",
                key_label,
            )
        if key in self.seen.keys:
            return self._rejected(
                key,
                locator,
                f"the key {key!r} was already used by {self.seen.keys[key]}; each record needs "
                "its own key (is this a duplicate answer?).",
                f"ključ {key!r} je već iskorišćen u zapisu {self.seen.keys[key]}; svaki zapis "
                "mora imati svoj ključ (da li je ovo dvostruki odgovor?).",
                key_label,
            )
        self.seen.keys[key] = locator
        cells = cells + [_Cell(c, c.value) for c in mapping.constants]
        builder = _ActorBuilder(self, key, locator, cells)
        builder.build()
        return SourceRecord(key, locator, builder.subject, builder.graph, builder.problems)


class _ActorBuilder:
    """The graph of one actor from its mapped cells."""

    def __init__(self, reader: _RowReader, key: str, locator: str, cells: list[_Cell]) -> None:
        self.reader = reader
        self.mapping = reader.mapping
        self.vocab = reader.vocab
        self.base = reader.base
        self.key = key
        self.locator = locator
        self.by_property: dict[str, list[_Cell]] = {}
        for cell in cells:
            self.by_property.setdefault(cell.source.property, []).append(cell)
        self.triples: list[tuple[URIRef, URIRef, Any]] = []
        self.graph: Graph  # made of the triples once they are all there (build)
        self.self_identified = False  # whether ssekg:selfIdentifiesAsSE is given yet
        self.problems: list[Problem] = []
        self.concepts: dict[str, list[ConceptRef]] = {}
        self.concept_cells: dict[tuple[str, ConceptRef], str] = {}
        self.essglobal_forms: set[ConceptRef] = set()
        self.subject = URIRef(f"{self.base}actor/{reader.source_id}/{slug(key) or 'record'}")
        self.record_iri = record_iri(self.base, reader.source_id, key)

    # small helpers

    def cells(self, prop: str) -> list[_Cell]:
        return self.by_property.get(prop, [])

    def first(self, prop: str) -> _Cell | None:
        found = self.cells(prop)
        return found[0] if found else None

    def items(self, cell: _Cell) -> list[str]:
        f = cell.field
        multi = f.multi if f is not None else False
        if not multi:
            return [cell.text]
        separator = (f.separator if f else None) or self.mapping.separator
        if separator is None:
            return split_multi(cell.text)
        return [p.strip() for p in cell.text.split(separator) if p.strip()]

    def add_problems(self, problems: list[Problem]) -> None:
        self.problems.extend(problems)

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.triples.append((s, p, o))

    def warn(self, en: str, sr: str, cell: _Cell | None, value: Any = None) -> None:
        label = cell.label if cell is not None else None
        self.problems.append(_problem("Warning", en, sr, label, value))

    def info(self, en: str, sr: str, cell: _Cell | None, value: Any = None) -> None:
        label = cell.label if cell is not None else None
        self.problems.append(_problem("Info", en, sr, label, value))

    # the whole actor

    def build(self) -> None:
        self._identity()
        self.add(self.subject, RDF.type, SSEKG.Actor)
        self._names()
        self._texts()
        for prop in list(self.by_property):
            if prop in _SCHEME_PROPERTY.values() or prop in _OFFERS:
                for cell in self.cells(prop):
                    self._concepts(prop, cell)
        self._foreign_forms()
        self._single_concepts()
        self._statuses()
        self._implied_actor_type()
        self._activity_codes()
        self._register_status()
        for prop, predicate in _CONCEPT_PREDICATE.items():
            for ref in self.concepts.get(prop, []):
                self.add(self.subject, predicate, ref.iri)
        self._offers()
        self._numbers_and_dates()
        self._address_and_place()
        self._geometry()
        self._web()
        self._contacts()
        self._relations()
        self.graph = Graph(store=RecordStore(self.triples))

    def _identity(self) -> None:
        mb_cell = self.first("registrationNumber")
        if mb_cell is not None:
            mb, problems = clean_mb(mb_cell.text, column=mb_cell.label)
            self.add_problems(problems)
            if mb is not None:
                earlier = self.reader.seen.mbs.get(mb)
                if earlier is not None:
                    self.problems.append(
                        _problem(
                            "Violation",
                            f"the matični broj {mb} was already given by {earlier}; one actor "
                            "is one record (is this a duplicate?). Merge the two rows.",
                            f"matični broj {mb} je već naveden u zapisu {earlier}; jedan akter "
                            "je jedan zapis (da li je ovo duplikat?). Spojite ta dva reda.",
                            mb_cell.label,
                            mb_cell.text,
                        )
                    )
                else:
                    self.reader.seen.mbs[mb] = self.locator
                if self.mapping.prefer_mb and earlier is None:
                    self.subject = URIRef(f"{self.base}actor/mb/{mb}")
                self.add(self.subject, SSEKG.registrationNumber, Literal(mb))
        pib_cell = self.first("taxNumber")
        if pib_cell is not None:
            pib, problems = clean_pib(pib_cell.text, column=pib_cell.label)
            self.add_problems(problems)
            if pib is not None:
                self.add(self.subject, SSEKG.taxNumber, Literal(pib))

    def _name_literal(self, cell: _Cell) -> tuple[Literal, Literal | None]:
        configured = cell.field.language if cell.field else None
        if configured:
            return Literal(" ".join(cell.text.split()), lang=configured), None
        given, other = name_literals(cell.text)
        if given.language == "und" and self.mapping.language:
            return Literal(str(given), lang=self.mapping.language), None
        return given, other

    def _names(self) -> None:
        legal = self.first("legalName")
        name = self.first("name")
        if legal is not None:
            given, _ = self._name_literal(legal)
            self.add(self.subject, SSEKG.legalName, given)
        shown = name or legal
        if shown is not None:
            given, other = self._name_literal(shown)
            self.add(self.subject, SSEKG.name, given)
            if other is not None:
                self.add(self.subject, SSEKG.transliteratedName, other)
        if name is not None and legal is not None and fold(name.text) != fold(legal.text):
            given, _ = self._name_literal(legal)
            self.add(self.subject, SSEKG.name, given)

    def _text_term(self, prop: str, text: str, cell: _Cell | None) -> tuple[URIRef, Literal]:
        configured = (cell.field.language if cell and cell.field else None) or self.mapping.language
        tidy = " ".join(text.split())
        return _TEXT_PREDICATE[prop], Literal(tidy, lang=_lang_of(tidy, configured))

    def _text(self, prop: str, text: str, cell: _Cell | None) -> None:
        self.add(self.subject, *self._text_term(prop, text, cell))

    def _texts(self) -> None:
        for prop in _TEXT_PREDICATE:
            for cell in self.cells(prop):
                for item in self.items(cell):
                    self._text(prop, item, cell)

    # concepts: what a cell's text means does not depend on its row, so the steps it takes
    # are worked out once per field and text and repeated in each row that has them

    def _keep(self, prop: str, ref: ConceptRef, cell: _Cell) -> None:
        found = self.concepts.setdefault(prop, [])
        if ref not in found:
            found.append(ref)
            self.concept_cells[(prop, ref)] = cell.label

    def _concepts(self, prop: str, cell: _Cell) -> None:
        plans = self.reader.concept_steps
        key = (prop, cell.source, cell.text)
        steps = plans.get(key)
        if steps is None:
            steps = self._concept_steps(prop, cell)
            if len(plans) < _MAX_CACHED:
                plans[key] = steps
        for kind, first, second, third in steps:
            if kind == "keep":
                self._keep(first, second, cell)
            elif kind == "add":
                self.add(self.subject, first, second)
            elif kind == "warn":
                self.warn(first, second, cell, third)
            else:
                self.essglobal_forms.add(first)

    def _concept_steps(self, prop: str, cell: _Cell) -> tuple[_Step, ...]:
        """What the cell's text means: concepts to keep (``keep``, property and concept),
        texts to add (``add``, predicate and literal), warnings (``warn``, English, Serbian,
        value) and ESSGLOBAL legal forms (``form``, concept), in order."""
        f = cell.field
        scheme = _scheme_of(prop)
        steps: list[_Step] = []
        if f is not None and f.if_yes is not None:
            answer = parse_yes_no(cell.text)
            if answer:
                steps.append(("keep", prop, f.if_yes, None))
            elif answer is None:
                steps.append(
                    (
                        "warn",
                        f"{cell.text!r} is not a yes/no answer; the column was not used.",
                        f"{cell.text!r} nije odgovor da/ne; kolona nije uzeta u obzir.",
                        cell.text,
                    )
                )
            return tuple(steps)
        for item in self.items(cell):
            other = _OTHER.match(item)
            if other is not None:
                rest = item[other.end() :].strip()
                if rest:
                    text_prop = OTHER_TEXT_PROPERTY.get(prop, "keywords")
                    steps.append(("add", *self._text_term(text_prop, rest, cell), None))
                continue
            if self._essglobal(prop, scheme, item, cell, steps):
                continue
            values = f.values if f is not None else {}
            match = self.vocab.match(scheme, item, values, fuzzy=f.fuzzy if f else False)
            if not match.concepts:
                if match.how == "exact":
                    continue  # a value the mapping maps to nothing on purpose
                steps.append(
                    (
                        "warn",
                        f"{item!r} is not a known concept of {scheme}; it is kept as a keyword. "
                        "Add it to the field's 'values' in the mapping to read it as a concept.",
                        f"{item!r} nije poznat pojam šeme {scheme}; sačuvan je kao ključna reč. "
                        "Dodajte ga u 'values' tog polja u mapiranju da bi se čitao kao pojam.",
                        item,
                    )
                )
                steps.append(("add", *self._text_term("keywords", item, cell), None))
                continue
            if match.how == "fuzzy":
                codes = ", ".join(r.code for r in match.concepts)
                steps.append(
                    (
                        "warn",
                        f"{item!r} is not written as any concept of {scheme}; read as {codes} "
                        f"(nearest: {match.matched!r}).",
                        f"{item!r} nije napisan kao nijedan pojam šeme {scheme}; pročitan je "
                        f"kao {codes} (najbliže: {match.matched!r}).",
                        item,
                    )
                )
            for ref in match.concepts:
                target = prop if ref.scheme == scheme else _SCHEME_PROPERTY[ref.scheme]
                steps.append(("keep", target, ref, None))
        return tuple(steps)

    def _essglobal(
        self, prop: str, scheme: str, item: str, cell: _Cell, steps: list[_Step]
    ) -> bool:
        """Read an ESSGLOBAL concept (IRI, code or label, as DCC's standard CSV writes it)
        through the taxonomies' closeMatch alignments, adding its steps; False when the text
        is none."""
        from ssekg.loaders.essglobal import concepts_for, essglobal_term

        term = essglobal_term(item)
        if term is None:
            return False
        taken, _ = concepts_for(term)
        refs = [
            ConceptRef(name, code)
            for name, codes in taken.items()
            if name in _SCHEME_PROPERTY
            for code in codes
        ]
        if not refs:
            steps.append(
                (
                    "warn",
                    f"the ESSGLOBAL concept {item!r} has no single counterpart in the "
                    "taxonomies; it is kept as a keyword.",
                    f"pojam ESSGLOBAL {item!r} nema jedan odgovarajući pojam u taksonomijama; "
                    "sačuvan je kao ključna reč.",
                    item,
                )
            )
            steps.append(("add", *self._text_term("keywords", term, cell), None))
            return True
        for ref in refs:
            target = prop if ref.scheme == scheme else _SCHEME_PROPERTY[ref.scheme]
            steps.append(("keep", target, ref, None))
            if ref.scheme == "legal-form":
                steps.append(("form", ref, None, None))
        return True

    def _foreign_forms(self) -> None:
        """Legal forms are Serbia's: an ESSGLOBAL structure gives none to an actor abroad."""
        cell = self.first("country")
        country = resolve_country(cell.text) if cell is not None else None
        if country in (None, "RS") or not self.essglobal_forms:
            return
        kept = [r for r in self.concepts.get("legalForm", []) if r not in self.essglobal_forms]
        self.concepts["legalForm"] = kept

    def _single_concepts(self) -> None:
        for prop in _SINGLE:
            refs = self.concepts.get(prop, [])
            if len(refs) < 2:
                continue
            # a narrower concept says more than its broader one (ZAD-POLJ over ZAD)
            broader = {self.vocab.broader.get((r.scheme, r.code)) for r in refs}
            narrowest = [r for r in refs if r.code not in broader]
            kept = narrowest[0]
            dropped = [r.code for r in refs if r != kept and r.code not in broader]
            self.concepts[prop] = [kept]
            if dropped:
                label = self.concept_cells.get((prop, kept))
                self.problems.append(
                    _problem(
                        "Warning",
                        f"{prop} takes one value; {kept.code} was kept and "
                        f"{', '.join(dropped)} left out.",
                        f"{prop} prima jednu vrednost; zadržano je {kept.code}, a izostavljeno "
                        f"{', '.join(dropped)}.",
                        label,
                    )
                )

    def _statuses(self) -> None:
        date_cell = self.first("seStatusDate")
        granted = self._date(date_cell) if date_cell is not None else None
        legal_forms = self.concepts.get("legalForm", [])
        for n, ref in enumerate(self.concepts.get("seStatus", []), start=1):
            node = URIRef(f"{self.subject}/status/{n}")
            self.add(self.subject, SSEKG.hasStatus, node)
            self.add(node, RDF.type, SSEKG.SocialEntrepreneurshipStatus)
            self.add(node, SSEKG.statusKind, ref.iri)
            self.add(node, PROV.wasDerivedFrom, self.record_iri)
            if granted is not None and ref.code != "SELF":
                self.add(node, SSEKG.grantedOn, _date_literal(granted))
            if ref.code == "LEGAL" and legal_forms:
                register = self.vocab.registers.get(legal_forms[0].code)
                if register is not None:
                    self.add(node, SSEKG.register, ConceptRef("register", register).iri)
            if ref.code == "SELF" and not self.self_identified:
                self.add(self.subject, SSEKG.selfIdentifiesAsSE, _TRUE)
                self.self_identified = True
        for cell in self.cells("selfIdentifiesAsSE"):
            answer = parse_yes_no(cell.text)
            if answer is None:
                self.warn(
                    f"{cell.text!r} is not a yes/no answer; the column was not used.",
                    f"{cell.text!r} nije odgovor da/ne; kolona nije uzeta u obzir.",
                    cell,
                    cell.text,
                )
            elif not self.self_identified:
                self.add(self.subject, SSEKG.selfIdentifiesAsSE, _TRUE if answer else _FALSE)
                self.self_identified = True

    def _implied_actor_type(self) -> None:
        if self.concepts.get("actorType"):
            return
        # a cooperative with the legal status is a social enterprise and a cooperative
        implied: list[ConceptRef] = []
        for scheme, prop in (("se-status-kind", "seStatus"), ("legal-form", "legalForm")):
            table = self.vocab.implied.get(scheme, {})
            for ref in self.concepts.get(prop, []):
                code = table.get(ref.code) or table.get(
                    self.vocab.broader.get((ref.scheme, ref.code), "")
                )
                if code is not None and ConceptRef("actor-type", code) not in implied:
                    implied.append(ConceptRef("actor-type", code))
                    self.info(
                        f"the actor type {code} follows from the {scheme} {ref.code}.",
                        f"tip aktera {code} sledi iz pojma {ref.code} šeme {scheme}.",
                        None,
                    )
        if not implied:
            implied = self._kinds_from_name()
        if implied:
            self.concepts["actorType"] = implied

    def _kinds_from_name(self) -> list[ConceptRef]:
        """The actor types words in the name tell ("Sindikat ...", "Univerzitet ...",
        "... zadruga"), when nothing else does: as the ESSGLOBAL loader reads initiatives."""
        from ssekg.loaders.geojson import name_kinds

        cell = self.first("name") or self.first("legalName")
        if cell is None:
            return []
        kinds = name_kinds(cell.text)
        chosen = sorted({k for k in kinds if k != "BUS"} or set(kinds))
        if chosen:
            self.info(
                f"the actor type {', '.join(chosen)} is read from the name {cell.text!r}.",
                f"tip aktera {', '.join(chosen)} je pročitan iz naziva {cell.text!r}.",
                cell,
                cell.text,
            )
        return [ConceptRef("actor-type", k) for k in chosen]

    def _activity_codes(self) -> None:
        for cell in self.cells("activityCode"):
            digits = re.sub(r"[\s.]", "", cell.text)
            if not re.fullmatch(r"\d{2,4}", digits):
                self.warn(
                    f"{cell.text!r} is not an activity code (šifra delatnosti, e.g. 8899 or "
                    "88.99); it was left out.",
                    f"{cell.text!r} nije šifra delatnosti (npr. 8899 ili 88.99); izostavljena je.",
                    cell,
                    cell.text,
                )
                continue
            if len(digits) == 3:
                digits = "0" + digits  # a spreadsheet dropped the leading zero of 0141
            section = _nace_section(int(digits[:2]))
            if section is None:
                self.warn(
                    f"the activity code {cell.text!r} is in no NACE section; check it.",
                    f"šifra delatnosti {cell.text!r} ne pripada nijednom sektoru NACE; "
                    "proverite je.",
                    cell,
                    cell.text,
                )
                continue
            self.add(self.subject, SSEKG.activityCode, Literal(digits))
            self._keep("activity", ConceptRef("nace-section", section), cell)

    def _register_status(self) -> None:
        for cell in self.cells("registerStatus"):
            key = fold(cell.text)
            if any(word in key for word in _ENDED_WORDS):
                self.warn(
                    f"the register lists this entity as {cell.text!r}; it was loaded, but check "
                    "whether it still works before showing it as active.",
                    f"registar ovaj subjekat vodi kao {cell.text!r}; učitan je, ali proverite da "
                    "li još radi pre nego što ga prikažete kao aktivnog.",
                    cell,
                    cell.text,
                )

    def _offers(self) -> None:
        observed = self._observed()
        for prop, (kind, link, cls, predicate) in _OFFERS.items():
            for ref in self.concepts.get(prop, []):
                node = URIRef(f"{self.subject}/{kind}/{ref.code.lower()}")
                self.add(self.subject, link, node)
                self.add(node, RDF.type, cls)
                self.add(node, predicate, ref.iri)
                self.add(node, PROV.wasDerivedFrom, self.record_iri)
                if observed is not None:
                    self.add(node, SSEKG.observedOn, observed)

    # numbers, dates

    def _date(self, cell: _Cell) -> date | None:
        found = parse_date(cell.text)
        if found is None:
            self.warn(
                f"{cell.text!r} is not a date; write it like 15.03.2021 or 2021-03-15. It was "
                "left out.",
                f"{cell.text!r} nije datum; napišite ga kao 15.03.2021 ili 2021-03-15. "
                "Izostavljen je.",
                cell,
                cell.text,
            )
        return found

    def _observed(self) -> Literal | None:
        cell = self.first("observedOn")
        if cell is None:
            return None
        found = parse_date(cell.text)
        return None if found is None else _date_literal(found)

    def _numbers_and_dates(self) -> None:
        for prop, predicate in (
            ("registrationDate", SSEKG.registrationDate),
            ("observedOn", SSEKG.observedOn),
        ):
            cell = self.first(prop)
            if cell is not None:
                found = self._date(cell)
                if found is not None:
                    self.add(self.subject, predicate, _date_literal(found))
        cell = self.first("foundingYear")
        if cell is not None:
            year_match = re.search(r"\b(1[89]\d\d|20\d\d)\b", cell.text)
            if year_match is None:
                self.warn(
                    f"{cell.text!r} is not a year; write four digits, e.g. 2015. It was left out.",
                    f"{cell.text!r} nije godina; napišite četiri cifre, npr. 2015. "
                    "Izostavljena je.",
                    cell,
                    cell.text,
                )
            else:
                self.add(
                    self.subject,
                    SSEKG.foundingYear,
                    _typed_literal(year_match.group(1), XSD.gYear),
                )
        for prop in ("employees", "employeesFromVulnerableGroups", "volunteers"):
            cell = self.first(prop)
            if cell is None:
                continue
            number = re.sub(r"[\s.](?=\d{3}\b)", "", cell.text.strip())
            number = re.sub(r"[,.]0+$", "", number)
            if not re.fullmatch(r"\d+", number):
                self.warn(
                    f"{cell.text!r} is not a whole number of people; it was left out.",
                    f"{cell.text!r} nije ceo broj osoba; izostavljen je.",
                    cell,
                    cell.text,
                )
                continue
            self.add(
                self.subject,
                getattr(SSEKG, prop),
                _count_literal(int(number)),
            )

    # address, place, geometry

    def _country(self) -> str | None:
        cell = self.first("country")
        if cell is None:
            return None
        code = resolve_country(cell.text)
        if code is None:
            self.warn(
                f"{cell.text!r} is not a country the loader knows; write its name or ISO code "
                "(RS, HR, ...).",
                f"{cell.text!r} nije država koju učitavač poznaje; napišite naziv ili ISO oznaku "
                "(RS, HR, ...).",
                cell,
                cell.text,
            )
        return code

    def _address_and_place(self) -> None:
        country = self._country()
        parts = {p: self.first(p) for p in ("street", "houseNumber", "postCode", "postName")}
        full = self.first("fullAddress")
        address = URIRef(f"{self.subject}/address")
        texts = {p: " ".join(c.text.split()) for p, c in parts.items() if c is not None}
        if texts or full is not None:
            self.add(self.subject, LOCN.address, address)
            self.add(address, RDF.type, LOCN.Address)
            if "street" in texts:
                self.add(address, LOCN.thoroughfare, Literal(texts["street"]))
            if "houseNumber" in texts:
                self.add(address, LOCN.locatorDesignator, Literal(texts["houseNumber"]))
            post_code = texts.get("postCode")
            if post_code is not None:
                post_code = re.sub(r"\.0$", "", post_code)
                if re.fullmatch(r"\d{5}", post_code) or country not in (None, "RS"):
                    self.add(address, LOCN.postCode, Literal(post_code))
                else:
                    self.warn(
                        f"{post_code!r} is not a Serbian postal code (5 digits); it is kept only "
                        "in the full address.",
                        f"{post_code!r} nije poštanski broj u Srbiji (5 cifara); zadržan je samo "
                        "u punoj adresi.",
                        parts["postCode"],
                        post_code,
                    )
            if "postName" in texts:
                self.add(address, LOCN.postName, Literal(texts["postName"]))
            if country is not None:
                self.add(address, SCHEMA.addressCountry, _typed_literal(country, None))
            if full is not None:
                full_text = " ".join(full.text.split())
            else:
                line = " ".join(t for t in (texts.get("street"), texts.get("houseNumber")) if t)
                town = " ".join(t for t in (texts.get("postCode"), texts.get("postName")) if t)
                full_text = ", ".join(t for t in (line, town) if t)
            self.add(address, LOCN.fullAddress, Literal(full_text))
        else:
            full_text = ""
        self._place(country, full_text)

    def _place(self, country: str | None, full_text: str) -> None:
        municipality = self.first("municipality")
        district = self.first("district")
        post_name = self.first("postName")
        if municipality is not None and re.match(r"^https?://", municipality.text):
            # a place by its IRI (the Geo Container of ssekg's own DCC export): taken when
            # the gazetteer has it; another map's IRI says nothing, so the town is read
            iri = municipality.text.strip()
            if country in (None, "RS") and _local_place(iri):
                self.add(self.subject, SSEKG.municipality, URIRef(iri))
                return
            municipality = None
        cell = municipality or post_name
        if cell is None:
            return
        found = match_place(
            cell.text,
            district=district.text if district else None,
            address=full_text or None,
            country=country or "RS",
            column=cell.label,
        )
        problems = found.problems
        if municipality is None:
            # a post office's town is often, not always, a municipality: doubts are warnings
            problems = [
                Problem("Warning", p.message_en, p.message_sr, p.column, p.value)
                if p.severity == "Violation"
                else p
                for p in problems
            ]
        self.add_problems(problems)
        if found.place is not None:
            self.add(self.subject, SSEKG.municipality, found.place)

    def _coordinate(self, prop: str) -> float | None:
        cell = self.first(prop)
        if cell is None:
            return None
        try:
            return float(Decimal(cell.text.strip().replace(",", ".")))
        except (InvalidOperation, ValueError):
            self.warn(
                f"{cell.text!r} is not a number (degrees); the point was left out.",
                f"{cell.text!r} nije broj (stepeni); tačka je izostavljena.",
                cell,
                cell.text,
            )
            return None

    def _geometry(self) -> None:
        lat, lon = self._coordinate("latitude"), self._coordinate("longitude")
        if lat is None or lon is None:
            return
        if 18.0 <= lat <= 23.5 and 41.5 <= lon <= 46.5:
            lat, lon = lon, lat
            self.warn(
                "latitude and longitude look swapped (the point fell outside Serbia); they "
                "were read the other way round.",
                "geografska širina i dužina izgledaju zamenjeno (tačka je bila van Srbije); "
                "pročitane su obrnuto.",
                self.first("latitude"),
            )
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            self.warn(
                f"({lat}, {lon}) is not a point on Earth; it was left out.",
                f"({lat}, {lon}) nije tačka na Zemlji; izostavljena je.",
                self.first("latitude"),
            )
            return
        node = URIRef(f"{self.subject}/geometry")
        self.add(self.subject, GEO.hasGeometry, node)
        self.add(node, RDF.type, GEO.Geometry)
        self.add(node, GEO.asWKT, Literal(f"POINT({lon} {lat})", datatype=GEO.wktLiteral))

    # web and contacts

    def _web(self) -> None:
        for prop in ("website", "socialAccount"):
            for cell in self.cells(prop):
                prefix = cell.field.prefix if cell.field else None
                for item in re.split(r"[\s;,]+", cell.text):
                    if not item:
                        continue
                    if prefix and not re.match(r"^(https?://|www\.)", item, re.I):
                        item = prefix + item.lstrip("@/")
                    iri, problems = clean_url(item, column=cell.label)
                    self.add_problems(problems)
                    if iri is None:
                        continue
                    host = urlsplit(iri).hostname or ""
                    social = prop == "socialAccount" or any(
                        host == h or host.endswith("." + h) for h in _SOCIAL_HOSTS
                    )
                    self.add(
                        self.subject, SSEKG.socialAccount if social else SCHEMA.url, URIRef(iri)
                    )

    def _clean_contacts(
        self, email_prop: str, phone_prop: str
    ) -> tuple[list[URIRef], list[Literal]]:
        emails: list[URIRef] = []
        phones: list[Literal] = []
        for prop in (email_prop, phone_prop):
            for cell in self.cells(prop):
                for item in self.items(cell):
                    self._clean_contact(prop == email_prop, item, cell, emails, phones)
        return emails, phones

    def _clean_contact(
        self, is_email: bool, item: str, cell: _Cell, emails: list[URIRef], phones: list[Literal]
    ) -> None:
        if is_email:
            value, problems = clean_email(item, column=cell.label)
            if value is not None:
                emails.append(URIRef(value))
        else:
            value, problems = clean_phone(item, column=cell.label)
            if value is not None:
                phones.append(Literal(value))
        # a contact that cannot be read is reported, and the actor kept
        self.add_problems(
            [
                Problem("Warning", p.message_en, p.message_sr, p.column, p.value)
                if p.severity == "Violation"
                else p
                for p in problems
            ]
        )

    def _consent(self) -> bool:
        """Whether the source may publish the actor's contacts: with no consent question in
        the mapping its contacts are public already (a register, a published map); with one,
        only a "yes" publishes them."""
        if not self.reader.has_consent_field:
            return True
        cell = self.first("contactConsent")
        if cell is None:
            return False
        answer = parse_yes_no(cell.text)
        if answer is None:
            self.warn(
                f"{cell.text!r} is not a yes/no answer to the consent question; the contacts "
                "are kept private.",
                f"{cell.text!r} nije odgovor da/ne na pitanje o saglasnosti; kontakti su "
                "sačuvani kao privatni.",
                cell,
                cell.text,
            )
        return bool(answer)

    def _contacts(self) -> None:
        org_emails, org_phones = self._clean_contacts("email", "phone")
        person_emails, person_phones = self._clean_contacts("contactEmail", "contactPhone")
        consent = self._consent()
        public_emails = org_emails + (
            person_emails if consent and self.reader.has_consent_field else []
        )
        public_phones = org_phones + (
            person_phones if consent and self.reader.has_consent_field else []
        )
        if not consent:
            person_emails, person_phones = org_emails + person_emails, org_phones + person_phones
            public_emails, public_phones = [], []
            if org_emails or org_phones or person_emails or person_phones:
                self.info(
                    "no consent to publish contacts: the e-mails and phones are kept in the "
                    "private graph only.",
                    "nema saglasnosti za objavljivanje kontakata: e-pošta i telefoni su "
                    "sačuvani samo u privatnom grafu.",
                    self.first("contactConsent"),
                )
        if public_emails or public_phones:
            point = URIRef(f"{self.subject}/contact/1")
            self.add(self.subject, SCHEMA.contactPoint, point)
            self.add(point, RDF.type, SCHEMA.ContactPoint)
            for email in dict.fromkeys(public_emails):
                self.add(point, SCHEMA.email, email)
            for phone in dict.fromkeys(public_phones):
                self.add(point, SCHEMA.telephone, phone)
        name = self.first("contactName")
        role = self.first("contactRole")
        if name is None and role is None and not person_emails and not person_phones:
            return
        person = URIRef(f"{self.subject}/person/1")
        self.add(self.subject, SSEKG.contactPerson, person)
        self.add(person, RDF.type, SCHEMA.Person)
        if name is not None:
            self.add(person, SCHEMA.name, Literal(" ".join(name.text.split())))
        if role is not None:
            tidy = " ".join(role.text.split())
            self.add(person, SCHEMA.jobTitle, Literal(tidy, lang=_lang_of(tidy, None)))
        for email in dict.fromkeys(person_emails):
            self.add(person, SCHEMA.email, email)
        for phone in dict.fromkeys(person_phones):
            self.add(person, SCHEMA.telephone, phone)

    # networks and partners

    def _own_key(self) -> str:
        tail = str(self.subject)[len(f"{self.base}actor/") :]
        return tail.replace("/", "-")

    def _relations(self) -> None:
        for cell in self.cells("network"):
            for name in self.items(cell):
                self._membership(name, cell)
        for cell in self.cells("partner"):
            for name in self.items(cell):
                self._cooperation(name, cell)

    def _named_actor(self, name: str, kind: str) -> URIRef:
        other = URIRef(f"{self.base}actor/{self.reader.source_id}/{slug(name)}")
        given, derived = name_literals(name)
        self.add(other, RDF.type, SSEKG.Actor)
        self.add(other, SSEKG.name, given)
        if derived is not None:
            self.add(other, SSEKG.transliteratedName, derived)
        self.add(other, SSEKG.actorType, ConceptRef("actor-type", kind).iri)
        self.add(other, PROV.wasDerivedFrom, self.record_iri)
        return other

    def _membership(self, name: str, cell: _Cell) -> None:
        if not slug(name):
            return
        network = self._named_actor(name, self.vocab.kind_from_name(name) or "NET")
        node = URIRef(f"{self.base}membership/{self._own_key()}/{slug(name)}")
        self.add(node, RDF.type, SSEKG.Membership)
        self.add(node, ORG.member, self.subject)
        self.add(node, ORG.organization, network)
        self.add(node, PROV.wasDerivedFrom, self.record_iri)
        self.add(self.subject, ORG.memberOf, network)

    def _cooperation(self, name: str, cell: _Cell) -> None:
        if not slug(name):
            return
        kind = self.vocab.kind_from_name(name)
        if kind is None:
            self.info(
                f"the kind of the partner {name!r} cannot be told from its name; it is kept as "
                "text (dct:relation), not as an actor.",
                f"vrsta partnera {name!r} ne može da se zaključi iz naziva; sačuvan je kao tekst "
                "(dct:relation), a ne kao akter.",
                cell,
                name,
            )
            self.add(self.subject, DCTERMS.relation, Literal(name, lang=_lang_of(name, None)))
            return
        partner = self._named_actor(name, kind)
        node = URIRef(f"{self.base}cooperation/{self._own_key()}/{slug(name)}")
        self.add(node, RDF.type, SSEKG.Cooperation)
        self.add(node, SSEKG.partner, self.subject)
        self.add(node, SSEKG.partner, partner)
        self.add(node, PROV.wasDerivedFrom, self.record_iri)


def _scheme_of(prop: str) -> str:
    from ssekg.loaders.mapping import PROPERTIES

    scheme = PROPERTIES[prop].scheme
    assert scheme is not None
    return scheme


def _local_place(iri: str) -> bool:
    """Whether an IRI is a municipality, city or city municipality of the gazetteer."""
    from ssekg.places import gazetteer

    graph = gazetteer().graph
    return any(
        (URIRef(iri), RDF.type, kind) in graph
        for kind in (SSEKG.City, SSEKG.Municipality, SSEKG.CityMunicipality)
    )


def _nace_section(division: int) -> str | None:
    for section, first, last in _NACE_DIVISIONS:
        if first <= division <= last:
            return section
    return None


def resolve_country(text: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from a country's code or name (English or Serbian, any
    script), or None."""
    key = fold(text)
    if key in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[key]
    if key in ("rs", "srb", "serbia"):
        return "RS"
    if len(key) == 2 and pycountry.countries.get(alpha_2=key.upper()) is not None:
        return key.upper()
    if len(key) == 3:
        found = pycountry.countries.get(alpha_3=key.upper())
        if found is not None:
            return str(found.alpha_2)
    try:
        return str(pycountry.countries.lookup(text.strip()).alpha_2)
    except LookupError:
        return None


def matching_mapping(path: Path) -> str | None:
    """The bundled mapping whose columns a CSV or XLSX file's header has (all of its
    required ones), or None: so ``ssekg load survey.csv`` needs no ``--mapping``."""
    from ssekg.loaders.mapping import bundled_mappings

    try:
        table = _open_table(path, Mapping(name="probe", source="probe", fields=()))
        header: list[str] | None = None
        second: list[str] = []
        for _, row in table.rows:
            if _blank_row(row):
                continue
            if header is None:
                header = [_cell_text(c).strip() for c in row]
                continue
            second = [_cell_text(c).strip() for c in row]
            break
    except (InputError, ParseError):
        return None
    if header is None:
        return None
    for name in bundled_mappings():
        mapping = load_mapping(name)
        if mapping.format != "table":
            continue
        try:
            mapping.resolve_columns([header, second], path.name)
        except InputError:
            continue
        return name
    return None
