"""The facts of the actors that the analyses read, read once for a whole report.

Each analysis (the counts of the report, the gaps, the network, matching and alliance
candidates) needs some of the same facts: which records are actors, their names, seats and
types, their memberships, the records entity resolution joined. A :class:`Facts` reads each
kind of fact when it is first asked for and keeps it, so ``ssekg report`` reads them once
instead of once per analysis; each analysis called alone makes its own.

The large reads are one triple pattern per property (``?s <p> ?o``), which the store answers
without a join, and they are kept as plain strings: on the embedded store the rows are read
through pyoxigraph directly, without making an rdflib term of every value (which cost more
than the queries). They see the same public graphs as :meth:`Store.query`; on any other
store they go through :meth:`Store.query`. Small reads (the gazetteer, concept labels) are
kept as :meth:`Store.query` gives them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib.term import Node

from ssekg.loaders.resolve import canonical_actors
from ssekg.namespaces import PREFIXES, SSEKG
from ssekg.store.base import Store
from ssekg.store.embedded import EmbeddedStore

T = TypeVar("T")
#: One answer row: the plain value of each variable (an IRI, a literal's text, a blank
#: node's id), None when unbound.
Row = tuple[str | None, ...]

ACTORS = "SELECT ?actor WHERE { ?actor a ssekg:Actor }"
#: Memberships as stated: the member, the network, and one string for an ``org:Membership``
#: (its IRI, start date, end date and role, space-separated, empty when unknown); the
#: shortcut ``org:memberOf`` has no string. The network ties the two; alliance candidates
#: leave out pairs that a current one joins.
MEMBERSHIPS = """
SELECT ?a ?b ?info WHERE {
  { ?via org:member ?a ; org:organization ?b .
    OPTIONAL { ?via ssekg:startDate ?start }
    OPTIONAL { ?via ssekg:endDate ?end }
    OPTIONAL { ?via ssekg:membershipRole ?role }
    BIND(CONCAT(STR(?via), " ", COALESCE(STR(?start), ""), " ", COALESCE(STR(?end), ""),
                " ", COALESCE(STR(?role), "")) AS ?info) }
  UNION { ?a org:memberOf ?b }
}
"""
NAME = str(SSEKG.name)
TRANSLITERATED = str(SSEKG.transliteratedName)
_VALUES = "SELECT ?s ?o WHERE {{ ?s {p} ?o }}"
_TEXTS = "SELECT ?s ?o (LANG(?o) AS ?lang) WHERE {{ ?s <{p}> ?o FILTER(isLiteral(?o)) }}"


def select(store: Store, sparql: str) -> list[Row]:
    """The rows of a SELECT query over the public graphs, each value a plain string."""
    if not isinstance(store, EmbeddedStore):
        # a remote store's oxigraph_dataset is a copy of the whole store: one query is cheaper
        result = store.query(sparql)
        names = result.variables
        return [tuple(str(r[v]) if v in r else None for v in names) for r in result.rows]
    raw, graphs = store.oxigraph_dataset()
    default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = list(graphs)
    named: list[ox.NamedNode | ox.BlankNode] = [g for g in graphs if isinstance(g, ox.NamedNode)]
    answer = raw.query(sparql, prefixes=PREFIXES, default_graph=default, named_graphs=named)
    assert isinstance(answer, ox.QuerySolutions), "a SELECT query gives solutions"
    return [tuple(None if term is None else term.value for term in row) for row in answer]


class Facts:
    """The facts of one store, each read when first needed (see the module's description).
    The store must not change while a Facts is in use."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._values: dict[str, dict[str, list[str]]] = {}
        self._texts: dict[str, dict[str, list[tuple[str, str]]]] = {}
        self._rows: dict[str, list[dict[str, Node]]] = {}
        self._made: dict[str, Any] = {}

    @classmethod
    def of(cls, store: Store, facts: Facts | None) -> Facts:
        """``facts`` when given (it must be of ``store``), else new ones."""
        return facts if facts is not None else cls(store)

    def select(self, sparql: str) -> list[Row]:
        """A query's rows as plain strings (see :func:`select`); not kept."""
        return select(self.store, sparql)

    def rows(self, sparql: str) -> list[dict[str, Node]]:
        """The rows :meth:`Store.query` gives for ``sparql``, kept for the next caller: for
        small reads that several analyses make (the gazetteer, labels)."""
        if sparql not in self._rows:
            self._rows[sparql] = self.store.query(sparql).rows
        return self._rows[sparql]

    def made(self, key: str, make: Callable[[], T]) -> T:
        """What ``make`` gives, made once per ``key``: for what an analysis derives from the
        facts and would otherwise derive again on its next call (a gazetteer, names)."""
        if key not in self._made:
            self._made[key] = make()
        return self._made[key]

    @cached_property
    def canonical(self) -> dict[str, str]:
        """Every actor record's canonical IRI (:func:`canonical_actors`)."""
        return canonical_actors(self.store)

    @cached_property
    def actors(self) -> list[str]:
        """Every ``ssekg:Actor`` record once, in the order the store gives them."""
        return list(dict.fromkeys(row[0] for row in self.select(ACTORS) if row[0] is not None))

    @cached_property
    def actor_set(self) -> frozenset[str]:
        return frozenset(self.actors)

    def values(self, prop: str) -> dict[str, list[str]]:
        """Subject → the objects of its ``prop`` triples (a property IRI, or a SPARQL
        property path such as ``locn:address/schema:addressCountry``), as often as the store
        gives each (a triple stated in two graphs counts twice, as in a SPARQL join)."""
        if prop not in self._values:
            found: dict[str, list[str]] = defaultdict(list)
            path = f"<{prop}>" if "://" in prop else prop
            for s, o in self.select(_VALUES.format(p=path)):
                found[s or ""].append(o or "")
            self._values[prop] = dict(found)
        return self._values[prop]

    def texts(self, prop: str) -> dict[str, list[tuple[str, str]]]:
        """Subject → (language tag in lower case, "" for none; text) of the literals of its
        ``prop`` triples, in the order the store gives them."""
        if prop not in self._texts:
            found: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for s, text, lang in self.select(_TEXTS.format(p=prop)):
                found[s or ""].append(((lang or "").lower(), text or ""))
            self._texts[prop] = dict(found)
        return self._texts[prop]

    @property
    def names(self) -> dict[str, list[tuple[str, str]]]:
        return self.texts(NAME)

    @property
    def transliterated(self) -> dict[str, list[tuple[str, str]]]:
        return self.texts(TRANSLITERATED)

    def record_names(self, record: str) -> list[tuple[str, str]]:
        """A record's names, then its transliterated names: (lower-case tag, text)."""
        names, transliterated = self.texts(NAME), self.texts(TRANSLITERATED)
        return names.get(record, []) + transliterated.get(record, [])

    @cached_property
    def memberships(self) -> list[Row]:
        """The rows of :data:`MEMBERSHIPS`: (member, network, info or None)."""
        return self.select(MEMBERSHIPS)


__all__ = ["Facts", "Row", "select"]
