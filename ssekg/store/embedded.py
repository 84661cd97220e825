"""The embedded store: Oxigraph (pyoxigraph) in memory or in a directory on disk.

How the guarantees of :class:`ssekg.store.base.Store` are kept:

* **Private graphs.** Every query runs with an explicit dataset (``default_graph`` and
  ``named_graphs``), which Oxigraph puts above any FROM / FROM NAMED in the query text. The
  dataset is built from public graphs only, so naming a private graph anywhere (FROM,
  FROM NAMED, GRAPH <...>, the protocol's default/named graph lists) finds nothing.
  FROM and FROM NAMED in the query are honoured by reading them from the query's text and
  intersecting them with the public graphs.
* **Bindings** become a VALUES block at the start of the WHERE group, each value written by
  Oxigraph's term serialiser (see `with_values`), so no value can change the query.
* **Transactions.** Oxigraph runs each ``extend`` and each SPARQL update in one transaction.
  A replacement is first written into staging graphs (hidden from every query, listing and
  dump), then a single update moves them over their targets; if the triples fail midway, the
  staging graphs are dropped and the targets are untouched.
* **Timeouts.** Oxigraph cannot interrupt a running query; the timeout is checked while the
  results are read, which bounds queries that stream their answers.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from ssekg.errors import ParseError, QueryError, QueryTimeoutError, StoreError
from ssekg.namespaces import DEFAULT_BASE, PREFIXES, Graphs
from ssekg.store.base import Quad, Triple
from ssekg.store.results import QueryResult
from ssekg.store.terms import from_ox, graph_name, to_ox, to_ox_quad

STAGING = "urn:x-ssekg:staging:"
#: Graphs being written in bulk are listed here and stay hidden until the write completes.
LOADING = ox.NamedNode(STAGING + "loading")
_LOADING_MARK = ox.NamedNode(STAGING + "loading#graph")
#: Below this many new quads one transactional ``extend`` is as quick as a bulk write.
_BULK_MIN = 20_000


def hidden_graphs(store: ox.Store) -> set[str]:
    """Graphs no reader may see: staging graphs and graphs still being written in bulk."""
    hidden = {
        q.subject.value
        for q in store.quads_for_pattern(None, _LOADING_MARK, None, LOADING)
        if isinstance(q.subject, ox.NamedNode)
    }
    hidden.update(
        n.value
        for n in store.named_graphs()
        if isinstance(n, ox.NamedNode) and n.value.startswith(STAGING)
    )
    return hidden


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def _data_update(
    removed: Sequence[ox.Quad], dropped: Sequence[str], added: Sequence[ox.Quad]
) -> str:
    """One SPARQL update that deletes some quads, drops some graphs, and inserts quads (none
    with blank nodes)."""

    def block(quads: Sequence[ox.Quad]) -> str:
        by_graph: dict[str, list[str]] = {}
        for q in quads:
            by_graph.setdefault(str(q.graph_name), []).append(
                f"{q.subject} {q.predicate} {q.object} ."
            )
        return "\n".join(f"GRAPH {g} {{\n" + "\n".join(t) + "\n}" for g, t in by_graph.items())

    parts = []
    if removed:
        parts.append(f"DELETE DATA {{\n{block(removed)}\n}}")
    parts += [f"DROP SILENT GRAPH <{g}>" for g in dropped]
    if added:
        parts.append(f"INSERT DATA {{\n{block(added)}\n}}")
    return " ;\n".join(parts)


#: Tokens of the query text up to its first "{": enough to find the dataset clause while
#: skipping comments, strings and IRIs, so "FROM" inside them is not taken for the keyword.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<brace>\{)
      | (?P<pname>[A-Za-z][\w.\-]*:[\w.\-:%]*|:[\w.\-:%]*)
      | (?P<word>[A-Za-z_][\w\-]*)
      | (?P<other>\S)""",
    re.VERBOSE,
)


def dataset_clause(sparql: str) -> tuple[list[str], list[str]] | None:
    """The IRIs of the query's FROM and FROM NAMED clauses, or None when it has neither."""
    prefixes: dict[str, str] = {}
    base = ""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind == "brace":
            break
        if kind != "comment":
            tokens.append((kind, match.group()))
    default: list[str] = []
    named: list[str] = []
    found = False

    def resolve(kind: str, text: str) -> str | None:
        if kind == "iri":
            iri = text[1:-1]
            return iri if ":" in iri or not base else base + iri
        if kind == "pname":
            prefix, _, local = text.partition(":")
            return prefixes[prefix] + local if prefix in prefixes else None
        return None

    for i, (kind, text) in enumerate(tokens):
        word = text.upper() if kind == "word" else ""
        if word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 2][0] == "iri":
            prefixes[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = tokens[i + 1][1][1:-1]
        elif word == "FROM" and i + 1 < len(tokens):
            found = True
            target, into = tokens[i + 1], default
            if target[0] == "word" and target[1].upper() == "NAMED" and i + 2 < len(tokens):
                target, into = tokens[i + 2], named
            iri = resolve(*target)
            if iri is not None:
                into.append(iri)
    return (default, named) if found else None


def short_detail(error: Exception) -> str:
    """The parser's message, with its list of expected tokens cut short: the position and the
    first expectations are what a person reads."""
    detail = " ".join(str(error).split())
    return detail if len(detail) <= 160 else detail[:157].rstrip() + "..."


_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def where_group_start(sparql: str) -> int | None:
    """The offset just after the ``{`` that opens the query's outermost WHERE group."""
    form: str | None = None
    depth = 0
    seen_where = False
    for match in _TOKEN.finditer(sparql):
        kind, text = match.lastgroup, match.group()
        if kind == "word":
            word = text.upper()
            if form is None and word in _FORMS:
                form = word
            if depth == 0 and word == "WHERE":
                seen_where = True
        elif kind == "brace":
            if depth == 0 and (seen_where or form in ("SELECT", "ASK", "DESCRIBE")):
                return match.end()
            depth += 1
        elif text == "}":
            depth -= 1
    return None


def with_values(sparql: str, bindings: Mapping[str, Node]) -> str:
    """The query with ``bindings`` as a VALUES block at the start of its WHERE group.

    pyoxigraph's substitutions would be neater, but they require the variable in the
    projection, which rules out aggregates and filters on unprojected variables. The values
    are written by pyoxigraph's own term serialiser (N-Triples syntax, escaped), never pasted
    from user text, so a value cannot change the query's structure."""
    names = []
    for name in bindings:
        bare = name.lstrip("?$")
        if not _VARIABLE.match(bare):
            raise QueryError(
                f"{name!r} is not a SPARQL variable name; use letters, digits and '_'.",
                f"{name!r} nije ime SPARQL promenljive; koristite slova, cifre i '_'.",
            )
        names.append(bare)
    terms = []
    for value in bindings.values():
        term = to_ox(value)
        if isinstance(term, ox.BlankNode):
            raise QueryError(
                "a query parameter cannot be a blank node; give an IRI or a literal.",
                "parametar upita ne može biti prazan čvor; navedite IRI ili literal.",
            )
        terms.append(str(term))
    start = where_group_start(sparql)
    if start is None:
        raise QueryError(
            "the query has no WHERE group to bind parameters in; add one and try again.",
            "upit nema WHERE grupu u koju bi se vezali parametri; dodajte je i pokušajte ponovo.",
        )
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({' '.join(terms)}) }} "
    return sparql[:start] + block + sparql[start:]


def _query_error(error: Exception) -> QueryError:
    detail = short_detail(error)
    return QueryError(
        f"the SPARQL query is not valid: {detail}; correct it at that position and try again.",
        f"SPARQL upit nije ispravan: {detail}; ispravite ga na tom mestu i pokušajte ponovo.",
    )


class EmbeddedStore:
    """An Oxigraph store; ``path=None`` keeps it in memory."""

    def __init__(self, path: str | None, base: str = DEFAULT_BASE) -> None:
        self.graphs_of = Graphs(base)
        self.path = path
        try:
            self._store: ox.Store | None = ox.Store(path) if path is not None else ox.Store()
        except OSError as error:
            text = str(error)
            if "lock" in text.lower():
                raise StoreError(
                    f"the store at {path} is in use by another process; stop that process "
                    "(for example a running `ssekg serve`) or use another --store.",
                    f"skladište {path} koristi drugi proces; zaustavite taj proces (na primer "
                    "pokrenut `ssekg serve`) ili koristite drugi --store.",
                ) from None
            raise StoreError(
                f"the store at {path} cannot be opened: {text}.",
                f"skladište {path} ne može da se otvori: {text}.",
            ) from None
        self._drop_staging()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def _ox(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed.", "skladište je zatvoreno.")
        return self._store

    def _all_graphs(self) -> list[str]:
        hidden = hidden_graphs(self._ox)
        names = []
        for node in self._ox.named_graphs():
            if isinstance(node, ox.NamedNode) and node.value not in hidden:
                names.append(node.value)
        return sorted(names)

    def _visible(self, include_private: bool) -> list[str]:
        graphs = self._all_graphs()
        if include_private:
            return graphs
        return [g for g in graphs if not self.graphs_of.is_private(g)]

    def _drop_staging(self) -> None:
        """Remove what an interrupted write left: staging graphs, and graphs whose bulk
        write did not complete."""
        for graph in hidden_graphs(self._ox):
            self._ox.remove_graph(ox.NamedNode(graph))
        for node in list(self._ox.named_graphs()):
            if isinstance(node, ox.NamedNode) and node.value.startswith(STAGING):
                self._ox.remove_graph(node)

    def _stage(self, graph: str | None, triples: Iterable[Triple]) -> tuple[ox.NamedNode, int]:
        """Write triples into a fresh staging graph in one transaction; returns it and the
        number of triples."""
        stage = ox.NamedNode(STAGING + uuid.uuid4().hex)
        count = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal count
            for s, p, o in triples:
                count += 1
                yield to_ox_quad(s, p, o, stage.value)

        self._ox.extend(quads())
        return stage, count

    def oxigraph_dataset(
        self, include_private: bool = False
    ) -> tuple[ox.Store, list[ox.NamedNode | ox.DefaultGraph]]:
        """The pyoxigraph store and the graphs a query sees by default, for code that runs
        many queries of its own on the same data (validation)."""
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        graphs += [ox.NamedNode(g) for g in self._visible(include_private)]
        return self._ox, graphs

    # -- queries ----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout: float | None = None,
        include_private: bool = False,
    ) -> QueryResult:
        visible = self._visible(include_private)
        allowed = set(visible)
        default: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
        named: list[ox.NamedNode | ox.BlankNode]
        if default_graphs is not None or named_graphs is not None:
            chosen: tuple[Sequence[str], Sequence[str]] | None = (
                default_graphs or [],
                named_graphs or [],
            )
        else:
            chosen = dataset_clause(sparql)
        if chosen is None:
            default = [ox.DefaultGraph(), *(ox.NamedNode(g) for g in visible)]
            named = [ox.NamedNode(g) for g in visible]
        else:
            default = [ox.NamedNode(g) for g in chosen[0] if g in allowed]
            named = [ox.NamedNode(g) for g in chosen[1] if g in allowed]
        if bindings:
            # Constants in the WHERE group (as on a remote store), so that a bound value
            # reaches EXISTS, MINUS and subqueries, where Oxigraph would otherwise evaluate
            # the pattern for every value first; the VALUES block binds the projection.
            from ssekg.store.rewrite import substitute

            terms = {name.lstrip("?$"): str(to_ox(value)) for name, value in bindings.items()}
            sparql = with_values(substitute(sparql, terms), bindings)
        started = time.monotonic()
        try:
            answer = self._ox.query(
                sparql,
                prefixes=PREFIXES,
                default_graph=default,
                named_graphs=named,
            )
            return self._collect(answer, started, timeout)
        except SyntaxError as error:
            raise _query_error(error) from None
        except (OSError, ValueError, TypeError) as error:
            raise QueryError(
                f"the SPARQL query failed: {error}.", f"SPARQL upit nije uspeo: {error}."
            ) from None

    def _collect(self, answer: object, started: float, timeout: float | None) -> QueryResult:
        def check() -> None:
            if timeout is not None and time.monotonic() - started > timeout:
                raise QueryTimeoutError(
                    f"the query ran longer than {timeout:g} s and was stopped; narrow it "
                    "(fewer patterns, a LIMIT) and try again.",
                    f"upit je trajao duže od {timeout:g} s i prekinut je; suzite ga (manje "
                    "obrazaca, LIMIT) i pokušajte ponovo.",
                )

        if isinstance(answer, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [v.value for v in answer.variables]
            rows: list[dict[str, Node]] = []
            for solution in answer:
                check()
                row = {}
                for name, term in zip(variables, solution, strict=True):
                    if term is not None:
                        row[name] = from_ox(term)
                rows.append(row)
            return QueryResult("select", variables=variables, rows=rows)
        graph = Graph()
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        for triple in answer:  # type: ignore[attr-defined]
            check()
            graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
        return QueryResult("graph", graph=graph)

    def update(self, sparql: str) -> None:
        try:
            self._ox.update(sparql, prefixes=PREFIXES)
        except SyntaxError as error:
            detail = short_detail(error)
            raise QueryError(
                f"the SPARQL update is not valid: {detail}; correct it at that position and "
                "try again.",
                f"SPARQL izmena nije ispravna: {detail}; ispravite je na tom mestu i "
                "pokušajte ponovo.",
            ) from None
        except (OSError, ValueError) as error:
            raise QueryError(
                f"the SPARQL update failed: {error}; nothing was changed.",
                f"SPARQL izmena nije uspela: {error}; ništa nije promenjeno.",
            ) from None

    # -- writes -----------------------------------------------------------------------------

    def replace_graph(self, graph: str, triples: Iterable[Triple]) -> None:
        self.replace_graphs({graph: triples})

    def replace_graphs(
        self,
        replace: Mapping[str, Iterable[Triple]],
        *,
        add: Mapping[str, Iterable[Triple]] | None = None,
    ) -> None:
        """Replace some graphs and add to others, all or nothing for every reader.

        Oxigraph commits one ``extend`` or one ``update`` atomically, so the cheapest of
        four ways is taken: large new graphs are bulk-written while hidden (see
        :meth:`_bulk_in`); other empty graphs get their quads in one ``extend``; graphs
        that had content get only the difference (``DELETE DATA`` and ``INSERT DATA`` in one
        update), which makes loading a file again cheap; when blank nodes differ (they
        cannot be named in an update), the new content is staged and moved in."""
        try:
            new = {g: {to_ox_quad(s, p, o, g) for s, p, o in t} for g, t in replace.items()}
            extra = [to_ox_quad(s, p, o, g) for g, t in (add or {}).items() for s, p, o in t]
        except ValueError as error:
            raise self._unstorable(error) from None
        self._replace_quads(new, extra)

    def replace_graph_quads(self, replace: Mapping[str, Iterable[ox.Quad]]) -> None:
        """:meth:`replace_graphs` with the new content as Oxigraph quads of those graphs,
        for content made by Oxigraph (a graph computed in a store of its own)."""
        self._replace_quads({g: set(quads) for g, quads in replace.items()}, [])

    def replace_graphs_from_files(
        self,
        replace: Mapping[str, Path],
        *,
        add: Mapping[str, Iterable[Triple]] | None = None,
    ) -> None:
        """:meth:`replace_graphs` with each graph's new content in an N-Triples file (as
        Oxigraph writes it), for loads too large to pass as Python triples: graphs that are
        new get the files with Oxigraph's bulk loader, hidden until all is written; graphs
        that had content are compared with the files and get the difference, as in
        :meth:`replace_graphs`."""
        try:
            extra = [to_ox_quad(s, p, o, g) for g, t in (add or {}).items() for s, p, o in t]
        except ValueError as error:
            raise self._unstorable(error) from None
        targets = {g: ox.NamedNode(g) for g in replace}
        fresh = not any(
            next(iter(self._ox.quads_for_pattern(None, None, None, n)), None) is not None
            for n in targets.values()
        )
        sizes = {g: path.stat().st_size for g, path in replace.items()}
        if fresh and sum(sizes.values()) >= _BULK_MIN * 100:  # about 100 bytes a triple
            added = [q for q in extra if q not in self._ox]

            def write() -> None:
                for graph, path in replace.items():
                    if sizes[graph]:
                        self._ox.bulk_load(
                            path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=targets[graph]
                        )

            try:
                self._bulk_in([targets[g] for g in replace if sizes[g]], write, added)
            except (ValueError, SyntaxError) as error:
                raise self._unstorable(error) from None
            return
        try:
            new = {
                graph: {
                    ox.Quad(t.subject, t.predicate, t.object, targets[graph])
                    for t in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)
                }
                for graph, path in replace.items()
            }
        except SyntaxError as error:
            raise self._unstorable(error) from None
        self._replace_quads(new, extra)

    def _replace_quads(self, new: Mapping[str, set[ox.Quad]], extra: list[ox.Quad]) -> None:
        """Replace each graph of ``new`` by its quads and add ``extra``, in one step for
        readers (see :meth:`replace_graphs`)."""
        deleted: list[ox.Quad] = []  # of graphs that keep most of what they had
        dropped: list[str] = []  # graphs rewritten whole
        inserted: list[ox.Quad] = []
        fresh = True  # every graph written to was empty
        for graph, quads in new.items():
            old = set(self._ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            fresh = fresh and (not old or not quads)
            gone = [q for q in old if q not in quads]
            if not gone:
                inserted += [q for q in quads if q not in old]
            elif not quads or len(gone) * 2 > len(old):
                dropped.append(graph)
                inserted += quads
            else:
                deleted += gone
                inserted += [q for q in quads if q not in old]
        added = [q for q in extra if q not in self._ox]
        try:
            if not deleted and not dropped and fresh and len(inserted) >= _BULK_MIN:
                graphs = [ox.NamedNode(g) for g, quads in new.items() if quads]
                self._bulk_in(
                    graphs,
                    lambda: self._ox.bulk_extend(q for quads in new.values() for q in quads),
                    added,
                )
            elif not deleted and not dropped:
                self._ox.extend(inserted + added)
            elif not any(_has_blank(q) for q in (*deleted, *inserted, *added)):
                self._ox.update(_data_update(deleted, dropped, inserted + added))
            else:
                self._move_in(new, extra)
        except (ValueError, SyntaxError) as error:
            raise self._unstorable(error) from None

    def _bulk_in(
        self, graphs: list[ox.NamedNode], write: Callable[[], None], added: list[ox.Quad]
    ) -> None:
        """Write new graphs with Oxigraph's bulk writer (several times quicker on disk than a
        transaction, but not atomic): the graphs are listed as being written, hence hidden
        from every reader, until one update unlists them and adds the rest, so readers see
        all or nothing; an interrupted write is removed here or when the store next opens."""
        marks = [ox.Quad(g, _LOADING_MARK, ox.Literal("1"), LOADING) for g in graphs]
        self._ox.extend(marks)
        try:
            write()
            listed = " ".join(f"{m.subject} {m.predicate} {m.object} ." for m in marks)
            done = f"DELETE DATA {{ GRAPH {LOADING} {{ {listed} }} }}"
            if added:
                done += " ;\n" + _data_update([], [], added)
            self._ox.update(done)
        except BaseException:
            for graph in graphs:
                self._ox.remove_graph(graph)
            for mark in marks:
                self._ox.remove(mark)
            raise

    @staticmethod
    def _unstorable(error: Exception) -> StoreError:
        return StoreError(
            f"the triples cannot be stored: {error}; nothing was changed.",
            f"trojke ne mogu da se sačuvaju: {error}; ništa nije promenjeno.",
        )

    def _move_in(self, new: Mapping[str, set[ox.Quad]], extra: list[ox.Quad]) -> None:
        """Stage each graph's new content and swap it in with one update."""
        staged: list[ox.NamedNode] = []
        operations: list[str] = []
        try:
            for graph, quads in new.items():
                stage = ox.NamedNode(STAGING + uuid.uuid4().hex)
                staged.append(stage)
                self._ox.extend(ox.Quad(q.subject, q.predicate, q.object, stage) for q in quads)
                target = ox.NamedNode(graph)
                if quads:
                    operations.append(f"MOVE SILENT GRAPH {stage} TO GRAPH {target}")
                else:
                    operations.append(f"DROP SILENT GRAPH {target}")
            if extra:
                for added_to in {q.graph_name for q in extra}:
                    # each added graph gets its own stage so ADD keeps the graphs apart
                    part = ox.NamedNode(STAGING + uuid.uuid4().hex)
                    staged.append(part)
                    self._ox.extend(
                        ox.Quad(q.subject, q.predicate, q.object, part)
                        for q in extra
                        if q.graph_name == added_to
                    )
                    operations.append(f"ADD SILENT GRAPH {part} TO GRAPH {added_to}")
            self._ox.update(" ;\n".join(operations))
        finally:
            for stage in staged:
                if self._ox.contains_named_graph(stage):
                    self._ox.remove_graph(stage)

    def add_quads(self, quads: Iterable[Quad]) -> None:
        try:
            self._ox.extend(to_ox_quad(s, p, o, g) for s, p, o, g in quads)
        except ValueError as error:
            raise StoreError(
                f"the quads cannot be stored: {error}; nothing was changed.",
                f"četvorke ne mogu da se sačuvaju: {error}; ništa nije promenjeno.",
            ) from None

    def drop_graph(self, graph: str) -> None:
        node = ox.NamedNode(graph)
        if self._ox.contains_named_graph(node):
            self._ox.remove_graph(node)

    # -- inspection -------------------------------------------------------------------------

    def graphs(self) -> list[str]:
        return self._all_graphs()

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return len(self._ox) - sum(self.count(g) for g in self._staging())
        answer = self._ox.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[ox.NamedNode(graph)]
        )
        for solution in answer:  # type: ignore[union-attr]
            return int(solution[0].value)
        return 0

    def _staging(self) -> list[str]:
        return [
            n.value
            for n in self._ox.named_graphs()
            if isinstance(n, ox.NamedNode) and n.value.startswith(STAGING)
        ]

    # -- dump and restore -------------------------------------------------------------------

    def dump(self, out: BinaryIO, *, include_private: bool = False) -> None:
        names: list[str | None] = [None, *self._visible(include_private)]
        for name in names:
            quads = self._ox.quads_for_pattern(None, None, None, graph_name(name))
            ox.serialize(quads, out, ox.RdfFormat.N_QUADS)

    def restore(self, source: BinaryIO) -> None:
        try:
            quads = list(ox.parse(source, ox.RdfFormat.N_QUADS))
        except SyntaxError as error:
            raise ParseError(
                f"the dump does not parse as N-Quads: {error}; the store was not changed.",
                f"kopija nije ispravan N-Quads: {error}; skladište nije promenjeno.",
            ) from None
        by_graph: dict[str | None, ox.NamedNode] = {}
        operations = ["DROP SILENT DEFAULT"]
        operations += [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in self._all_graphs()]
        try:

            def staged() -> Iterator[ox.Quad]:
                for quad in quads:
                    name = quad.graph_name
                    key = name.value if isinstance(name, ox.NamedNode) else None
                    if isinstance(name, ox.BlankNode):
                        key = "_:" + name.value
                    if key not in by_graph:
                        by_graph[key] = ox.NamedNode(STAGING + uuid.uuid4().hex)
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, by_graph[key])

            self._ox.extend(staged())
            for key, stage in by_graph.items():
                if key is None:
                    operations.append(f"MOVE SILENT GRAPH {stage} TO DEFAULT")
                elif key.startswith("_:"):
                    raise ParseError(
                        "the dump names a graph with a blank node; only IRIs can name graphs.",
                        "kopija imenuje graf praznim čvorom; grafove mogu da imenuju samo IRI.",
                    )
                else:
                    operations.append(f"MOVE SILENT GRAPH {stage} TO GRAPH {ox.NamedNode(key)}")
            self._ox.update(" ;\n".join(operations))
        finally:
            self._drop_staging()

    # -- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        if self._store is not None:
            if self.path is not None:
                self._store.flush()
            self._store = None

    def __enter__(self) -> EmbeddedStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
