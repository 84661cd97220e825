"""The named SPARQL queries shipped with ssekg (``*.rq`` beside this file). Each starts with
a header of ``# key: value`` lines: ``title``, ``description`` (each also as
``title@sr-Latn`` …), and one ``param: NAME KIND description`` line per parameter."""

from __future__ import annotations

from dataclasses import dataclass, field

from ssekg.resources import data_files


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str  # "IRI" or "literal"
    description: str


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


def parse_header(name: str, text: str) -> NamedQuery:
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    params: list[Parameter] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line[1:].strip().partition(":")
        if not sep:
            continue
        key, value = key.strip(), value.strip()
        base, _, lang = key.partition("@")
        if base == "title":
            titles[lang or "en"] = value
        elif base == "description":
            descriptions[lang or "en"] = value
        elif base == "param":
            pname, kind, *rest = value.split(maxsplit=2)
            params.append(Parameter(pname, kind, rest[0] if rest else ""))
    return NamedQuery(name, text, titles, descriptions, tuple(params))


def named_queries() -> dict[str, NamedQuery]:
    """Every named query of the package, by name (the file name without ``.rq``)."""
    queries = {}
    for f in data_files("queries", ".rq"):
        name = f.name.removesuffix(".rq")
        queries[name] = parse_header(name, f.read_text(encoding="utf-8"))
    return queries
