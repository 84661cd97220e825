"""Query text for a remote endpoint: the dataset a query may see, written into the query.

A remote endpoint cannot be handed a dataset object the way Oxigraph can, so the remote store
writes it into the text: the query's own FROM / FROM NAMED clauses are read, removed, and
replaced by FROM / FROM NAMED of the public graphs it may see. Both lists are always written
(an empty one as a graph that never exists), because some engines (Virtuoso) let
``GRAPH ?g`` range over every graph in the database when FROM NAMED is absent.

Features that would let a query reach graphs outside that dataset are refused before the
query is sent: federated ``SERVICE`` calls (the endpoint could call itself) and Virtuoso's
built-in and SQL functions (``bif:``, ``sql:``), which can run arbitrary SQL. Virtuoso's
``DEFINE`` pragmas are not SPARQL and fail the syntax check that precedes the rewrite.

Every edit keeps the query's line numbers, so the positions in error messages still point
into the text the user wrote."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from pyparsing import ParseBaseException
from rdflib.plugins.sparql.parser import parseQuery

from ssekg.errors import QueryError
from ssekg.namespaces import PREFIXES
from ssekg.store.embedded import _TOKEN, where_group_start

#: A graph that never exists: the whole of an empty FROM or FROM NAMED list.
NOTHING = "urn:x-ssekg:nothing"

_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
#: Words that end a SELECT projection or a DESCRIBE resource list.
_AFTER_PROJECTION = {"FROM", "WHERE"}
_AFTER_DESCRIBE = _AFTER_PROJECTION | {"LIMIT", "OFFSET", "ORDER", "GROUP", "HAVING", "VALUES"}
#: IRI beginnings of Virtuoso's built-in (bif) and SQL procedure (sql) function calls.
_ENGINE_FUNCTIONS = (
    "bif:",
    "sql:",
    "http://www.openlinksw.com/schemas/bif#",
    "http://www.openlinksw.com/schemas/sql#",
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    end: int


@dataclass
class QueryText:
    """What the remote store needs to know of a query's text."""

    form: str
    prefixes: dict[str, str]
    #: The IRIs of the query's FROM and FROM NAMED clauses, or None when it has neither.
    dataset: tuple[list[str], list[str]] | None
    #: Where the dataset clauses are, or go when there are none (start == end).
    span: tuple[int, int]

    @property
    def kind(self) -> str:
        return {"SELECT": "select", "ASK": "ask"}.get(self.form, "graph")


def tokens(sparql: str) -> list[Token]:
    """The query's tokens, comments left out; strings and IRIs are single tokens, so words
    inside them are never taken for keywords."""
    found = []
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind != "comment":
            found.append(Token(kind, match.group(), match.start(), match.end()))
    return found


def _is_keyword(items: list[Token], i: int, *words: str) -> bool:
    """Whether token ``i`` is one of the keywords ``words`` (and not a ?variable's name)."""
    token = items[i]
    if token.kind != "word" or token.text.upper() not in words:
        return False
    if i > 0:
        before = items[i - 1]
        if before.text in ("?", "$") and before.end == token.start:
            return False
    return True


def _prologue(items: list[Token]) -> tuple[dict[str, str], str]:
    prefixes: dict[str, str] = {}
    base = ""
    for i in range(len(items)):
        if _is_keyword(items, i, "PREFIX") and i + 2 < len(items) and items[i + 2].kind == "iri":
            prefixes[items[i + 1].text.rstrip(":")] = items[i + 2].text[1:-1]
        elif _is_keyword(items, i, "BASE") and i + 1 < len(items) and items[i + 1].kind == "iri":
            base = items[i + 1].text[1:-1]
        elif _is_keyword(items, i, *_FORMS):
            break
    return prefixes, base


def refuse_escapes(sparql: str) -> None:
    """Raise QueryError when the query uses a feature that could read past its dataset."""
    items = tokens(sparql)
    prefixes, _ = _prologue(items)
    for i, token in enumerate(items):
        if _is_keyword(items, i, "SERVICE"):
            raise QueryError(
                "federated queries (SERVICE) are not run on a remote store, since the endpoint "
                "could read graphs the query may not see; remove the SERVICE block.",
                "federativni upiti (SERVICE) se ne izvršavaju nad udaljenim skladištem, jer bi "
                "krajnja tačka mogla da čita grafove koje upit ne sme da vidi; uklonite SERVICE.",
            )
        iri = None
        if token.kind == "iri":
            iri = token.text[1:-1]
        elif token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix.lower() in ("bif", "sql"):
                iri = prefix.lower() + ":" + local
            elif prefix in prefixes:
                iri = prefixes[prefix] + local
        if iri is not None and iri.lower().startswith(_ENGINE_FUNCTIONS):
            raise QueryError(
                f"{token.text} is an engine function (Virtuoso bif: or sql:), which can read "
                "any graph; it is not run through ssekg, so use standard SPARQL functions.",
                f"{token.text} je funkcija mašine (Virtuoso bif: ili sql:), koja može da čita "
                "svaki graf; ssekg je ne izvršava, pa koristite standardne SPARQL funkcije.",
            )


_PARSING = threading.Lock()  # pyparsing's memo tables are shared by every thread


@lru_cache(maxsize=512)
def syntax_error(sparql: str) -> str | None:
    """Where and why the query is not SPARQL 1.1, or None when it is. Only parsed, never
    evaluated (Oxigraph would evaluate an aggregate over VALUES right away), and remembered,
    since the same queries come again with other parameters."""
    try:
        with _PARSING:
            parseQuery(sparql)
    except ParseBaseException as error:
        message = " ".join(str(error.msg).split())
        if len(message) > 120:
            message = message[:117].rstrip() + "..."
        return f"error at {error.lineno}:{error.col}: {message}"
    return None


def read_query(sparql: str) -> QueryText:
    """The form, prefixes and dataset clauses of a query that has passed the syntax check."""
    items = tokens(sparql)
    prefixes, base = _prologue(items)
    at = next((i for i in range(len(items)) if _is_keyword(items, i, *_FORMS)), None)
    if at is None:
        raise QueryError(
            "the text is not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE); give a "
            "query, or send updates as updates.",
            "tekst nije SPARQL upit (nema SELECT, ASK, CONSTRUCT ni DESCRIBE); navedite upit, "
            "a izmene šaljite kao izmene.",
        )
    form = items[at].text.upper()
    j = _dataset_position(items, at, form)
    start = items[j].start if j < len(items) else len(sparql)
    default: list[str] = []
    named: list[str] = []
    found = False
    k = j
    while k + 1 < len(items) and _is_keyword(items, k, "FROM"):
        found = True
        into, target = default, k + 1
        if _is_keyword(items, k + 1, "NAMED") and k + 2 < len(items):
            into, target = named, k + 2
        iri = _resolve(items[target], prefixes, base)
        if iri is not None:
            into.append(iri)
        k = target + 1
    end = items[k - 1].end if k > j else start
    return QueryText(form, prefixes, (default, named) if found else None, (start, end))


def _dataset_position(items: list[Token], at: int, form: str) -> int:
    """The index of the token before which the dataset clauses stand."""
    j = at + 1
    if form == "ASK":
        return j
    if form == "CONSTRUCT":
        if j < len(items) and items[j].kind == "brace":
            depth = 0
            while j < len(items):
                if items[j].kind == "brace":
                    depth += 1
                elif items[j].text == "}":
                    depth -= 1
                    if depth == 0:
                        return j + 1
                j += 1
        return j
    stops = _AFTER_PROJECTION if form == "SELECT" else _AFTER_DESCRIBE
    parens = 0
    while j < len(items):
        token = items[j]
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif parens == 0 and (token.kind == "brace" or _is_keyword(items, j, *stops)):
            break
        j += 1
    return j


def _resolve(token: Token, prefixes: dict[str, str], base: str) -> str | None:
    if token.kind == "iri":
        iri = token.text[1:-1]
        return iri if ":" in iri or not base else base + iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
        if prefix in PREFIXES:
            return PREFIXES[prefix] + local
    return None


def with_dataset(sparql: str, text: QueryText, default: Sequence[str], named: Sequence[str]) -> str:
    """The query with its dataset clauses replaced by FROM ``default`` and FROM NAMED
    ``named`` (IRIs written by Oxigraph's serialiser, never pasted)."""
    clauses = [f"FROM {ox.NamedNode(g)}" for g in default or [NOTHING]]
    clauses += [f"FROM NAMED {ox.NamedNode(g)}" for g in named or [NOTHING]]
    start, end = text.span
    lines = "\n" * sparql.count("\n", start, end)
    return f"{sparql[:start]} {' '.join(clauses)} {lines}{sparql[end:]}"


def prefix_declarations(declared: dict[str, str]) -> str:
    """PREFIX declarations, on one line, for the project's prefixes the query does not
    declare itself (the embedded store knows them without declarations)."""
    return "".join(
        f"PREFIX {name}: {ox.NamedNode(iri)} "
        for name, iri in PREFIXES.items()
        if name not in declared
    )


def substitute(sparql: str, terms: Mapping[str, str]) -> str:
    """The query with each bound variable, inside its WHERE group, replaced by its term
    (already in N-Triples syntax, from Oxigraph's serialiser).

    The variables stay where a term cannot stand: after AS, in BOUND(), in VALUES headers,
    and in the projection of subqueries; the VALUES block that :func:`with_values` adds still binds
    them for the projection and the solution modifiers. Constants are needed because
    Virtuoso evaluates a FILTER inside OPTIONAL without the variables bound outside it."""
    start = where_group_start(sparql)
    if start is None or not terms:
        return sparql
    items = tokens(sparql)
    i = next((k for k, t in enumerate(items) if t.start >= start), len(items))
    depth = 1
    parts: list[str] = []
    last = 0
    while i < len(items) and depth > 0:
        token = items[i]
        if token.kind == "brace":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif _is_keyword(items, i, "SELECT"):
            i = _dataset_position(items, i, "SELECT") - 1
        elif _is_keyword(items, i, "VALUES") and i + 1 < len(items):
            i += 1
            if items[i].text == "(":
                while i < len(items) and items[i].text != ")":
                    i += 1
            else:
                i += 1  # the "?" of the single variable; its name is the next token
        elif token.text in ("?", "$") and i + 1 < len(items):
            name = items[i + 1]
            adjacent = name.kind == "word" and name.start == token.end
            after_as = i > 0 and _is_keyword(items, i - 1, "AS")
            in_bound = i > 1 and items[i - 1].text == "(" and _is_keyword(items, i - 2, "BOUND")
            if adjacent and name.text in terms and not after_as and not in_bound:
                parts.append(sparql[last : token.start])
                parts.append(terms[name.text])
                last = name.end
                i += 1
        i += 1
    parts.append(sparql[last:])
    return "".join(parts)


def refuse_global_drops(sparql: str) -> None:
    """Raise QueryError for DROP/CLEAR ALL or NAMED: on a shared server they would reach
    graphs that are not the project's (on Virtuoso, its own system graphs)."""
    items = tokens(sparql)
    for i in range(len(items)):
        if not _is_keyword(items, i, "DROP", "CLEAR"):
            continue
        j = i + 1
        if j < len(items) and _is_keyword(items, j, "SILENT"):
            j += 1
        if j < len(items) and _is_keyword(items, j, "ALL", "NAMED"):
            word = items[j].text.upper()
            raise QueryError(
                f"{items[i].text.upper()} {word} is not run on a remote store, where other "
                "graphs may live; drop the graphs one by one (DROP GRAPH <...>).",
                f"{items[i].text.upper()} {word} se ne izvršava nad udaljenim skladištem, gde "
                "mogu biti i drugi grafovi; brišite grafove jedan po jedan (DROP GRAPH <...>).",
            )


#: Functions whose value differs from one evaluation to the next: a query using them gives
#: other rows on every page, so it is not read in pages.
_UNREPEATABLE = {"RAND", "NOW", "UUID", "STRUUID", "BNODE"}
_NAME = re.compile(r"^[A-Za-z_][\w]*$")


@dataclass(frozen=True)
class PagedSelect:
    """A SELECT query taken apart so that its answer can be read in pages: each page is the
    query, sorted by its own ORDER BY and then by every projected variable, as a subquery
    whose rows are cut outside it (Virtuoso refuses a sorted LIMIT/OFFSET past its row
    limit, but not a cut of a sorted subquery)."""

    #: The PREFIX and BASE declarations.
    prologue: str
    #: SELECT ... WHERE { ... } with GROUP BY and HAVING, without dataset clauses.
    body: str
    #: The query's own ORDER BY conditions, or "".
    order: str
    #: A trailing VALUES block, or "".
    values: str
    limit: int | None
    offset: int

    def counting(self) -> str:
        """A query of the number of rows of the query without its ORDER BY, LIMIT, OFFSET."""
        return (
            f"{self.prologue}\nSELECT (COUNT(*) AS ?ssekgRows) WHERE {{\n{{\n{self.body}\n"
            f"{self.values}\n}}\n}}\n"
        )

    def page(self, variables: Sequence[str], offset: int, limit: int) -> str:
        """The rows ``offset`` to ``offset + limit`` of the query sorted totally."""
        keys = " ".join(f"?{v}" for v in variables)
        order = f"ORDER BY {self.order}\n{keys}" if self.order or keys else ""
        return (
            f"{self.prologue}\nSELECT * WHERE {{\n{{\n{self.body}\n{order}\n"
            f"{self.values}\n}}\n}}\nLIMIT {limit} OFFSET {offset}\n"
        )


def paged_select(sparql: str, variables: Sequence[str]) -> PagedSelect | None:
    """The parts of a SELECT query (one that has passed the syntax check) for reading its
    answer, of the projected ``variables``, in pages; None when it cannot be read so."""
    if not variables or not all(_NAME.match(v) for v in variables):
        return None
    items = tokens(sparql)
    at = next((i for i in range(len(items)) if _is_keyword(items, i, *_FORMS)), None)
    if at is None or items[at].text.upper() != "SELECT":
        return None
    for i in range(len(items) - 1):
        if _is_keyword(items, i, *_UNREPEATABLE) and items[i + 1].text == "(":
            return None
    text = read_query(sparql)
    j = _dataset_position(items, at, "SELECT")
    while j < len(items) and items[j].start < text.span[1]:
        j += 1
    if j < len(items) and _is_keyword(items, j, "WHERE"):
        j += 1
    if j >= len(items) or items[j].kind != "brace":
        return None
    depth = 0
    while j < len(items):
        if items[j].kind == "brace":
            depth += 1
        elif items[j].text == "}":
            depth -= 1
            if depth == 0:
                break
        j += 1
    if j >= len(items):
        return None
    # The solution modifiers after the WHERE group, at the query's own level.
    marks: dict[str, int] = {}
    parens = 0
    for k in range(j + 1, len(items)):
        token = items[k]
        if token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif parens == 0 and _is_keyword(items, k, "ORDER", "LIMIT", "OFFSET", "VALUES"):
            marks.setdefault(token.text.upper(), k)
            if token.text.upper() == "VALUES":
                break
    ends = sorted(marks.values())

    def clause(word: str) -> str:
        k = marks.get(word)
        if k is None:
            return ""
        start = items[k].end
        stop = next((items[e].start for e in ends if e > k), len(sparql))
        return sparql[start:stop]

    def number(word: str) -> int | None:
        found = re.match(r"\s*(\d+)", clause(word)) if word in marks else None
        return int(found.group(1)) if found else None

    order = clause("ORDER")
    if order:
        order = re.sub(r"^\s*BY\b", "", order, count=1, flags=re.I)
    limit, offset = number("LIMIT"), number("OFFSET")
    if ("LIMIT" in marks and limit is None) or ("OFFSET" in marks and offset is None):
        return None
    end = items[ends[0]].start if ends else len(sparql)
    start = items[at].start
    body = sparql[start : text.span[0]] + " " + sparql[text.span[1] : end]
    values = sparql[items[marks["VALUES"]].start :] if "VALUES" in marks else ""
    return PagedSelect(sparql[:start], body, order, values, limit, offset or 0)
