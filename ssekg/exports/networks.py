"""Exports for other SSE networks, with facts only (what the graph states, mapped through the
alignments its taxonomies state; nothing guessed):

* the ESSGLOBAL view as Digital Commons Cooperative's "standard CSV" (version 4 of its
  ``sse_initiatives`` schema: Identifier, Name, ..., Geo Container Longitude) and as Turtle in
  the shape DCC's tools publish (``essglobal:SSEInitiative`` with GoodRelations, vCard and
  WGS84 terms), with ESSGLOBAL 2.1 IRIs (``https://lod.coop/essglobal/2.1/``) wherever a
  concept has a ``skos:closeMatch`` to ESSGLOBAL;
* Murmurations organisation profiles (``organizations_schema-v1.0.0``), one per actor."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from ssekg.exports.records import ActorRecord, Records, display_name, in_language
from ssekg.namespaces import LOCN, SCHEMA, SSEKG

ESSGLOBAL_PURL = "http://purl.org/essglobal/"
ESSGLOBAL_BASE = "https://lod.coop/essglobal/2.1/"
ESS = Namespace(ESSGLOBAL_BASE + "vocab/")
GR = Namespace("http://purl.org/goodrelations/v1#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
SPATIAL = Namespace("http://data.ordnancesurvey.co.uk/ontology/spatialrelations/")
COUNTRIES = ESSGLOBAL_BASE + "standard/countries-iso/"

#: DCC's standard CSV, schema version 4, in its column order.
DCC_HEADERS = (
    "Identifier", "Name", "Description", "Organisational Structure", "Primary Activity",
    "Activities", "Street Address", "Locality", "Region", "Postcode", "Country ID",
    "Territory ID", "Website", "Phone", "Email", "Twitter", "Facebook",
    "Companies House Number", "Qualifiers", "Membership Type", "Latitude", "Longitude",
    "Geo Container", "Geo Container Latitude", "Geo Container Longitude",
)  # fmt: skip
SUBFIELD = ";"
MURMURATIONS_SCHEMA = "organizations_schema-v1.0.0"
_REACH = {
    "LOCAL": "local",
    "DISTRICT": "regional",
    "REGIONAL": "regional",
    "NATIONAL": "national",
    "INTERNATIONAL": "international",
}
_TWITTER = ("twitter.com", "www.twitter.com", "x.com", "www.x.com")
_FACEBOOK = ("facebook.com", "www.facebook.com", "m.facebook.com")


def lod_coop(iri: str) -> str:
    """An ESSGLOBAL IRI in its 2.1 form on lod.coop."""
    if iri.startswith(ESSGLOBAL_PURL):
        return ESSGLOBAL_BASE + iri.removeprefix(ESSGLOBAL_PURL)
    return iri


@dataclass
class Initiative:
    """One actor as ESSGLOBAL sees it: the facts of the standard CSV, IRIs in 2.1 form."""

    record: ActorRecord
    identifier: str
    name: str
    description: str
    structures: list[str]
    legal_forms: list[str]
    activities: list[str]
    qualifiers: list[str]
    street: str
    locality: str
    region: str
    postcode: str
    country: str
    website: str
    phones: list[str]
    emails: list[str]
    twitter: str
    facebook: str
    point: tuple[float, float] | None
    container: str
    container_point: tuple[float, float] | None

    @property
    def primary_activity(self) -> str:
        """The one activity, when there is exactly one; which of several is the main one is
        not stated, so then none is called primary."""
        return self.activities[0] if len(self.activities) == 1 else ""

    @property
    def other_activities(self) -> list[str]:
        return [] if len(self.activities) == 1 else self.activities


def _matches(records: Records, concepts: list[str], scheme: str) -> list[str]:
    prefix = f"{ESSGLOBAL_PURL}standard/{scheme}/"
    found = {
        lod_coop(match)
        for concept in concepts
        for match in records.essglobal.get(concept, [])
        if match.startswith(prefix)
    }
    return sorted(found)


def _iris(record: ActorRecord, prop: URIRef) -> list[str]:
    return [str(v) for v in record.all(prop)]


def _account(record: ActorRecord, hosts: tuple[str, ...]) -> str:
    for account in sorted(_iris(record, SSEKG.socialAccount)):
        if urlsplit(account).hostname in hosts:
            return account
    return ""


def initiative(record: ActorRecord, records: Records, lang: str) -> Initiative:
    types = _iris(record, SSEKG.actorType)
    forms = _iris(record, SSEKG.legalForm)
    practices = _iris(record, SSEKG.practice)
    address = record.address()

    def part(prop: URIRef) -> str:
        value = address.first(prop) if address is not None else None
        return str(value) if value is not None else ""

    street = " ".join(x for x in (part(LOCN.thoroughfare), part(LOCN.locatorDesignator)) if x)
    seat = record.first(SSEKG.municipality)
    place = str(seat) if seat is not None else ""
    district = records.above(place, SSEKG.District) if place else None
    country = part(SCHEMA.addressCountry) or ("RS" if place and records.ancestors(place) else "")
    websites = sorted(_iris(record, SCHEMA.url))
    return Initiative(
        record=record,
        identifier=record.iri.rstrip("/").split("/actor/", 1)[-1].replace("/", "-"),
        name=display_name(record, lang),
        description=in_language(record.all(SCHEMA.description), lang) or "",
        structures=_matches(records, types + forms, "organisational-structure"),
        legal_forms=_matches(records, forms, "legal-form"),
        activities=_matches(records, practices, "activities-modified"),
        qualifiers=_matches(records, practices, "qualifiers"),
        street=street or part(LOCN.fullAddress),
        locality=part(LOCN.postName) or (records.label(place, "sr-Latn") if place else ""),
        region=records.label(district, "sr-Latn") if district else "",
        postcode=part(LOCN.postCode),
        country=country,
        website=websites[0] if websites else "",
        phones=record.contacts(SCHEMA.telephone),
        emails=record.contacts(SCHEMA.email),
        twitter=_account(record, _TWITTER),
        facebook=_account(record, _FACEBOOK),
        point=record.point(),
        container=place,
        container_point=records.seats.get(place) if place else None,
    )


def _coordinate(point: tuple[float, float] | None, index: int) -> str:
    return f"{point[index]:.5f}" if point is not None else ""


def write_dcc_csv(records: Records, out: BinaryIO, lang: str) -> None:
    """DCC's standard CSV: one row per actor; several values in a cell separated by ";"."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(DCC_HEADERS)
    for record in records.actors:
        item = initiative(record, records, lang)
        writer.writerow(
            [
                item.identifier,
                item.name,
                item.description,
                SUBFIELD.join(item.structures),
                item.primary_activity,
                SUBFIELD.join(item.other_activities),
                item.street,
                item.locality,
                item.region,
                item.postcode,
                item.country,
                COUNTRIES + item.country if item.country else "",
                item.website,
                item.phones[0] if item.phones else "",
                item.emails[0] if item.emails else "",
                item.twitter,
                item.facebook,
                "",  # a UK register number: never applies here
                SUBFIELD.join(item.qualifiers),
                "",  # ESSGLOBAL base-membership-type: not recorded by ssekg
                _coordinate(item.point, 1),
                _coordinate(item.point, 0),
                item.container,
                _coordinate(item.container_point, 1),
                _coordinate(item.container_point, 0),
            ]
        )
    out.write(text.getvalue().encode("utf-8"))


def essglobal_graph(records: Records, lang: str) -> Graph:
    """The ESSGLOBAL view as RDF, in the shape of DCC's published initiatives."""
    graph = Graph()
    for prefix, namespace in (
        ("essglobal", ESS), ("gr", GR), ("vcard", VCARD), ("geo", WGS84),
        ("osspatialrelations", SPATIAL), ("foaf", FOAF), ("dcterms", DCTERMS), ("owl", OWL),
    ):  # fmt: skip
        graph.bind(prefix, namespace)
    for record in records.actors:
        item = initiative(record, records, lang)
        me = URIRef(record.iri)
        graph.add((me, RDF.type, ESS.SSEInitiative))
        graph.add((me, GR.name, Literal(item.name)))
        if item.description:
            graph.add((me, DCTERMS.description, Literal(item.description)))
        if item.website:
            graph.add((me, FOAF.homepage, URIRef(item.website)))
        for iri in item.structures:
            graph.add((me, ESS.organisationalStructure, URIRef(iri)))
        for iri in item.legal_forms:
            graph.add((me, ESS.legalForm, URIRef(iri)))
        for iri in item.activities:
            graph.add((me, ESS.economicSector, URIRef(iri)))
        if item.primary_activity:
            graph.add((me, ESS.primarySector, URIRef(item.primary_activity)))
        for iri in item.qualifiers:
            graph.add((me, ESS.qualifier, URIRef(iri)))
        for phone in item.phones:
            graph.add((me, VCARD.hasTelephone, URIRef("tel:" + phone.replace(" ", ""))))
        for email in item.emails:
            graph.add((me, VCARD.hasEmail, URIRef("mailto:" + email)))
        for same in record.all(OWL.sameAs):
            graph.add((me, OWL.sameAs, same))
        address = record.address()
        if address is None and item.point is None and not item.container:
            continue
        node = URIRef(address.iri if address is not None else record.iri + "/address")
        graph.add((me, ESS.hasAddress, node))
        graph.add((node, RDF.type, ESS.Address))
        for value, prop in (
            (item.street, "street-address"), (item.locality, "locality"),
            (item.region, "region"), (item.postcode, "postal-code"),
            (item.country, "country-name"),
        ):  # fmt: skip
            if value:
                graph.add((node, VCARD[prop], Literal(value)))
        if item.point is not None:
            graph.add((node, WGS84.lat, Literal(f"{item.point[1]:.5f}", datatype=XSD.decimal)))
            graph.add((node, WGS84.long, Literal(f"{item.point[0]:.5f}", datatype=XSD.decimal)))
        if item.container:
            container = URIRef(item.container)
            graph.add((node, SPATIAL.within, container))
            if item.container_point is not None:
                lon, lat = item.container_point
                graph.add((container, WGS84.lat, Literal(f"{lat:.5f}", datatype=XSD.decimal)))
                graph.add((container, WGS84.long, Literal(f"{lon:.5f}", datatype=XSD.decimal)))
    return graph


def write_essglobal_turtle(records: Records, out: BinaryIO, lang: str) -> None:
    out.write(essglobal_graph(records, lang).serialize(format="turtle", encoding="utf-8"))


# -- Murmurations --------------------------------------------------------------------------------


def _timestamp(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def murmurations_profile(record: ActorRecord, records: Records, lang: str) -> dict[str, Any]:
    """One organisation profile; only fields of organizations_schema-v1.0.0, only facts."""
    profile: dict[str, Any] = {
        "linked_schemas": [MURMURATIONS_SCHEMA],
        "name": display_name(record, lang),
    }
    others = [str(n) for n in record.all(SCHEMA.alternateName)]
    if others:
        profile["nickname"] = sorted(others)[0]
    websites = sorted(u for u in _iris(record, SCHEMA.url) if u.startswith(("http://", "https://")))
    if websites:
        profile["primary_url"] = websites[0]
    tags = [
        records.label(str(c), lang)
        for prop in (SSEKG.actorType, SSEKG.legalForm, SSEKG.practice, SSEKG.targetGroup)
        for c in record.all(prop)
    ]
    if tags:
        profile["tags"] = sorted(set(tags))
    urls = [{"name": "ssekg", "url": record.iri}]
    urls += [{"name": "website", "url": u} for u in websites[1:]]
    urls += [
        {"name": "social media", "url": u}
        for u in sorted(_iris(record, SSEKG.socialAccount))
        if u.startswith(("http://", "https://"))
    ]
    profile["urls"] = urls
    description = in_language(record.all(SCHEMA.description), lang)
    if description:
        profile["description"] = description
    mission = in_language(record.all(SSEKG.socialGoal), lang)
    if mission:
        profile["mission"] = mission
    address = record.address()
    full = address.first(LOCN.fullAddress) if address is not None else None
    if full is not None:
        profile["full_address"] = str(full)
    item = initiative(record, records, lang)
    if item.country:
        profile["country_iso_3166"] = item.country
    if item.point is not None:
        profile["geolocation"] = {"lat": item.point[1], "lon": item.point[0]}
    if item.emails:
        profile["contact_details"] = {"email": item.emails[0]}
    if item.phones:
        profile["telephone"] = item.phones[0]
    reach = record.first(SSEKG.geographicReach)
    if reach is not None and str(reach).rsplit("/", 1)[-1] in _REACH:
        profile["geographic_scope"] = _REACH[str(reach).rsplit("/", 1)[-1]]
    registered = record.first(SSEKG.registrationDate)
    if isinstance(registered, Literal) and isinstance(registered.toPython(), date):
        profile["starts_at"] = _timestamp(registered.toPython())
    relationships = [
        {"predicate_url": str(SCHEMA.memberOf), "object_url": network}
        for network in sorted(record.networks)
    ]
    if relationships:
        profile["relationships"] = relationships
    profile["unique_id"] = record.iri
    return profile


def write_murmurations(records: Records, out: BinaryIO, lang: str) -> None:
    profiles = [murmurations_profile(r, records, lang) for r in records.actors]
    out.write(json.dumps(profiles, ensure_ascii=False, indent=1).encode("utf-8"))
