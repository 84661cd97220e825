"""Loading sources: which loader reads a file (by ``--format``, its suffix or its content),
and one call that reads, validates and commits it.

RDF files (Turtle, N-Triples, JSON-LD, RDF/XML) are loaded whole or not at all
(:func:`ssekg.loaders.rdf.load_rdf_file`); every other kind is read record by record and
committed by :func:`ssekg.loaders.pipeline.commit_records`, which quarantines the records
with Violations and loads the rest. Loaders are imported only when a file needs them."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ssekg.errors import InputError

if TYPE_CHECKING:
    from ssekg.loaders.pipeline import LoadResult, QuarantineEntry, SourceRecord
    from ssekg.store.base import Store

#: ``--format`` values and the loader each one chooses (RDF syntaxes as in ssekg.rdf_io).
FORMATS: dict[str, str] = {
    "rdf": "rdf",
    "turtle": "rdf",
    "ttl": "rdf",
    "nt": "rdf",
    "ntriples": "rdf",
    "json-ld": "rdf",
    "jsonld": "rdf",
    "xml": "rdf",
    "rdfxml": "rdf",
    "geojson": "geojson",
    "murmurations": "murmurations",
    "csv": "tabular",
    "tsv": "tabular",
    "xlsx": "tabular",
    "table": "tabular",
    "json": "json",
}
_RDF_SUFFIXES = (".ttl", ".nt", ".jsonld", ".rdf", ".owl", ".xml")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls")
_KNOWN = "rdf, turtle, nt, json-ld, xml, geojson, murmurations, csv, tsv, xlsx, json"


def _check_file(path: Path) -> None:
    if not path.is_file():
        raise InputError(
            f"{path}: the file does not exist; check the path.",
            f"{path}: datoteka ne postoji; proverite putanju.",
        )


def _json_kind(path: Path, mapping: object) -> str:
    """What a JSON file holds: GeoJSON, Murmurations profiles, JSON-LD, or (with a mapping)
    records for the tabular loader."""
    from ssekg.loaders.geojson import read_json

    data = read_json(path)
    if isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
        return "geojson"
    items = data.get("data") if isinstance(data, dict) and "data" in data else data
    sample = items[:20] if isinstance(items, list) else [items]
    dicts = [item for item in sample if isinstance(item, dict)]
    if any("@context" in item or "@graph" in item for item in dicts):
        return "rdf"
    murmurations = ("linked_schemas", "primary_url", "profile_url")
    if mapping is None and any(any(k in item for k in murmurations) for item in dicts):
        return "murmurations"
    if mapping is not None:
        return "tabular"
    raise InputError(
        f"{path}: this JSON is neither GeoJSON, Murmurations profiles nor JSON-LD; give "
        "--mapping to read it as records, or --format.",
        f"{path}: ovaj JSON nije ni GeoJSON, ni Murmurations profili, ni JSON-LD; navedite "
        "--mapping da se čita kao zapisi, ili --format.",
    )


def detect_format(path: Path, fmt: str | None = None, mapping: object = None) -> str:
    """The loader for a file: ``rdf``, ``geojson``, ``murmurations`` or ``tabular``, from
    ``fmt`` (a ``--format`` value) or else the suffix and, for ``.json``, the content."""
    if fmt is not None:
        kind = FORMATS.get(fmt.lower())
        if kind is None:
            raise InputError(
                f"--format {fmt!r} is not known; use one of {_KNOWN}.",
                f"--format {fmt!r} nije poznat; koristite jedan od: {_KNOWN}.",
            )
        if kind != "json":
            return kind
    _check_file(path)
    suffix = path.suffix.lower()
    if fmt is None and suffix in _RDF_SUFFIXES:
        return "rdf"
    if fmt is None and suffix == ".geojson":
        return "geojson"
    if fmt is None and suffix in _TABLE_SUFFIXES:
        return "tabular"
    if suffix == ".json" or fmt is not None:
        return _json_kind(path, mapping)
    raise InputError(
        f"{path}: the suffix {suffix or '(none)'} does not tell what the file is; give "
        f"--format (one of {_KNOWN}).",
        f"{path}: nastavak {suffix or '(nema)'} ne govori kakva je datoteka; navedite "
        f"--format (jedan od: {_KNOWN}).",
    )


def _header(path: Path) -> list[str]:
    """The first non-empty row of a CSV or XLSX file, for telling its mapping."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            return []
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                cells = ["" if c is None else str(c) for c in row]
                if any(c.strip() for c in cells):
                    return cells
        finally:
            book.close()
        return []
    from ssekg.loaders.clean import read_text_file, sniff_dialect

    text, _ = read_text_file(path)
    try:
        dialect = sniff_dialect(text)
    except InputError:
        return []
    for row in csv.reader(io.StringIO(text), dialect):
        if any(c.strip() for c in row):
            return row
    return []


def guess_mapping(path: Path) -> str:
    """The bundled mapping whose columns a table's header has (the one that knows most of
    them); InputError naming the bundled mappings when none fits."""
    from ssekg.loaders.mapping import bundled_mappings, load_mapping
    from ssekg.text import fold

    header = [h.strip() for h in _header(path)]
    folded = {fold(h) for h in header if h}
    best: tuple[int, str] | None = None
    for name in bundled_mappings():
        mapping = load_mapping(name)
        try:
            mapping.resolve_columns([header], path.name)
        except InputError:
            continue
        known = len(folded & mapping.header_names())
        if known and (best is None or known > best[0]):
            best = (known, name)
    if best is None:
        names = ", ".join(bundled_mappings()) or "(none)"
        raise InputError(
            f"{path}: the columns match no bundled mapping ({names}); give --mapping with one "
            "of those names or the path of a YAML mapping.",
            f"{path}: kolone ne odgovaraju nijednom ugrađenom mapiranju ({names}); navedite "
            "--mapping sa jednim od tih imena ili putanjom do YAML mapiranja.",
        )
    return best[1]


def _no_mapping_for_rdf(path: Path, mapping: object) -> None:
    if mapping is not None:
        raise InputError(
            f"{mapping}: mappings are for tabular sources, and {path.name} is loaded as RDF; "
            "drop --mapping.",
            f"{mapping}: mapiranja su za tabelarne izvore, a {path.name} se učitava kao RDF; "
            "izostavite --mapping.",
        )


def read_source(
    path: Path,
    *,
    base: str,
    source_id: str,
    mapping: str | Path | None = None,
    fmt: str | None = None,
) -> tuple[Iterator[SourceRecord] | None, str, str | None]:
    """The records of a file, the name of the loader that read them, and the file's text
    encoding (None when it has none to tell, e.g. XLSX). RDF files are not read record by
    record: for them the records are None and the loader ``"rdf"`` (load them with
    :func:`ssekg.loaders.rdf.load_rdf_file`, or :func:`load_source`)."""
    kind = detect_format(path, fmt, mapping)
    if kind == "rdf":
        _no_mapping_for_rdf(path, mapping)
        return None, "rdf", None
    if kind == "geojson":
        from ssekg.loaders.geojson import read_geojson

        return read_geojson(path, base, source_id=source_id), "geojson", "utf-8"
    if kind == "murmurations":
        from ssekg.loaders.murmurations import read_murmurations

        return read_murmurations(path, base, source_id=source_id), "murmurations", "utf-8"
    from ssekg.loaders.tabular import read_table

    chosen = mapping if mapping is not None else guess_mapping(path)
    records, encoding = read_table(path, base, mapping=chosen, source_id=source_id)
    return records, "tabular", encoding


def _rdf_format(fmt: str | None) -> str | None:
    return None if fmt is None or fmt.lower() in ("rdf", "json") else fmt


def load_source(
    store: Store,
    path: Path,
    *,
    source_id: str | None = None,
    mapping: str | Path | None = None,
    fmt: str | None = None,
    strict: bool = False,
    report_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadResult:
    """Read, validate and commit one file as the source ``source_id`` (default: from the
    file name), replacing what the source had. RDF is all or nothing; other sources load
    their valid records and quarantine the rest (see
    :func:`ssekg.loaders.pipeline.commit_records`)."""
    from ssekg.loaders import pipeline

    _check_file(path)
    kind = detect_format(path, fmt, mapping)
    if kind == "rdf":
        from ssekg.loaders.rdf import default_source_id, load_rdf_file

        _no_mapping_for_rdf(path, mapping)
        summary = load_rdf_file(
            store, path, source_id=source_id or default_source_id(path), rdf_format=_rdf_format(fmt)
        )
        return pipeline.LoadResult(
            source_id=summary.source_id,
            graph=summary.graph,
            loaded=summary.actors,
            quarantined=0,
            triples=summary.triples,
            private_triples=summary.private_triples,
            encoding=None,
            report=summary.report,
            quarantine=[],
            loader="rdf",
        )
    sid = pipeline.check_source_id(source_id or pipeline.default_source_id(path))
    chosen = mapping
    if kind == "tabular" and mapping is None:
        chosen = guess_mapping(path)
    found, loader, encoding = read_source(
        path, base=store.graphs_of.base, source_id=sid, mapping=chosen, fmt=fmt
    )
    assert found is not None
    mapping_path = None if chosen is None else Path(chosen)
    return pipeline.commit_records(
        store,
        found,
        source_id=sid,
        files=[path],
        loader=loader,
        mapping=mapping_path if loader == "tabular" else None,
        encoding=encoding,
        strict=strict,
        report_dir=report_dir,
        progress=progress,
    )


def _entry_lines(entries: list[QuarantineEntry], limit: int) -> list[str]:
    lines: list[str] = []
    for entry in entries[:limit]:
        where = entry.locator
        if entry.column:
            where += f" [{entry.column}" + (f" = {entry.value}" if entry.value else "") + "]"
        lines.append(f"  {where}: {entry.message_en} / {entry.message_sr}")
    if len(entries) > limit:
        lines.append(f"  … {len(entries) - limit} more / još {len(entries) - limit}")
    return lines


def quarantine_lines(result: LoadResult, limit: int = 20) -> list[str]:
    """The first quarantined problems as lines for a terminal, English and Serbian."""
    return _entry_lines(result.quarantine, limit)


def warning_lines(result: LoadResult, limit: int = 20) -> list[str]:
    """The first cleaning Warnings on loaded records (an entity the register lists as
    deleted, a place left out, a number read another way) as lines for a terminal."""
    return _entry_lines([n for n in result.notes if n.severity == "Warning"], limit)


__all__ = [
    "FORMATS",
    "detect_format",
    "guess_mapping",
    "load_source",
    "quarantine_lines",
    "read_source",
    "warning_lines",
]
