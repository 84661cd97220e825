"""What the loaders for other networks' data share (TransforMap/SUSY GeoJSON, Murmurations
profiles, ESSGLOBAL RDF): countries written in many ways, concepts by code or label, contacts
split out of messy cells, and the nodes of one actor with the problems found on the way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.abc import Traversable
from typing import Any

import phonenumbers
import pycountry
import yaml
from rapidfuzz import fuzz, process
from rdflib import RDF, XSD, Graph, Literal, Node, URIRef
from rdflib.namespace import SKOS

from ssekg.loaders.clean import (
    Problem,
    clean_email,
    clean_phone,
    clean_url,
    match_place,
    name_literals,
)
from ssekg.namespaces import GEO, LOCN, SCHEMA, SSEKG, concept
from ssekg.resources import data_dir
from ssekg.text import fold, slug

#: The property that holds the concepts of each scheme on an actor.
SCHEME_PROPERTY: dict[str, URIRef] = {
    "actor-type": SSEKG.actorType,
    "legal-form": SSEKG.legalForm,
    "practice": SSEKG.practice,
    "target-group": SSEKG.targetGroup,
    "ecosystem-function": SSEKG.fulfilsFunction,
    "advocacy-topic": SSEKG.advocacyTopic,
    "nace-section": SSEKG.activity,
    "geographic-reach": SSEKG.geographicReach,
}

#: Hosts whose pages are social-media accounts (ssekg:socialAccount), not websites.
SOCIAL_HOSTS = (
    "facebook.com",
    "fb.com",
    "instagram.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "youtube.com",
    "tiktok.com",
    "vk.com",
    "t.me",
    "mastodon.social",
)

#: Serbia as the shapes draw it: longitude 18.8-23.1, latitude 41.8-46.25.
SERBIA_BOX = (18.8, 41.8, 23.1, 46.25)
#: Europe with its islands (Azores to the Urals, Crete to the North Cape).
EUROPE_BOX = (-32.0, 27.0, 45.0, 72.0)

_EMAIL = re.compile(r"[^@\s,;|<>()\"']+@[^@\s,;|<>()\"']+\.[A-Za-z]{2,}")
_DOMAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*(\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,24})(/\S*)?$")
_GENERIC_TLDS = frozenset(
    {
        "com",
        "org",
        "net",
        "info",
        "edu",
        "gov",
        "int",
        "biz",
        "coop",
        "eu",
        "asia",
        "online",
        "site",
        "app",
        "io",
        "blog",
        "berlin",
        "wien",
        "london",
        "scot",
        "wales",
        "cat",
    }
)
_OBFUSCATED_AT = re.compile(r"\s*[\(\[]\s*at\s*[\)\]]\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[;|,\s]+")


def crosswalk_file(name: str) -> Traversable:
    """A file of ``ssekg/loaders/crosswalks``."""
    return data_dir("loaders").joinpath("crosswalks").joinpath(name)


def read_yaml(name: str) -> Any:
    return yaml.safe_load(crosswalk_file(name).read_text(encoding="utf-8"))


def problem(
    severity: str, en: str, sr: str, column: str | None = None, value: object = None
) -> Problem:
    return Problem(
        severity=severity,
        message_en=en,
        message_sr=sr,
        column=column,
        value=None if value is None else str(value),
    )


def warning(en: str, sr: str, column: str | None = None, value: object = None) -> Problem:
    return problem("Warning", en, sr, column, value)


def violation(en: str, sr: str, column: str | None = None, value: object = None) -> Problem:
    return problem("Violation", en, sr, column, value)


def actor_iri(base: str, source_id: str, key: str) -> URIRef:
    """``{base}actor/{source-id}/{key}``, the key slugged (an URL without its scheme)."""
    bare = re.sub(r"^[a-z][a-z0-9+.-]*://", "", key.strip(), flags=re.IGNORECASE)
    return URIRef(f"{base}actor/{source_id}/{slug(bare) or 'record'}")


# --- countries -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CountryMatch:
    """The ISO 3166-1 alpha-2 code read from a country cell, and what was doubtful."""

    code: str | None
    problem: Problem | None = None


@lru_cache(maxsize=1)
def _country_tables() -> tuple[
    dict[str, str], dict[str, dict[str, str]], dict[str, str], dict[str, str]
]:
    data = read_yaml("countries.yaml")
    overrides = {fold(k): v for k, v in data["overrides"].items()}
    conventions = {
        name: {fold(k): v for k, v in codes.items()}
        for name, codes in (data.get("conventions") or {}).items()
    }
    codes: dict[str, str] = {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        codes[country.alpha_2.lower()] = country.alpha_2
        codes[country.alpha_3.lower()] = country.alpha_2
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                names[fold(value)] = country.alpha_2
    for key, code in data["names"].items():
        names[fold(key)] = code
    return overrides, conventions, codes, names


def resolve_country(
    text: str | None, column: str | None = None, *, convention: str | None = None
) -> CountryMatch:
    """A country as written ("Österreich", "UK", "Ελλάδα", "Frace") as its ISO code; a Warning
    when it was guessed from a misspelling or not recognised. ``convention`` names a dataset
    whose own codes apply first (``"susy"``: "SR" is Slovakia), see ``countries.yaml``."""
    if text is None or not str(text).strip():
        return CountryMatch(None)
    raw = str(text).strip()
    key = fold(raw)
    overrides, conventions, codes, names = _country_tables()
    own = conventions.get(convention or "", {})
    if key in own:
        return CountryMatch(own[key])
    if key in overrides:
        return CountryMatch(overrides[key])
    if key in codes:
        return CountryMatch(codes[key])
    if key in names:
        return CountryMatch(names[key])
    if len(key) > 3:
        best = process.extractOne(key, list(names), scorer=fuzz.ratio, score_cutoff=80)
        if best is not None:
            code = names[best[0]]
            return CountryMatch(
                code,
                warning(
                    f"The country {raw!r} is not a known name; it was read as {code}.",
                    f"Država {raw!r} nije poznat naziv; pročitana je kao {code}.",
                    column,
                    raw,
                ),
            )
    return CountryMatch(
        None,
        warning(
            f"The country {raw!r} is not recognised; it is kept only in the full address.",
            f"Država {raw!r} nije prepoznata; zadržana je samo u punoj adresi.",
            column,
            raw,
        ),
    )


def looks_like_url(token: str, *, any_tld: bool = False) -> bool:
    """A web address: with a scheme or "www.", or a bare domain; outside a website cell the
    top-level domain must be a known one (so "e.V." or "Dr.Smith" are not taken for one)."""
    if re.match(r"^(https?://|www\.)\S+$", token, re.IGNORECASE):
        return True
    match = _DOMAIN.match(token)
    if match is None:
        return False
    tld = match.group(2).lower()
    if any_tld:
        return True
    return tld in _GENERIC_TLDS or (len(tld) == 2 and tld.upper() in _iso_codes())


@lru_cache(maxsize=1)
def _iso_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | {"UK"}


def in_box(lon: float, lat: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def international_number(text: str) -> str | None:
    """The number written with its country code ("+43 …" or "0043 …"), as "+43…"; None for a
    national number, whose country the text does not tell."""
    tidy = text.strip()
    if tidy.startswith("00"):
        tidy = "+" + tidy[2:]
    if not tidy.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(tidy, "ZZ")
    except phonenumbers.NumberParseException:
        return None
    return tidy if phonenumbers.is_possible_number(number) else None


def phone_country(texts: Iterable[object]) -> str | None:
    """The country of the first international phone number among ``texts`` (its calling
    code), e.g. "AT" for "+43 316 821580"; None when no number tells."""
    for value in texts:
        if value is None:
            continue
        for piece in re.split(r"\s*[;,|/]\s*(?=\+|00)", str(value)):
            number = international_number(piece)
            if number is None:
                continue
            region = phonenumbers.region_code_for_number(phonenumbers.parse(number, "ZZ"))
            if region and region != "ZZ":
                return str(region)
    return None


# --- concepts ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _reference() -> Graph:
    from ssekg.reference import reference_graph

    return reference_graph()


@cache
def known_concepts(scheme_name: str) -> frozenset[str]:
    """The codes (notations) of one scheme's concepts."""
    scheme_iri = URIRef(concept(scheme_name, "")[:-1])
    graph = _reference()
    return frozenset(
        str(graph.value(c, SKOS.notation))
        for c in graph.subjects(SKOS.inScheme, scheme_iri)
        if graph.value(c, SKOS.notation) is not None
    )


@lru_cache(maxsize=1)
def concept_labels() -> dict[str, frozenset[tuple[str, str]]]:
    """Folded labels (pref and alt, every language) of the concepts that describe what an actor
    is and does -> (scheme, code) pairs; for free-text tags."""
    graph = _reference()
    index: dict[str, set[tuple[str, str]]] = {}
    for scheme_name in ("actor-type", "practice", "target-group", "ecosystem-function"):
        scheme_iri = URIRef(concept(scheme_name, "")[:-1])
        for c in graph.subjects(SKOS.inScheme, scheme_iri):
            code = str(graph.value(c, SKOS.notation))
            for prop in (SKOS.prefLabel, SKOS.altLabel):
                for label in graph.objects(c, prop):
                    key = fold(str(label))
                    if len(key) > 2:
                        index.setdefault(key, set()).add((scheme_name, code))
    return {k: frozenset(v) for k, v in index.items()}


def concepts_for_tag(tag: str) -> frozenset[tuple[str, str]]:
    """The concepts whose label is the tag, whole (case, script and diacritics aside)."""
    return concept_labels().get(fold(tag), frozenset())


def _coordinate(value: float) -> str:
    """A coordinate in plain decimal notation, to 8 places at most (about a millimetre)."""
    return f"{value:.8f}".rstrip("0").rstrip(".") or "0"


# --- one actor -------------------------------------------------------------------------------


@dataclass
class ActorBuilder:
    """The triples of one actor and its nodes, with the problems found while making them."""

    subject: URIRef
    graph: Graph = field(default_factory=Graph)
    problems: list[Problem] = field(default_factory=list)
    _contact: URIRef | None = None

    def __post_init__(self) -> None:
        self.graph.add((self.subject, RDF.type, SSEKG.Actor))

    def add(self, p: URIRef, o: Node, s: Node | None = None) -> None:
        self.graph.add((self.subject if s is None else s, p, o))

    def has(self, p: URIRef) -> bool:
        return (self.subject, p, None) in self.graph

    def warn(self, en: str, sr: str, column: str | None = None, value: object = None) -> None:
        self.problems.append(warning(en, sr, column, value))

    def reject(self, en: str, sr: str, column: str | None = None, value: object = None) -> None:
        self.problems.append(violation(en, sr, column, value))

    def name(self, text: str, *, serbian: bool, lang: str | None = None) -> None:
        """The name as given; Serbian names tagged by script with the other script derived."""
        tidy = " ".join(text.split())
        if not tidy:
            return
        if serbian:
            given, other = name_literals(tidy)
            self.add(SSEKG.name, given)
            if other is not None:
                self.add(SSEKG.transliteratedName, other)
        else:
            self.add(SSEKG.name, Literal(tidy, lang=lang or "und"))

    def text(self, p: URIRef, text: object, lang: str | None = None) -> None:
        if text is None:
            return
        tidy = str(text).strip()
        if tidy:
            self.add(p, Literal(tidy, lang=lang or "und"))

    def keyword(self, text: str) -> None:
        tidy = " ".join(str(text).split())
        if tidy:
            self.add(SCHEMA.keywords, Literal(tidy))

    def concepts(self, scheme_name: str, codes: Iterable[str], column: str | None = None) -> None:
        prop = SCHEME_PROPERTY[scheme_name]
        for code in codes:
            if code not in known_concepts(scheme_name):
                raise ValueError(f"{code!r} is not a concept of the {scheme_name} scheme")
            self.add(prop, URIRef(concept(scheme_name, code)))

    def concept_count(self, scheme_name: str) -> int:
        return len(set(self.graph.objects(self.subject, SCHEME_PROPERTY[scheme_name])))

    # where

    def address(
        self,
        *,
        street: str | None = None,
        number: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        country: str | None = None,
        full: str | None = None,
    ) -> None:
        parts = {
            LOCN.thoroughfare: street,
            LOCN.locatorDesignator: number,
            LOCN.postCode: postcode,
            LOCN.postName: city,
            LOCN.fullAddress: full,
        }
        values = {p: " ".join(str(v).split()) for p, v in parts.items() if v is not None}
        values = {p: v for p, v in values.items() if v}
        if not values and country is None:
            return
        node = URIRef(f"{self.subject}/address")
        self.add(LOCN.address, node)
        self.add(RDF.type, LOCN.Address, node)
        for p, v in values.items():
            self.add(p, Literal(v), node)
        if country is not None:
            self.add(SCHEMA.addressCountry, Literal(country), node)

    def point(self, lon: float, lat: float) -> None:
        node = URIRef(f"{self.subject}/geometry")
        self.add(GEO.hasGeometry, node)
        self.add(RDF.type, GEO.Geometry, node)
        wkt = f"POINT({_coordinate(lon)} {_coordinate(lat)})"
        self.add(GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral), node)

    def municipality(
        self, city: str | None, *, district: str | None = None, address: str | None = None
    ) -> bool:
        """Match a Serbian place name with the gazetteer; True when one place was found."""
        if not city or not city.strip():
            return False
        found = match_place(city, district=district, address=address, country="RS")
        self.problems.extend(found.problems)
        if found.place is not None:
            self.add(SSEKG.municipality, found.place)
            return True
        return False

    # contacts

    def _contact_node(self) -> URIRef:
        if self._contact is None:
            self._contact = URIRef(f"{self.subject}/contact/1")
            self.add(SCHEMA.contactPoint, self._contact)
            self.add(RDF.type, SCHEMA.ContactPoint, self._contact)
        return self._contact

    def _dropped(self, found: list[Problem], column: str, value: str) -> None:
        """Problems of a value that was left out: the record stays, so they are Warnings."""
        if not found:
            self.warn(
                f"{value!r} is not usable; the value was left out.",
                f"{value!r} nije upotrebljivo; vrednost je izostavljena.",
                column,
                value,
            )
        for p in found:
            self.problems.append(
                warning(
                    f"{p.message_en} The value was left out.",
                    f"{p.message_sr} Vrednost je izostavljena.",
                    p.column or column,
                    p.value if p.value is not None else value,
                )
            )

    def _kept(self, found: list[Problem], column: str) -> None:
        for p in found:
            self.problems.append(
                problem(p.severity, p.message_en, p.message_sr, p.column or column, p.value)
            )

    def url(self, text: str, column: str) -> None:
        iri, found = clean_url(text)
        if iri is None:
            self._dropped(found, column, text)
            return
        self._kept([p for p in found if p.severity != "Violation"], column)
        host = re.sub(r"^[a-z]+://", "", iri.lower()).split("/")[0]
        host = host[4:] if host.startswith("www.") else host
        social = any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)
        self.add(SSEKG.socialAccount if social else SCHEMA.url, URIRef(iri))

    def email(self, text: str, column: str) -> None:
        iri, found = clean_email(text)
        if iri is None:
            self._dropped(found, column, text)
            return
        self._kept([p for p in found if p.severity != "Violation"], column)
        self.add(SCHEMA.email, URIRef(iri), self._contact_node())

    def phone(self, text: str, column: str, country: str | None) -> None:
        """A phone number in E.164. National numbers are read in ``country``; when the country
        is not known only international numbers (``+43 …``, ``0043 …``) can be read, the others
        are left out with a Warning rather than guessed to be Serbian."""
        if country is None:
            number = international_number(text)
            if number is None:
                self.warn(
                    f"{text!r} has no country code and the country is not known, so the number "
                    "cannot be read; it was left out. Write it with its country code (+43 …).",
                    f"{text!r} nema pozivni broj zemlje, a država nije poznata, pa broj ne može "
                    "da se pročita; izostavljen je. Upišite ga sa pozivnim brojem (+43 …).",
                    column,
                    text,
                )
                return
            text = number
        number, found = clean_phone(text, country or "ZZ")
        if number is None and country is not None:
            # a common slip: the international number without its "+" (441612345678)
            digits = re.sub(r"\D", "", text)
            code = str(phonenumbers.country_code_for_region(country))
            if code != "0" and digits.startswith(code) and len(digits) > len(code) + 5:
                number, retry = clean_phone("+" + digits, country)
                if number is not None:
                    found = retry
        if number is None:
            self._dropped(found, column, text)
            return
        self._kept([p for p in found if p.severity != "Violation"], column)
        self.add(SCHEMA.telephone, Literal(number), self._contact_node())

    def contacts(
        self,
        *,
        websites: Iterable[tuple[str, object]] = (),
        emails: Iterable[tuple[str, object]] = (),
        phones: Iterable[tuple[str, object]] = (),
        country: str | None = None,
    ) -> None:
        """Websites, e-mails and phones from cells that mix them: each piece goes where it
        looks like it belongs (an e-mail in the website cell is an e-mail), each value once;
        words around them ("Email:", "Office:") are dropped, a cell with nothing usable is
        reported."""
        seen: set[str] = set()
        websites = list(websites)
        website_columns = {column for column, _ in websites}
        for column, value in [*websites, *emails]:
            text = "" if value is None else str(value).strip()
            if text in ("", "-"):
                continue
            used = False
            text = _OBFUSCATED_AT.sub("@", text)
            for address in _EMAIL.findall(text):
                used = True
                if address.lower() not in seen:
                    seen.add(address.lower())
                    self.email(address, column)
            for token in _SEPARATORS.split(_EMAIL.sub(" ", text)):
                token = token.strip(".:")
                if looks_like_url(token, any_tld=column in website_columns):
                    used = True
                    if token.lower() not in seen:
                        seen.add(token.lower())
                        self.url(token, column)
            if not used:
                self.warn(
                    f"{text!r} is neither a web address nor an e-mail; it was left out.",
                    f"{text!r} nije ni veb-adresa ni e-pošta; izostavljeno je.",
                    column,
                    text,
                )
        for column, value in phones:
            text = "" if value is None else str(value).strip()
            if text in ("", "-"):
                continue
            if looks_like_url(text):
                if text.lower() not in seen:
                    seen.add(text.lower())
                    self.url(text, column)
                continue
            found = [
                m.raw_string
                for m in phonenumbers.PhoneNumberMatcher(
                    text, country or "ZZ", leniency=phonenumbers.Leniency.POSSIBLE
                )
            ]
            if found:
                pieces = found
            elif re.search(r"[^\W\d_]{4}", text):
                pieces = [text]  # words, not numbers: one value to report
            else:
                pieces = re.split(r"\s*(?:[;,|]|\s/\s|\bor\b|\bili\b)\s*", text)
            for piece in pieces:
                piece = piece.strip()
                if piece and piece not in seen:
                    seen.add(piece)
                    self.phone(piece, column, country)

    def contact_page(self, text: str, column: str) -> None:
        """A web page with a contact form: on the contact point, not the actor."""
        iri, found = clean_url(text)
        if iri is None:
            self._dropped(found, column, text)
            return
        self.add(SCHEMA.url, URIRef(iri), self._contact_node())

    def founding_year(self, year: int) -> None:
        self.add(SSEKG.foundingYear, Literal(f"{year:04d}", datatype=XSD.gYear))

    def observed_on(self, date_text: str) -> None:
        self.add(SSEKG.observedOn, Literal(date_text, datatype=XSD.date))
