"""Errors a user can cause. Each carries one sentence in English and in Serbian (Latin):
what went wrong, where, and what to do. Tracebacks are for bugs, not for these."""

from __future__ import annotations


class SsekgError(Exception):
    """Base of the errors a user can act on; exit code 2 at the command line."""

    exit_code = 2

    def __init__(self, en: str, sr: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.sr = sr or en

    def message(self, lang: str = "en") -> str:
        return self.sr if lang.startswith("sr") else self.en


class InputError(SsekgError):
    """A file, argument or parameter that cannot be used as given."""


class ParseError(InputError):
    """An RDF or tabular file that does not parse; the message names the line."""


class StoreError(SsekgError):
    """The store cannot be opened, or refused an operation."""


class QueryError(InputError):
    """A SPARQL query or update that is malformed or refers to something unknown."""


class QueryTimeoutError(QueryError):
    """A query that ran past its time limit and was stopped (the server answers 503)."""


class ValidationFailed(SsekgError):
    """Data that has SHACL Violations; nothing was stored. ``report`` is the
    :class:`ssekg.validation.ValidationReport` to show the user."""

    exit_code = 1

    def __init__(self, en: str, sr: str | None = None, *, report: object = None) -> None:
        super().__init__(en, sr)
        self.report = report
