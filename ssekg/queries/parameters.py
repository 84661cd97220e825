"""Typed parameters of the named queries: what a value may be, and how a value given as text
(on the command line or in a URL) becomes the RDF term the query is run with.

Types (the second word of a ``# param:`` header line, see ``docs/queries.md``):

* ``iri``: an absolute IRI; ``string``; ``integer``; ``decimal``; ``boolean``; ``date``
  (YYYY-MM-DD);
* ``enum(a|b|c)``: one of the listed words;
* ``concept(scheme)`` or ``concept(scheme|scheme)``: a concept of an ssekg taxonomy, given by
  its code (``SE``) or its IRI;
* ``place`` or ``place(level|level)``: a place of the gazetteer at one of the levels
  ``country``, ``region`` (NSTJ1 and NSTJ2), ``province``, ``district``, ``lsg`` (cities and
  municipalities) and ``city-municipality``, given by its code (``RS-07``, ``novi-sad``), its
  IRI, or its name in either script when the name is unambiguous.

A value that does not fit raises :class:`ssekg.errors.QueryError`, in English and Serbian."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from ssekg.errors import QueryError
from ssekg.namespaces import PLACE, SCHEME_BASE, SSEKG
from ssekg.resources import data_dir

SCALAR_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date")
#: Old header spellings, read as the types above.
ALIASES = {"IRI": "iri", "literal": "string", "str": "string", "int": "integer"}
PLACE_LEVELS: dict[str, tuple[URIRef, ...]] = {
    "country": (SSEKG.Country,),
    "region": (SSEKG.StatisticalRegion,),
    "province": (SSEKG.AutonomousProvince,),
    "district": (SSEKG.District,),
    "lsg": (SSEKG.Municipality, SSEKG.City),
    "city-municipality": (SSEKG.CityMunicipality,),
}
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_TYPE = re.compile(r"^(?P<base>[a-z]+)(?:\((?P<args>[^()]*)\))?$")
_TRUE = {"true", "1", "yes", "da"}
_FALSE = {"false", "0", "no", "ne"}
#: At most this many allowed values are named in an error message.
_SHOWN = 40


@dataclass(frozen=True)
class ParameterType:
    """The type of one parameter: ``base`` is a scalar type, ``enum``, ``concept`` or
    ``place``; ``args`` the words in its brackets (enum values, schemes, place levels)."""

    base: str
    args: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str, where: str) -> ParameterType:
        text = ALIASES.get(text, text)
        match = _TYPE.match(text)
        if match is None:
            raise _header_error(where, f"the type {text!r} is not known")
        base = match["base"]
        args = tuple(a.strip() for a in (match["args"] or "").split("|") if a.strip())
        if base in SCALAR_TYPES and not args:
            return cls(base)
        if base == "enum" and args:
            return cls(base, args)
        if base == "concept" and args:
            for scheme in args:
                if not concepts_of(scheme):
                    raise _header_error(where, f"there is no concept scheme {scheme!r}")
            return cls(base, args)
        if base == "place":
            unknown = [a for a in args if a not in PLACE_LEVELS]
            if unknown:
                raise _header_error(where, f"the place level {unknown[0]!r} is not known")
            return cls(base, args or tuple(PLACE_LEVELS))
        raise _header_error(where, f"the type {text!r} is not known")

    def __str__(self) -> str:
        return f"{self.base}({'|'.join(self.args)})" if self.args else self.base

    # -- what the type allows ------------------------------------------------------------------

    def allowed_values(self) -> list[str]:
        """The values a person may type, when there is a closed list (else empty)."""
        if self.base == "enum":
            return list(self.args)
        if self.base == "concept":
            return sorted({code for scheme in self.args for code in concepts_of(scheme)})
        if self.base == "place":
            return sorted(code for code, (_iri, level) in places().items() if level in self.args)
        return []

    def json_schema(self) -> dict[str, object]:
        """The OpenAPI / JSON Schema of the value as it is written in a URL."""
        if self.base == "integer":
            return {"type": "integer"}
        if self.base == "decimal":
            return {"type": "number"}
        if self.base == "boolean":
            return {"type": "boolean"}
        if self.base == "date":
            return {"type": "string", "format": "date"}
        if self.base == "iri":
            return {"type": "string", "format": "iri"}
        if self.base in ("enum", "concept"):
            return {"type": "string", "enum": self.allowed_values()}
        if self.base == "place":
            return {"type": "string", "examples": self.allowed_values()[:5]}
        return {"type": "string"}

    # -- reading a value -----------------------------------------------------------------------

    def to_term(self, name: str, text: str) -> Node:
        """The RDF term for ``text``, or a QueryError that says what is wrong."""
        value = text.strip()
        if self.base == "string":
            return Literal(text)
        if self.base == "iri":
            if value.startswith("<") and value.endswith(">"):
                value = value[1:-1]
            if not _IRI.match(value):
                raise _bad(name, text, "an absolute IRI such as https://w3id.org/ssekg/id/…",
                           "apsolutni IRI, npr. https://w3id.org/ssekg/id/…")  # fmt: skip
            return URIRef(value)
        if self.base == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                raise _bad(name, text, "a whole number", "ceo broj")
            return Literal(int(value), datatype=XSD.integer)
        if self.base == "decimal":
            try:
                number = Decimal(value)
            except InvalidOperation:
                raise _bad(name, text, "a number such as 1500.50", "broj, npr. 1500.50") from None
            if not number.is_finite():
                raise _bad(name, text, "a number such as 1500.50", "broj, npr. 1500.50")
            return Literal(number, datatype=XSD.decimal)
        if self.base == "boolean":
            if value.lower() in _TRUE:
                return Literal(True)
            if value.lower() in _FALSE:
                return Literal(False)
            raise _bad(name, text, "true or false", "true ili false")
        if self.base == "date":
            try:
                return Literal(date.fromisoformat(value), datatype=XSD.date)
            except ValueError:
                pass
            raise _bad(name, text, "a date as YYYY-MM-DD", "datum u obliku GGGG-MM-DD")
        if self.base == "enum":
            for allowed in self.args:
                if value.lower() == allowed.lower():
                    return Literal(allowed)
            raise _not_allowed(name, text, list(self.args))
        if self.base == "concept":
            return self._concept(name, text, value)
        return self._place(name, text, value)

    def _concept(self, name: str, text: str, value: str) -> URIRef:
        found: set[str] = set()
        for scheme in self.args:
            codes = concepts_of(scheme)
            if value.startswith(SCHEME_BASE):
                if value in codes.values():
                    found.add(value)
                continue
            for code, iri in codes.items():
                if code.upper() == value.upper():
                    found.add(iri)
        if len(found) == 1:
            return URIRef(found.pop())
        if len(found) > 1:
            raise QueryError(
                f"the parameter {name}={text!r} names concepts of several schemes "
                f"({', '.join(sorted(found))}); give the IRI of the one you mean.",
                f"parametar {name}={text!r} označava pojmove više šema "
                f"({', '.join(sorted(found))}); navedite IRI pojma koji mislite.",
            )
        raise _not_allowed(name, text, self.allowed_values())

    def _place(self, name: str, text: str, value: str) -> URIRef:
        index = places()
        code = value.removeprefix(str(PLACE)) if value.startswith(str(PLACE)) else value
        entry = index.get(code) or index.get(code.upper()) or index.get(code.lower())
        if entry is None and not value.startswith(("http://", "https://")):
            entry = _place_by_name(value)
        if entry is not None and entry[1] in self.args:
            return URIRef(entry[0])
        levels = ", ".join(self.args)
        examples = ", ".join(self.allowed_values()[:6])
        raise QueryError(
            f"the parameter {name}={text!r} is not a place of the gazetteer at the level "
            f"{levels}; give a place code such as {examples}, or its IRI.",
            f"parametar {name}={text!r} nije mesto iz registra mesta na nivou {levels}; "
            f"navedite šifru mesta, npr. {examples}, ili njegov IRI.",
        )


def _place_by_name(name: str) -> tuple[str, str] | None:
    """The gazetteer entry of a city, municipality or district named in either script, when
    the name means one place only."""
    from ssekg.places import gazetteer

    found = gazetteer().find(name)
    if len(found) != 1:
        return None
    code = found[0].removeprefix(str(PLACE))
    return places().get(code)


def _header_error(where: str, what: str) -> QueryError:
    return QueryError(
        f"{where}: {what}; see docs/queries.md for the parameter types.",
        f"{where}: nepoznat tip ili šema ({what}); tipovi parametara su opisani u docs/queries.md.",
    )


def _bad(name: str, text: str, expected_en: str, expected_sr: str) -> QueryError:
    return QueryError(
        f"the parameter {name}={text!r} is not {expected_en}; correct the value and try again.",
        f"parametar {name}={text!r} nije {expected_sr}; ispravite vrednost i pokušajte ponovo.",
    )


def _not_allowed(name: str, text: str, allowed: Sequence[str]) -> QueryError:
    shown = ", ".join(allowed[:_SHOWN]) + (", …" if len(allowed) > _SHOWN else "")
    return QueryError(
        f"the parameter {name}={text!r} is not an allowed value; use one of: {shown}.",
        f"parametar {name}={text!r} nije dozvoljena vrednost; koristite jednu od: {shown}.",
    )


# -- the closed lists: taxonomy codes and gazetteer places ---------------------------------------


@cache
def concepts_of(scheme: str) -> dict[str, str]:
    """The concepts of one taxonomy (``ssekg/ontology/schemes/{scheme}.ttl``): code → IRI."""
    folder = data_dir("ontology").joinpath("schemes")
    source = folder.joinpath(f"{scheme}.ttl")
    if not re.fullmatch(r"[a-z][a-z0-9\-]*", scheme) or not source.is_file():
        return {}
    graph = Graph().parse(data=source.read_text(encoding="utf-8"), format="turtle")
    scheme_iri = URIRef(SCHEME_BASE + scheme)
    codes = {}
    for concept in graph.subjects(SKOS.inScheme, scheme_iri):
        notation = graph.value(concept, SKOS.notation)
        if notation is not None:
            codes[str(notation)] = str(concept)
    return codes


@lru_cache(maxsize=1)
def places() -> dict[str, tuple[str, str]]:
    """Every place of the gazetteer by its code: (IRI, level)."""
    text = data_dir("ontology").joinpath("places.ttl").read_text(encoding="utf-8")
    graph = Graph().parse(data=text, format="turtle")
    level_of = {cls: level for level, classes in PLACE_LEVELS.items() for cls in classes}
    found: dict[str, tuple[str, str]] = {}
    for place, cls in graph.subject_objects(RDF.type):
        level = level_of.get(cls)  # type: ignore[call-overload]
        if level is None or not str(place).startswith(str(PLACE)):
            continue
        found[str(place).removeprefix(str(PLACE))] = (str(place), level)
    return found
