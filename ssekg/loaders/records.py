"""A compact rdflib store for the graph of one source record.

rdflib's plain memory store keeps every triple in three nested indexes (subject, predicate
and object first): about 250 small dicts for a survey answer of 60 triples, which is most of
a record's memory and of the garbage collector's work while a large file is read. A record
graph is small and is read by subject (its actor's properties) or whole, so this store keeps
only the subject index; a pattern without a subject scans the record. Read whole or by
subject, its triples come out in the same order as from rdflib's plain memory store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.store import Store

if TYPE_CHECKING:
    from rdflib.graph import _ContextType, _TriplePatternType, _TripleType
    from rdflib.term import Node, URIRef

_Index = dict[Any, dict[Any, dict[Any, int]]]


def _no_contexts() -> Iterator[_ContextType]:
    return iter(())


class RecordStore(Store):
    """Triples indexed by subject, then predicate (``spo[s][p][o] = 1``, as rdflib's
    SimpleMemory keeps its first index); namespace bindings are kept, when a graph binds
    any, in a SimpleMemory of their own."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]] = ()) -> None:
        super().__init__()
        spo: _Index = {}
        for s, p, o in triples:
            po = spo.get(s)
            if po is None:
                po = spo[s] = {}
            objects = po.get(p)
            if objects is None:
                objects = po[p] = {}
            objects[o] = 1
        self._spo = spo
        self._names: SimpleMemory | None = None

    def add(self, triple: _TripleType, context: _ContextType, quoted: bool = False) -> None:
        s, p, o = triple
        po = self._spo.get(s)
        if po is None:
            po = self._spo[s] = {}
        objects = po.get(p)
        if objects is None:
            objects = po[p] = {}
        objects[o] = 1

    def remove(
        self, triple_pattern: _TriplePatternType, context: _ContextType | None = None
    ) -> None:
        # as SimpleMemory: emptied entries stay, so a subject added again keeps its place
        for (s, p, o), _ in list(self.triples(triple_pattern)):
            del self._spo[s][p][o]

    def triples(
        self, triple_pattern: _TriplePatternType, context: _ContextType | None = None
    ) -> Iterator[tuple[_TripleType, Iterator[_ContextType]]]:
        subject, predicate, obj = triple_pattern
        if subject is not None:
            po = self._spo.get(subject)
            if po is None:
                return
            items = po.items() if predicate is None else [(predicate, po.get(predicate, {}))]
            for p, objects in items:
                if obj is None:
                    for o in objects:
                        yield (subject, p, o), _no_contexts()
                elif obj in objects:
                    yield (subject, p, obj), _no_contexts()
            return
        for s, po in self._spo.items():
            items = po.items() if predicate is None else [(predicate, po.get(predicate, {}))]
            for p, objects in items:
                if obj is None:
                    for o in objects:
                        yield (s, p, o), _no_contexts()
                elif obj in objects:
                    yield (s, p, obj), _no_contexts()

    def by_subject(self) -> Iterator[tuple[Node, Iterable[tuple[Node, Iterable[Node]]]]]:
        """Every subject with its predicates and their objects, in the order of
        :meth:`triples`: for converting a record once, each term once."""
        for s, po in self._spo.items():
            yield s, po.items()

    def __len__(self, context: _ContextType | None = None) -> int:
        return sum(len(objects) for po in self._spo.values() for objects in po.values())

    # namespace bindings, as rdflib's memory store keeps them

    def _bindings(self) -> SimpleMemory:
        if self._names is None:
            self._names = SimpleMemory()
        return self._names

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        self._bindings().bind(prefix, namespace, override=override)

    def namespace(self, prefix: str) -> URIRef | None:
        return None if self._names is None else self._names.namespace(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return None if self._names is None else self._names.prefix(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        if self._names is not None:
            yield from self._names.namespaces()
