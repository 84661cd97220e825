"""Murmurations organisation profiles (schema ``organizations_schema-v1.0.0``): one source
record per profile.

A file holds one profile, a list of profiles, or an index page (``{"data": [...]}``, whose
entries carry ``profile_url``). The record key is the profile URL, else the primary URL.
Profiles are checked against the fields of the schema first (``crosswalks/
murmurations-organizations.schema.json``); tags are kept as keywords and, where a tag is the
label of an ssekg concept, give that concept ("Co-op" -> cooperative).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from rdflib import Graph, URIRef

from ssekg.errors import InputError
from ssekg.loaders.geojson import name_kinds, read_json
from ssekg.loaders.networks import (
    SERBIA_BOX,
    ActorBuilder,
    actor_iri,
    concepts_for_tag,
    crosswalk_file,
    in_box,
    resolve_country,
    violation,
)
from ssekg.loaders.pipeline import SourceRecord, check_source_id, default_source_id
from ssekg.namespaces import SCHEMA, SSEKG
from ssekg.text import detect_script

SCHEMA_NAME = "organizations_schema-v1.0.0"
_REACH = {"local": "LOCAL", "regional": "REGIONAL", "national": "NATIONAL"}
_REACH["international"] = "INTERNATIONAL"


@lru_cache(maxsize=1)
def _validator() -> Draft7Validator:
    text = crosswalk_file("murmurations-organizations.schema.json").read_text(encoding="utf-8")
    return Draft7Validator(json.loads(text))


def profile_errors(profile: Any) -> list[tuple[str, str, str]]:
    """Where a profile departs from the schema: (field path, what is wrong, the rule)."""
    return [
        (
            ".".join(str(p) for p in error.absolute_path) or "(profile)",
            error.message,
            str(error.validator),
        )
        for error in sorted(_validator().iter_errors(profile), key=lambda e: list(e.path))
    ]


def read_murmurations(
    path: Path, base: str, *, source_id: str | None = None
) -> Iterator[SourceRecord]:
    """One :class:`SourceRecord` per profile, in file order."""
    data = read_json(path)
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        profiles: list[Any] = data["data"]
    elif isinstance(data, list):
        profiles = data
    elif isinstance(data, dict) and ("name" in data or "primary_url" in data):
        profiles = [data]
    else:
        raise InputError(
            f"{path}: neither a Murmurations profile, a list of profiles nor an index page "
            '({"data": [...]}); give a file of organisation profiles.',
            f"{path}: nije ni Murmurations profil, ni lista profila, ni stranica indeksa "
            '({"data": [...]}); zadajte datoteku sa profilima organizacija.',
        )
    sid = check_source_id(source_id or default_source_id(path))
    first_seen: dict[str, int] = {}
    for number, profile in enumerate(profiles, start=1):
        yield profile_record(profile, number, base, sid, first_seen)


def _key(profile: dict[str, Any]) -> str | None:
    for field in ("profile_url", "primary_url"):
        value = profile.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def profile_record(
    profile: Any, number: int, base: str, source_id: str, first_seen: dict[str, int]
) -> SourceRecord:
    """The record of one profile."""
    if not isinstance(profile, dict):
        return SourceRecord(
            str(number),
            f"profile {number}",
            None,
            Graph(),
            [
                violation(
                    f"Entry {number} is not a profile object; it was not read.",
                    f"Stavka {number} nije objekat profila; nije pročitana.",
                )
            ],
        )
    key = _key(profile)
    if key is None:
        return SourceRecord(
            str(number),
            f"profile {number}",
            None,
            Graph(),
            [
                violation(
                    f"Profile {number} has neither a profile_url nor a primary_url, so it cannot "
                    "be told apart from others; add its primary_url.",
                    f"Profil {number} nema ni profile_url ni primary_url, pa se ne može "
                    "razlikovati od drugih; dodajte mu primary_url.",
                    "primary_url",
                )
            ],
        )
    locator = f"profile {key}"
    if key in first_seen:
        return SourceRecord(
            key,
            locator,
            None,
            Graph(),
            [
                violation(
                    f"The profile {key} appears again (first as entry {first_seen[key]}); "
                    "only the first one is read.",
                    f"Profil {key} se ponavlja (prvi put kao stavka {first_seen[key]}); čita "
                    "se samo prvi.",
                    "primary_url",
                    key,
                )
            ],
        )
    first_seen[key] = number
    person = _person_schemas(profile)
    if person:
        # a person's profile is personal data: nothing of it is read, not even its name
        return SourceRecord(
            key,
            locator,
            None,
            Graph(),
            [
                violation(
                    f"The profile is a person's ({person}), not an organisation's; people are "
                    "not loaded from Murmurations.",
                    f"Profil je osobe ({person}), a ne organizacije; osobe se ne učitavaju iz "
                    "Murmurations.",
                    "linked_schemas",
                    person,
                )
            ],
        )
    b = ActorBuilder(actor_iri(base, source_id, key))
    _check(b, profile)
    _describe(b, profile)
    return SourceRecord(key, locator, b.subject, b.graph, b.problems)


def _person_schemas(profile: dict[str, Any]) -> str | None:
    """The linked schemas, when they are all schemas of people's profiles."""
    schemas = profile.get("linked_schemas")
    if not isinstance(schemas, list) or not schemas:
        return None
    names = [str(s) for s in schemas]
    if any(s.startswith("organizations_schema") for s in names):
        return None
    if all("person" in s or "people" in s for s in names):
        return ", ".join(names)
    return None


def _check(b: ActorBuilder, profile: dict[str, Any]) -> None:
    for where, what, rule in profile_errors(profile):
        if where == "name" or (rule == "required" and "'name'" in what):
            b.reject(
                f"The profile's name is missing or not usable ({what}); Murmurations requires one.",
                f"Profilu nedostaje upotrebljiv naziv ({what}); Murmurations ga zahteva.",
                "name",
            )
        else:
            b.warn(
                f"The field {where} does not follow {SCHEMA_NAME}: {what}.",
                f"Polje {where} ne odgovara šemi {SCHEMA_NAME}: {what}.",
                where,
            )
    schemas = profile.get("linked_schemas")
    if isinstance(schemas, list) and schemas:
        names = [str(s) for s in schemas]
        if not any(s.startswith("organizations_schema") for s in names):
            b.warn(
                f"The profile does not declare {SCHEMA_NAME} ({', '.join(names)}); it was "
                "read as an organisation profile.",
                f"Profil ne navodi {SCHEMA_NAME} ({', '.join(names)}); pročitan je kao "
                "profil organizacije.",
                "linked_schemas",
                ", ".join(names),
            )
    if profile.get("status") == "deleted":
        b.reject(
            "The index marks this profile as deleted; it was not loaded.",
            "Indeks označava ovaj profil kao obrisan; nije učitan.",
            "status",
            "deleted",
        )


def _string(profile: dict[str, Any], field: str) -> str | None:
    value = profile.get(field)
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    return None


def _date(stamp: Any) -> datetime | None:
    if isinstance(stamp, int | float) and not isinstance(stamp, bool):
        try:
            return datetime.fromtimestamp(stamp, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _describe(b: ActorBuilder, p: dict[str, Any]) -> None:
    country = None
    for field in ("country_iso_3166", "country", "country_name"):
        text = _string(p, field)
        if text is None:
            continue
        match = resolve_country(text, field)
        if match.problem is not None:
            b.problems.append(match.problem)
        if match.code is not None:
            country = match.code
            break
    serbian = country == "RS"

    name = _string(p, "name")
    if name is not None:
        b.name(name, serbian=serbian)
    nickname = _string(p, "nickname")
    if nickname is not None and nickname != name:
        b.text(SCHEMA.alternateName, nickname, _lang(nickname, serbian))
    for field, prop in (("description", SCHEMA.description), ("mission", SSEKG.socialGoal)):
        text = _string(p, field)
        if text is not None:
            b.text(prop, text, _lang(text, serbian))

    point = None
    geo = p.get("geolocation")
    if isinstance(geo, dict):
        lat, lon = _number(geo.get("lat"), -90, 90), _number(geo.get("lon"), -180, 180)
    else:
        lat, lon = _number(p.get("latitude"), -90, 90), _number(p.get("longitude"), -180, 180)
    if lat is not None and lon is not None:
        point = (lon, lat)
        b.point(lon, lat)

    locality, region = _string(p, "locality"), _string(p, "region")
    street, full = _string(p, "street_address"), _string(p, "full_address")
    if serbian:
        b.municipality(locality, district=region, address=street or full)
    elif (
        country is None
        and point is not None
        and in_box(*point, SERBIA_BOX)
        and b.municipality(locality, district=region, address=street or full)
    ):
        serbian, country = True, "RS"
        b.warn(
            "No country is given; Serbia was taken from the place and the coordinates.",
            "Država nije navedena; Srbija je zaključena iz mesta i koordinata.",
            "country_iso_3166",
        )
    postcode = _string(p, "postal_code")
    if full is None:
        parts = (
            street,
            " ".join(x for x in (postcode, locality) if x),
            region,
            _string(p, "country_name"),
        )
        full = ", ".join(x for x in parts if x) or None
    b.address(street=street, postcode=postcode, city=locality, country=country, full=full)

    websites: list[tuple[str, object]] = []
    if _string(p, "primary_url"):
        websites.append(("primary_url", p["primary_url"]))
    for entry in p.get("urls") or []:
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            websites.append(("urls", entry["url"]))
    found_details = p.get("contact_details")
    details: dict[str, Any] = found_details if isinstance(found_details, dict) else {}
    emails = [
        (f, v)
        for f, v in (("email", p.get("email")), ("contact_details.email", details.get("email")))
        if v
    ]
    phones = [("telephone", p["telephone"])] if _string(p, "telephone") else []
    b.contacts(websites=websites, emails=emails, phones=phones, country=country)
    form = details.get("contact_form")
    if isinstance(form, str) and form.startswith(("http://", "https://")):
        b.contact_page(form, "contact_details.contact_form")

    _classify(b, p, name or "")

    reach = p.get("geographic_scope")
    if isinstance(reach, str) and reach in _REACH:
        b.concepts("geographic-reach", [_REACH[reach]])
    started = _date(p.get("starts_at"))
    if started is not None:
        b.founding_year(started.year)
    ended = _date(p.get("ends_at"))
    if ended is not None:
        b.warn(
            f"The profile says the organisation ended on {ended.date().isoformat()}; the date "
            "is not kept.",
            f"Profil kaže da je organizacija prestala sa radom {ended.date().isoformat()}; "
            "datum se ne čuva.",
            "ends_at",
            ended.date().isoformat(),
        )
    status = p.get("status")
    if isinstance(status, str) and status not in ("active", "posted", "deleted"):
        b.warn(
            f"The profile's status is {status!r}; the status is not kept.",
            f"Status profila je {status!r}; status se ne čuva.",
            "status",
            status,
        )
    updated = _date(p.get("last_updated"))
    if updated is not None:
        b.observed_on(updated.date().isoformat())
    profile_url = _string(p, "profile_url")
    if profile_url and profile_url.startswith(("http://", "https://")):
        b.add(SCHEMA.sameAs, URIRef(profile_url))


def _lang(text: str, serbian: bool) -> str:
    return (detect_script(text) or "und") if serbian else "und"


def _classify(b: ActorBuilder, p: dict[str, Any], name: str) -> None:
    tags = [" ".join(t.split()) for t in p.get("tags") or [] if isinstance(t, str) and t.strip()]
    found: dict[str, set[str]] = {}
    for tag in tags:
        b.keyword(tag)
        for scheme_name, code in concepts_for_tag(tag):
            found.setdefault(scheme_name, set()).add(code)
    types = found.setdefault("actor-type", set())
    if not types:
        from_name = name_kinds(name)
        types.update(k for k in from_name if k != "BUS")
        if not types:
            types.update(from_name)
    for scheme_name, codes in sorted(found.items()):
        b.concepts(scheme_name, sorted(codes), "tags")
    if not types:
        shown = ", ".join(tags) or "none"
        b.reject(
            f"No kind of actor follows from the tags ({shown}) or the name; add a tag such as "
            '"cooperative", "association" or "social enterprise".',
            f"Iz oznaka ({shown}) ili naziva ne sledi vrsta aktera; dodajte oznaku kao što je "
            '"zadruga", "udruženje" ili "socijalno preduzeće".',
            "tags",
            ", ".join(tags) or None,
        )
