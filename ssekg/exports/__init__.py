"""Exports of the public data, for people and for other networks: ``export(store, "csv",
out, lang="sr-Latn")``. Every format is built from what :meth:`Store.query` and
:meth:`Store.dump` (without private graphs) return, so none carries personal data.

==================  =====================================================================
``csv``, ``xlsx``   one row per actor, headers and labels in the chosen language/script
``geojson``         the actors as points with their main properties
``jsonld``          the instance data with the project's JSON-LD context
``nquads``          every public graph (the dump)
``essglobal-csv``   DCC's "standard CSV" with ESSGLOBAL 2.1 IRIs
``essglobal-ttl``   the ESSGLOBAL view in Turtle
``murmurations``    Murmurations organisation profiles (organizations_schema-v1.0.0)
==================  ====================================================================="""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from ssekg.errors import InputError
from ssekg.exports.geo import write_geojson
from ssekg.exports.linked import write_jsonld, write_nquads
from ssekg.exports.networks import write_dcc_csv, write_essglobal_turtle, write_murmurations
from ssekg.exports.records import Records, read_records
from ssekg.exports.table import write_csv, write_xlsx
from ssekg.store.base import Store

LANGUAGES = ("sr-Latn", "sr-Cyrl", "en")
DEFAULT_LANGUAGE = "sr-Latn"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    suffix: str
    title: str
    title_sr: str
    from_records: Callable[[Records, BinaryIO, str], None] | None = None
    from_store: Callable[[Store, BinaryIO], None] | None = None

    def file_name(self, lang: str) -> str:
        language = "" if self.from_store is not None else f"-{lang}"
        return f"ssekg-{self.name}{language}{self.suffix}"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("csv", "text/csv", ".csv", "Actors as a table (CSV)",
                     "Akteri kao tabela (CSV)", from_records=write_csv),
        ExportFormat("xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     ".xlsx", "Actors as a spreadsheet (XLSX)", "Akteri kao radna sveska (XLSX)",
                     from_records=write_xlsx),
        ExportFormat("geojson", "application/geo+json", ".geojson", "Actors on a map (GeoJSON)",
                     "Akteri na mapi (GeoJSON)", from_records=write_geojson),
        ExportFormat("jsonld", "application/ld+json", ".jsonld",
                     "The data as JSON-LD with the ssekg context",
                     "Podaci kao JSON-LD sa ssekg kontekstom", from_store=write_jsonld),
        ExportFormat("nquads", "application/n-quads", ".nq", "The public graphs (N-Quads)",
                     "Javni grafovi (N-Quads)", from_store=write_nquads),
        ExportFormat("essglobal-csv", "text/csv", ".csv", "ESSGLOBAL standard CSV (DCC)",
                     "ESSGLOBAL standardni CSV (DCC)", from_records=write_dcc_csv),
        ExportFormat("essglobal-ttl", "text/turtle", ".ttl", "ESSGLOBAL view (Turtle)",
                     "ESSGLOBAL prikaz (Turtle)", from_records=write_essglobal_turtle),
        ExportFormat("murmurations", "application/json", ".json",
                     "Murmurations organisation profiles", "Murmurations profili organizacija",
                     from_records=write_murmurations),
    )
}  # fmt: skip


def export_format(name: str) -> ExportFormat:
    """The format by name, or an InputError that lists the formats."""
    if name not in FORMATS:
        known = ", ".join(FORMATS)
        raise InputError(
            f"the export format {name!r} is not known; use one of: {known}.",
            f"format izvoza {name!r} nije poznat; koristite jedan od: {known}.",
        )
    return FORMATS[name]


def check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise InputError(
            f"the language {lang!r} is not offered; use one of: {known}.",
            f"jezik {lang!r} nije ponuđen; koristite jedan od: {known}.",
        )
    return lang


def export(store: Store, name: str, out: BinaryIO, *, lang: str = DEFAULT_LANGUAGE) -> None:
    """Write the public data of ``store`` to ``out`` in the format ``name``."""
    fmt = export_format(name)
    check_language(lang)
    if fmt.from_store is not None:
        fmt.from_store(store, out)
        return
    assert fmt.from_records is not None
    fmt.from_records(read_records(store), out, lang)


__all__ = ["FORMATS", "LANGUAGES", "ExportFormat", "check_language", "export", "export_format"]
