"""The named SPARQL queries shipped with ssekg (``*.rq`` beside this file), and how they run.

Each file starts with a header of ``# key: value`` lines (the format is described in
``docs/queries.md``): ``title`` and ``description`` (each also as ``title@sr-Latn`` …), and
one ``param:`` line per parameter, ``# param: NAME TYPE [default=V | optional] [example=V]
description``, with ``param@sr-Latn: NAME description`` for the Serbian description.

Two parameter names page through a long list, as grlc-style APIs do: ``limit`` and
``offset`` (both ``integer``, e.g. ``# param: limit integer default=100 ...``). They are not
bound to variables: :meth:`NamedQuery.prepare` checks that they are whole numbers of at
least 0 and ends the query text with ``LIMIT n OFFSET m`` (a query that has them must not
end in a LIMIT, OFFSET or VALUES clause of its own).

:meth:`NamedQuery.bind` turns the values a person typed into RDF terms (checking names,
types and allowed values, filling in defaults); :func:`run_named` runs a query with them as
real bindings (``Store.query(bindings=...)``), never by pasting them into the text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rdflib.term import Node

from ssekg.errors import QueryError
from ssekg.queries.parameters import ParameterType
from ssekg.resources import data_files

if TYPE_CHECKING:
    from ssekg.store.base import Store
    from ssekg.store.results import QueryResult

_OPTION_KEYS = ("default", "example")
#: Parameters that page through the rows instead of binding a variable.
PAGING = ("limit", "offset")


@dataclass(frozen=True)
class Parameter:
    """One parameter: the SPARQL variable it binds (``?name``), its type, and either a
    default, or ``optional`` (the variable stays unbound when no value is given), or neither
    (the value is required)."""

    name: str
    kind: str  # the type as written in the header, e.g. "concept(actor-type)"
    description: str
    descriptions: dict[str, str] = field(default_factory=dict)
    type: ParameterType = field(default_factory=lambda: ParameterType("string"))
    default: str | None = None
    optional: bool = False
    example: str | None = None

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional

    def describe(self, lang: str = "en") -> str:
        return self.descriptions.get(lang) or self.description


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    parameters: tuple[Parameter, ...] = ()

    @property
    def title(self) -> str:
        return self.titles.get("en", self.name)

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def bind(self, values: Mapping[str, str]) -> dict[str, Node]:
        """The bindings for ``values`` (parameter name → text): each checked against its
        type, defaults filled in, optional ones left out when not given. An unknown name, a
        value of the wrong type or one that is not allowed, or a missing required value,
        raises QueryError naming the parameter."""
        known = {p.name for p in self.parameters}
        for name in values:
            if name not in known:
                listed = ", ".join(sorted(known)) or "none"
                raise QueryError(
                    f"the query {self.name} has no parameter {name!r}; its parameters are: "
                    f"{listed}.",
                    f"upit {self.name} nema parametar {name!r}; njegovi parametri su: "
                    f"{'nijedan' if not known else listed}.",
                )
        bindings: dict[str, Node] = {}
        for param in self.parameters:
            text = values.get(param.name)
            if text is None or (text == "" and param.type.base != "string"):
                if param.default is not None:
                    text = param.default
                elif param.optional:
                    continue
                else:
                    value = param.example or "..."
                    raise QueryError(
                        f"the query {self.name} needs the parameter {param.name} "
                        f"({param.description}); give it, e.g. {param.name}={value}.",
                        f"upit {self.name} traži parametar {param.name} "
                        f"({param.describe('sr-Latn')}); navedite ga, npr. {param.name}={value}.",
                    )
            bindings[param.name] = param.type.to_term(param.name, text)
        return bindings

    def prepare(self, values: Mapping[str, str]) -> tuple[str, dict[str, Node]]:
        """The text to run and its bindings for ``values`` (see :meth:`bind`): the paging
        parameters (``limit``, ``offset``) become a ``LIMIT``/``OFFSET`` clause at the end of
        the text, every other parameter a binding."""
        bindings = self.bind(values)
        paging = []
        for name in PAGING:
            term = bindings.pop(name, None)
            if term is None or self.parameter(name) is None:
                continue
            number = int(term.toPython())  # type: ignore[attr-defined]
            if number < 0:
                raise QueryError(
                    f"the parameter {name}={number} is negative; give a whole number of at "
                    "least 0.",
                    f"parametar {name}={number} je negativan; navedite ceo broj od najmanje 0.",
                )
            paging.append(f"{name.upper()} {number}")
        text = self.text.rstrip() + ("\n" + " ".join(paging) + "\n" if paging else "\n")
        return text, bindings


def parse_header(name: str, text: str) -> NamedQuery:
    """The title, descriptions and parameters of a query from its leading comment lines."""
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    params: list[dict[str, object]] = []
    translations: dict[str, dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        base, _, lang = key.partition("@")
        where = f"{name}.rq, line {number}"
        if base == "title":
            titles[lang or "en"] = value
        elif base == "description":
            descriptions[lang or "en"] = value
        elif base == "param" and lang:
            pname, _, translated = value.partition(" ")
            translations.setdefault(pname, {})[lang] = translated.strip()
        elif base == "param":
            params.append(_parse_param(value, where))
    parameters = []
    for spec in params:
        pname = str(spec["name"])
        described = {"en": str(spec["description"]), **translations.get(pname, {})}
        parameters.append(
            Parameter(
                name=pname,
                kind=str(spec["kind"]),
                description=str(spec["description"]),
                descriptions=described,
                type=spec["type"],  # type: ignore[arg-type]
                default=spec.get("default"),  # type: ignore[arg-type]
                optional=bool(spec.get("optional")),
                example=spec.get("example"),  # type: ignore[arg-type]
            )
        )
    query = NamedQuery(name, text, titles, descriptions, tuple(parameters))
    for param in query.parameters:
        for option in (param.default, param.example):
            if option is not None:
                param.type.to_term(param.name, option)  # a header's own values must fit
    return query


def _parse_param(value: str, where: str) -> dict[str, object]:
    words = value.split()
    if len(words) < 2:
        raise QueryError(
            f"{where}: a param line needs a name and a type, e.g. "
            "'# param: territory place default=RS the territory'.",
            f"{where}: red param mora imati ime i tip, npr. "
            "'# param: territory place default=RS teritorija'.",
        )
    name, kind, rest = words[0], words[1], words[2:]
    spec: dict[str, object] = {"name": name, "kind": kind}
    spec["type"] = ParameterType.parse(kind, where)
    while rest:
        word = rest[0]
        option, sep, option_value = word.partition("=")
        if sep and option in _OPTION_KEYS:
            spec[option] = option_value
        elif word == "optional":
            spec["optional"] = True
        else:
            break
        rest = rest[1:]
    spec["description"] = " ".join(rest)
    return spec


@lru_cache(maxsize=1)
def _all_queries() -> tuple[NamedQuery, ...]:
    queries = []
    for f in data_files("queries", ".rq"):
        name = f.name.removesuffix(".rq")
        queries.append(parse_header(name, f.read_text(encoding="utf-8")))
    return tuple(queries)


def named_queries() -> dict[str, NamedQuery]:
    """Every named query of the package, by name (the file name without ``.rq``)."""
    return {q.name: q for q in _all_queries()}


def get_named(name: str) -> NamedQuery:
    """One named query, or a QueryError that lists the names there are."""
    queries = named_queries()
    if name not in queries:
        raise QueryError(
            f"there is no named query {name!r}; the named queries are: "
            f"{', '.join(sorted(queries))}.",
            f"ne postoji imenovani upit {name!r}; imenovani upiti su: "
            f"{', '.join(sorted(queries))}.",
        )
    return queries[name]


def run_named(
    store: Store, name: str, values: Mapping[str, str], *, timeout: float | None = None
) -> QueryResult:
    """Run a named query on the public graphs with ``values`` as checked bindings (and its
    paging parameters as its LIMIT and OFFSET)."""
    text, bindings = get_named(name).prepare(values)
    return store.query(text, bindings=bindings or None, timeout=timeout)
