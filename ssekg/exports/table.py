"""The export for people: one row per actor, one column per dimension, headers and concept
labels in the chosen language and script, several values in one cell joined with "; ".
Written as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the letters right)
or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

import cyrtranslit
from openpyxl import Workbook
from openpyxl.styles import Font
from rdflib import Literal, URIRef
from rdflib.term import Node

from ssekg.exports.records import ActorRecord, Records, display_name, in_language
from ssekg.namespaces import LOCN, SCHEMA, SSEKG

JOIN = "; "


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    sr: str  # Serbian, Latin script; the Cyrillic header is transliterated from it
    value: Callable[[ActorRecord, Records, str], str]

    def header(self, lang: str) -> str:
        if lang == "en" or self.key == "iri":  # "IRI" is the same in every language
            return self.en
        if lang == "sr-Cyrl":
            return cyrtranslit.to_cyrillic(self.sr, "sr")
        return self.sr


def _join(items: Iterable[str]) -> str:
    return JOIN.join(sorted({i for i in items if i}))


def _text(value: Node | None) -> str:
    return "" if value is None else str(value)


def _labels(prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        return _join(records.label(str(c), lang) for c in record.all(prop))

    return value


def _plain(prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        return _join(_text(v) for v in record.all(prop))

    return value


def _said(prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        return in_language(record.all(prop), lang) or ""

    return value


def _offered(link: URIRef, cls: URIRef, prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        concepts = [n.first(prop) for n in record.nodes(link, cls)]
        return _join(records.label(str(k), lang) for k in concepts if k is not None)

    return value


def _place(cls: URIRef | None, code_length: int | None = None) -> Callable[..., str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        seat = record.first(SSEKG.municipality)
        if seat is None:
            return ""
        place = str(seat) if cls is None else records.above(str(seat), cls, code_length)
        return records.label(place, lang) if place else ""

    return value


def _address(prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        address = record.address()
        return _text(address.first(prop)) if address is not None else ""

    return value


def _coordinate(index: int) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        point = record.point()
        return f"{point[index]:.5f}" if point is not None else ""

    return value


def _statuses(record: ActorRecord, records: Records, lang: str) -> str:
    out = []
    for status in record.nodes(SSEKG.hasStatus):
        kind = status.first(SSEKG.statusKind)
        if kind is None:
            continue
        text = records.label(str(kind), lang)
        granted, ended = status.first(SSEKG.grantedOn), status.first(SSEKG.endedOn)
        if granted is not None or ended is not None:
            text += f" ({_text(granted)}–{_text(ended)})" if ended else f" ({_text(granted)})"
        out.append(text)
    return _join(out)


_YES_NO = {"en": ("yes", "no"), "sr-Latn": ("da", "ne"), "sr-Cyrl": ("да", "не")}


def _self_identified(record: ActorRecord, records: Records, lang: str) -> str:
    flag = record.first(SSEKG.selfIdentifiesAsSE)
    if not isinstance(flag, Literal):
        return ""
    yes, no = _YES_NO[lang]
    return yes if flag.toPython() is True else no


def _networks(record: ActorRecord, records: Records, lang: str) -> str:
    names = []
    for network in record.networks:
        other = records.by_iri.get(network)
        names.append(display_name(other, lang) if other is not None else network)
    return _join(names)


def _iri(record: ActorRecord, records: Records, lang: str) -> str:
    return record.iri


def _name(record: ActorRecord, records: Records, lang: str) -> str:
    return display_name(record, lang)


def _contacts(prop: URIRef) -> Callable[[ActorRecord, Records, str], str]:
    def value(record: ActorRecord, records: Records, lang: str) -> str:
        return _join(record.contacts(prop))

    return value


COLUMNS: tuple[Column, ...] = (
    Column("iri", "IRI", "IRI", _iri),
    Column("name", "Name", "Naziv", _name),
    Column("legalName", "Registered name", "Registrovani naziv", _said(SSEKG.legalName)),
    Column("alternateName", "Other names", "Drugi nazivi", _plain(SCHEMA.alternateName)),
    Column("registrationNumber", "Registration number (MB)", "Matični broj",
           _plain(SSEKG.registrationNumber)),
    Column("taxNumber", "Tax number (PIB)", "PIB", _plain(SSEKG.taxNumber)),
    Column("actorType", "Actor type", "Vrsta aktera", _labels(SSEKG.actorType)),
    Column("legalForm", "Legal form", "Pravna forma", _labels(SSEKG.legalForm)),
    Column("status", "Social-enterprise status", "Status socijalnog preduzeća", _statuses),
    Column("selfIdentifiesAsSE", "Calls itself a social enterprise",
           "Sebe smatra socijalnim preduzećem", _self_identified),
    Column("foundingYear", "Founding year", "Godina osnivanja", _plain(SSEKG.foundingYear)),
    Column("registrationDate", "Registration date", "Datum registracije",
           _plain(SSEKG.registrationDate)),
    Column("municipality", "City or municipality", "Grad ili opština", _place(None)),
    Column("district", "District", "Okrug", _place(SSEKG.District)),
    Column("region", "Region", "Region", _place(SSEKG.StatisticalRegion, 4)),
    Column("address", "Address", "Adresa", _address(LOCN.fullAddress)),
    Column("postCode", "Postcode", "Poštanski broj", _address(LOCN.postCode)),
    Column("latitude", "Latitude", "Geografska širina", _coordinate(1)),
    Column("longitude", "Longitude", "Geografska dužina", _coordinate(0)),
    Column("website", "Website", "Veb-sajt", _plain(SCHEMA.url)),
    Column("email", "E-mail", "Imejl", _contacts(SCHEMA.email)),
    Column("telephone", "Telephone", "Telefon", _contacts(SCHEMA.telephone)),
    Column("socialAccount", "Social media", "Društvene mreže", _plain(SSEKG.socialAccount)),
    Column("activity", "Economic activity (NACE)", "Delatnost (NACE)", _labels(SSEKG.activity)),
    Column("activityCode", "Activity codes", "Šifre delatnosti", _plain(SSEKG.activityCode)),
    Column("practice", "Practices", "Prakse", _labels(SSEKG.practice)),
    Column("targetGroup", "Target groups", "Ciljne grupe", _labels(SSEKG.targetGroup)),
    Column("socialGoal", "Social goal", "Društveni cilj", _said(SSEKG.socialGoal)),
    Column("function", "Ecosystem functions", "Funkcije u ekosistemu",
           _labels(SSEKG.fulfilsFunction)),
    Column("advocacyTopic", "Advocacy topics", "Teme zagovaranja", _labels(SSEKG.advocacyTopic)),
    Column("geographicReach", "Geographic reach", "Geografski domet",
           _labels(SSEKG.geographicReach)),
    Column("capacitiesOffered", "Capacities offered", "Ponuđeni kapaciteti",
           _offered(SSEKG.offers, SSEKG.CapacityOffer, SSEKG.capacityArea)),
    Column("capacitiesNeeded", "Capacities needed", "Potrebni kapaciteti",
           _offered(SSEKG.needs, SSEKG.CapacityNeed, SSEKG.capacityArea)),
    Column("resourcesOffered", "Resources offered", "Ponuđeni resursi",
           _offered(SSEKG.offers, SSEKG.ResourceOffer, SSEKG.resourceType)),
    Column("resourcesNeeded", "Resources needed", "Potrebni resursi",
           _offered(SSEKG.needs, SSEKG.ResourceNeed, SSEKG.resourceType)),
    Column("willingToJoin", "Willing to join", "Spreman da se pridruži",
           _labels(SSEKG.willingToJoin)),
    Column("memberOf", "Member of", "Član mreža", _networks),
    Column("employees", "Employees", "Zaposleni", _plain(SSEKG.employees)),
    Column("employeesFromVulnerableGroups", "Employees from vulnerable groups",
           "Zaposleni iz osetljivih grupa", _plain(SSEKG.employeesFromVulnerableGroups)),
    Column("volunteers", "Volunteers", "Volonteri", _plain(SSEKG.volunteers)),
    Column("description", "Description", "Opis", _said(SCHEMA.description)),
    Column("observedOn", "Observed on", "Datum podataka", _plain(SSEKG.observedOn)),
)  # fmt: skip
SHEET_TITLE = {"en": "Actors", "sr-Latn": "Akteri", "sr-Cyrl": "Актери"}


def table(records: Records, lang: str) -> tuple[list[str], list[list[str]]]:
    """The headers and the rows, one per actor, in name order."""
    headers = [c.header(lang) for c in COLUMNS]
    ordered = sorted(records.actors, key=lambda r: (display_name(r, lang).casefold(), r.iri))
    rows = [[c.value(record, records, lang) for c in COLUMNS] for record in ordered]
    return headers, rows


def write_csv(records: Records, out: BinaryIO, lang: str) -> None:
    headers, rows = table(records, lang)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    writer.writerows(rows)
    out.write(text.getvalue().encode("utf-8-sig"))


def write_xlsx(records: Records, out: BinaryIO, lang: str) -> None:
    headers, rows = table(records, lang)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET_TITLE[lang]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # a value that starts with "=" is text, not a formula
                cell.data_type = "s"
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, header in enumerate(headers, start=1):
        longest = max([len(header), *(len(r[index - 1]) for r in rows[:200])])
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = min(60, max(10, longest + 2))
    book.save(out)
