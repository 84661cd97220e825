"""The Store interface: everything the rest of ssekg may ask of a store.

The dataset a query sees by default is the union of every public named graph (and the
store's own default graph); private graphs (:meth:`ssekg.namespaces.Graphs.is_private`)
stay invisible however the query names them, unless trusted code passes
``include_private=True``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import BinaryIO, Protocol

from rdflib.term import Node

from ssekg.namespaces import Graphs
from ssekg.store.results import QueryResult

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, str]


class Store(Protocol):
    graphs_of: Graphs

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        include_private: bool = False,
    ) -> QueryResult: ...

    def update(self, sparql: str) -> None: ...

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        """Replace one named graph whole, in one transaction."""
        ...

    def replace_graphs(
        self,
        replace: Mapping[str, Iterable[Triple]],
        *,
        add: Mapping[str, Iterable[Triple]] | None = None,
    ) -> None:
        """Replace some graphs and add triples to others, all in one transaction."""
        ...

    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads (s, p, o, graph IRI), in one transaction."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def graphs(self) -> list[str]:
        """Every named graph, private ones included, sorted."""
        ...

    def count(self, graph: str | None = None) -> int:
        """Quads in one named graph, or in the whole store."""
        ...

    def dump(self, out: BinaryIO, *, include_private: bool = False) -> None:
        """Write the store as N-Quads; private graphs only when asked."""
        ...

    def restore(self, source: BinaryIO) -> None:
        """Replace the whole content with an N-Quads dump, in one step; a dump that does not
        parse raises ParseError and leaves the store as it was."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Store: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
