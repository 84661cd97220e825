"""Reading SPARQL text just far enough for the protocol: whether a query calls a remote
SERVICE, and how to give an update the dataset of the ``using-graph-uri`` and
``using-named-graph-uri`` parameters (which pyoxigraph's ``update`` has no argument for).

The text is split into tokens that skip comments, strings and IRIs, so a keyword or a brace
inside them is never mistaken for syntax. The update's own parser (pyoxigraph) still decides
whether the rewritten text is valid; :class:`Rewrite` maps the positions of its errors back
to the text the client sent."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ssekg.errors import QueryError

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>"{3}(?:[^"\\]|\\.|"(?!""))*"{3}|'{3}(?:[^'\\]|\\.|'(?!''))*'{3}
                   |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\s]*>)
      | (?P<var>[?$]\w+)
      | (?P<pname>(?:[^\W\d][\w.\-]*)?:[\w.\-:%]*)
      | (?P<word>[^\W\d][\w\-]*)
      | (?P<open>\{)
      | (?P<close>\})
      | (?P<semicolon>;)
      | (?P<other>\S)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int
    depth: int  # braces open before this token

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def keyword(self) -> str:
        return self.text.upper() if self.kind == "word" else ""


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` (comments left out), each with its brace depth."""
    found: list[Token] = []
    depth = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "comment":
            continue
        if kind == "close":
            depth = max(0, depth - 1)
        found.append(Token(kind, match.group(), match.start(), depth))
        if kind == "open":
            depth += 1
    return found


def calls_service(query: str) -> bool:
    """Whether the query has a SERVICE clause (a call to another endpoint)."""
    if "SERVICE" not in query.upper():  # a SERVICE token would be in the text as well
        return False
    return any(t.keyword() == "SERVICE" for t in tokens(query))


@dataclass
class Rewrite:
    """A text with insertions, and the way back from its offsets to the original's."""

    original: str
    insertions: list[tuple[int, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        parts, last = [], 0
        for offset, inserted in sorted(self.insertions, key=lambda i: i[0]):
            parts += [self.original[last:offset], inserted]
            last = offset
        parts.append(self.original[last:])
        return "".join(parts)

    def original_offset(self, offset: int) -> int:
        shift = 0
        for at, inserted in sorted(self.insertions, key=lambda i: i[0]):
            if offset < at + shift:
                break
            if offset < at + shift + len(inserted):
                return at
            shift += len(inserted)
        return offset - shift

    def original_position(self, line: int, column: int) -> tuple[int, int]:
        """Line and column (1-based, in characters) in the original of a position given in
        the rewritten text."""
        rewritten = self.text
        lines = rewritten.split("\n")
        line = max(1, min(line, len(lines)))
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
        offset = self.original_offset(max(0, min(offset, len(rewritten))))
        before = self.original[:offset]
        return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


_POSITION = re.compile(r"\b(\d+):(\d+)\b")


@dataclass(frozen=True)
class SyntaxProblem:
    """Where the parser stopped (1-based line and column, in characters, in the client's
    own text) and what it expected there."""

    line: int | None
    column: int | None
    detail: str

    def en(self) -> str:
        where = f"at line {self.line}, column {self.column}" if self.line else ""
        return f"{where}: {self.detail}" if where and self.detail else where or self.detail

    def sr(self) -> str:
        where = f"u redu {self.line}, koloni {self.column}" if self.line else ""
        return f"{where}: {self.detail}" if where and self.detail else where or self.detail


def syntax_problem(error: Exception, rewrite: Rewrite | None = None) -> SyntaxProblem:
    """The parser's message, with the position mapped back through ``rewrite`` and the list
    of expected tokens cut short."""
    detail = " ".join(str(error).split())
    match = _POSITION.search(detail)
    line = column = None
    if match is not None:
        line, column = int(match.group(1)), int(match.group(2))
        if rewrite is not None:
            line, column = rewrite.original_position(line, column)
        detail = detail[match.end() :].lstrip(": ")
    if len(detail) > 140:
        detail = detail[:137].rstrip() + "..."
    return SyntaxProblem(line, column, detail)


def _operations(toks: list[Token]) -> list[list[Token]]:
    """The operations of an update: its depth-0 ``;`` separate them."""
    operations: list[list[Token]] = [[]]
    for token in toks:
        if token.kind == "semicolon" and token.depth == 0:
            operations.append([])
        else:
            operations[-1].append(token)
    return [op for op in operations if op]


def _closing(toks: list[Token], opening: int) -> int:
    """Index of the token that closes the brace at ``opening``."""
    depth = toks[opening].depth
    for index in range(opening + 1, len(toks)):
        if toks[index].kind == "close" and toks[index].depth == depth:
            return index
    return len(toks) - 1


def with_using(update: str, using: Sequence[str], using_named: Sequence[str]) -> Rewrite:
    """The update with the protocol's dataset as USING / USING NAMED clauses on every
    operation that has a WHERE pattern (``DELETE WHERE`` is written out in full first).

    Raises QueryError when an operation already names its dataset (USING or WITH): the
    protocol forbids both at once."""
    rewrite = Rewrite(update)
    if not using and not using_named:
        return rewrite
    clauses = " ".join(
        [f"USING {_iri(g)}" for g in using] + [f"USING NAMED {_iri(g)}" for g in using_named]
    )
    toks = tokens(update)
    for operation in _operations(toks):
        top = [t for t in operation if t.depth == 0]
        words = [t.keyword() for t in top]
        if "USING" in words or "WITH" in words:
            raise QueryError(
                "the update names its dataset with USING or WITH and also in the "
                "using-graph-uri / using-named-graph-uri parameters; give it in one place only.",
                "izmena navodi skup podataka sa USING ili WITH, a i u parametrima "
                "using-graph-uri / using-named-graph-uri; navedite ga na jednom mestu.",
            )
        verbs = [w for w in words if w not in ("PREFIX", "BASE", "")]
        if not verbs or verbs[0] not in ("DELETE", "INSERT"):
            continue  # graph management (CLEAR, LOAD, ...): no pattern to give a dataset to
        if len(verbs) > 1 and verbs[1] == "DATA":
            continue
        where = next((t for t in top if t.keyword() == "WHERE"), None)
        if where is None:
            continue  # not valid SPARQL: the parser will say where
        if verbs[:2] == ["DELETE", "WHERE"]:
            # DELETE WHERE { P } is DELETE { P } WHERE { P }; only the long form takes USING.
            index = next(i for i, t in enumerate(toks) if t.start == where.start)
            opening = index + 1
            if opening < len(toks) and toks[opening].kind == "open":
                closing = _closing(toks, opening)
                pattern = update[toks[opening].start : toks[closing].end]
                rewrite.insertions.append((where.start, f"{pattern} {clauses} "))
            continue
        rewrite.insertions.append((where.start, f"{clauses} "))
    return rewrite


def _iri(value: str) -> str:
    try:
        return str(ox.NamedNode(value))
    except ValueError:
        raise QueryError(
            f"{value!r} is not an absolute IRI; give graph names as full IRIs.",
            f"{value!r} nije apsolutni IRI; navedite imena grafova kao pune IRI.",
        ) from None
