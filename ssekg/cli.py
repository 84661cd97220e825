"""The ``ssekg`` command: set up a store, load and validate data, query it, dump and restore
it, and serve it. User errors end in one sentence on stderr and a non-zero exit code:
1 when data has SHACL Violations, 2 for anything else a user can fix; ``load`` exits with 3
when it loaded some records and set others aside ("partial")."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO, TypeVar

import typer
from rdflib import Literal, URIRef
from rdflib.term import Node
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ssekg import __version__
from ssekg.errors import InputError, SsekgError, ValidationFailed
from ssekg.namespaces import DEFAULT_BASE

if TYPE_CHECKING:
    from ssekg.analysis.gaps import GapReport
    from ssekg.analysis.network import NetworkSummary
    from ssekg.loaders.pipeline import LoadResult
    from ssekg.store.base import Store
    from ssekg.store.results import QueryResult

app = typer.Typer(
    name="ssekg",
    help="The knowledge graph of the social and solidarity economy in Serbia "
    "(Graf znanja socijalne i solidarne ekonomije u Srbiji).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

StoreOption = Annotated[
    str,
    typer.Option(
        "--store",
        envvar="SSEKG_STORE",
        help="A directory (embedded store on disk), 'memory', or a SPARQL endpoint URL.",
    ),
]
#: The language and script of labels and headers in the analysis commands.
LangOption = Annotated[str, typer.Option("--lang", help="sr-Latn, sr-Cyrl or en.")]
#: How the analysis commands print their rows.
RowsFormatOption = Annotated[str, typer.Option("--format", help="table, csv or json.")]
BaseOption = Annotated[
    str,
    typer.Option("--base-iri", envvar="SSEKG_BASE_IRI", help="Base IRI of the instance data."),
]
UpdateUrlOption = Annotated[
    str | None,
    typer.Option(
        "--update-url",
        envvar="SSEKG_UPDATE_URL",
        help="Remote stores: the SPARQL Update endpoint, when not the --store URL.",
    ),
]
GspUrlOption = Annotated[
    str | None,
    typer.Option(
        "--gsp-url",
        envvar="SSEKG_GSP_URL",
        help="Remote stores: the Graph Store Protocol endpoint (Virtuoso's is found itself).",
    ),
]
DEFAULT_STORE = "./ssekg-data"

T = TypeVar("T")


def run(action: Callable[[], T]) -> T:
    """Run one command's work; turn user errors into one sentence and an exit code."""
    try:
        return action()
    except ValidationFailed as error:
        report = error.report
        if report is not None and hasattr(report, "to_text"):
            sys.stderr.write(report.to_text("en") + "\n")
        err.print(f"error: {error.en}", markup=False, highlight=False)
        err.print(f"greška: {error.sr}", markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None
    except SsekgError as error:
        err.print(f"error: {error.en}", markup=False, highlight=False)
        err.print(f"greška: {error.sr}", markup=False, highlight=False)
        raise typer.Exit(error.exit_code) from None


def open_for(spec: str, base: str, *, create: bool = False) -> Store:
    """The command's store; a remote one takes the command's --update-url and --gsp-url."""
    import click

    from ssekg.store import open_store

    context = click.get_current_context(silent=True)
    params = context.params if context is not None else {}
    return open_store(
        spec,
        base=base,
        create=create,
        update_url=params.get("update_url"),
        gsp_url=params.get("gsp_url"),
    )


@app.command()
def init(
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Create the store and load the ontology, taxonomies and places (the reference graph)."""

    def work() -> None:
        from ssekg.setup import initialise

        with open_for(store, base_iri, create=True) as target:
            count = initialise(target)
        out.print(f"Store ready at {store}: reference graph with {count} triples.")

    run(work)


@app.command()
def load(
    file: Annotated[Path, typer.Argument(help="The file to load.")],
    mapping: Annotated[
        str | None,
        typer.Option(
            help="Mapping for tabular sources: a bundled name (e.g. survey) or a YAML file."
        ),
    ] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="rdf, turtle, nt, json-ld, xml, geojson, murmurations, csv, tsv, xlsx or json "
            "(default: from the suffix and content).",
        ),
    ] = None,
    source_id: Annotated[str | None, typer.Option(help="Source id (default: file name).")] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Store nothing if any record has a Violation (RDF files are always loaded "
            "all or nothing)."
        ),
    ] = False,
    report_dir: Annotated[
        Path | None,
        typer.Option(help="Folder for the quarantine report (default: the current folder)."),
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Load a file into its source's named graph, after validating it. Records with
    Violations are set aside in a quarantine report and the rest are loaded (exit code 3);
    with --strict, or when no record is valid, nothing is stored (exit code 1)."""

    def work() -> int:
        from ssekg.loaders import load_source, quarantine_lines, warning_lines

        with open_for(store, base_iri) as target, _load_progress(file) as progress:
            result = load_source(
                target,
                file,
                source_id=source_id,
                mapping=mapping,
                fmt=format,
                strict=strict,
                report_dir=report_dir,
                progress=progress,
            )
            linked = _linked_actors(target, result.graph)
        if result.loader == "rdf":
            summary = (
                f"Loaded {file.name} as source '{result.source_id}': {result.loaded} actors, "
                f"{result.triples} triples ({result.private_triples} private), "
                f"{result.warnings} warnings."
            )
        else:
            encoding = f", encoding {result.encoding}" if result.encoding else ""
            summary = (
                f"Loaded {file.name} as source '{result.source_id}' ({result.loader}"
                f"{encoding}): {result.loaded} records loaded, {result.quarantined} "
                f"quarantined; {result.triples} triples ({result.private_triples} private), "
                f"{result.warnings} warnings."
            )
        out.print(summary, markup=False, highlight=False, soft_wrap=True)
        out.print(_load_table(result, linked), highlight=False)
        if result.loader == "rdf" and result.report.warnings:
            sys.stdout.write(result.report.to_text("en") + "\n")
        noted = warning_lines(result)
        if noted:
            sys.stderr.write("Warnings on loaded records / Upozorenja:\n" + "\n".join(noted) + "\n")
        if result.partial:
            where = ", ".join(str(p) for p in result.report_files)
            lines = [
                f"{result.quarantined} record(s) set aside; fix them and load the file again. "
                f"Report: {where}",
                f"{result.quarantined} zapisa je izdvojeno; ispravite ih i ponovo učitajte "
                f"datoteku. Izveštaj: {where}",
                *quarantine_lines(result),
            ]
            sys.stderr.write("\n".join(lines) + "\n")
            return 3
        return 0

    raise typer.Exit(run(work))


def _linked_actors(store: Store, graph: str) -> int:
    """How many actors of a source are the same as an actor of another source (identity
    links accepted or made by ``ssekg links``; a reload keeps them, the IRIs being stable)."""
    links = store.graphs_of.links
    result = store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { "
        f"GRAPH <{graph}> {{ ?a a ?type }} GRAPH <{links}> {{ "
        "{ ?a <http://www.w3.org/2002/07/owl#sameAs> ?b } UNION "
        "{ ?b <http://www.w3.org/2002/07/owl#sameAs> ?a } } }"
    )
    return int(str(result.rows[0]["n"])) if result.rows and "n" in result.rows[0] else 0


def _load_table(result: LoadResult, linked: int) -> Table:
    """The load's counts as a table, labelled in English and Serbian."""
    table = Table("", "records / zapisa", title="Load summary / Sažetak učitavanja")
    read = result.loaded + result.quarantined
    for label, count in (
        ("read / pročitano", read),
        ("loaded / učitano", result.loaded),
        ("quarantined / izdvojeno", result.quarantined),
        ("linked / povezano", linked),
        ("warnings / upozorenja", result.warnings),
    ):
        table.add_row(label, str(count))
    return table


class _LoadProgress:
    """A progress display on stderr while a file's records are read and validated; nothing
    when stderr is not a terminal."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> Callable[[int], None] | None:
        if not err.is_terminal:
            return None
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} records / zapisa"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self.progress.start()
        self.task = self.progress.add_task(f"Loading {self.file.name}", total=None)
        return self.advance

    def advance(self, count: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task, count)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _load_progress(file: Path) -> _LoadProgress:
    return _LoadProgress(file)


class _StepProgress:
    """A progress bar on stderr for work counted in steps (validation checks, bytes of a
    dump); nothing when stderr is not a terminal, so pipes and logs stay clean."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _StepProgress:
        if err.is_terminal:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.description, total=None)
        return self

    def update(self, done: int, total: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, total=total)

    @property
    def callback(self) -> Callable[[int, int], None] | None:
        return self.update if self.progress is not None else None

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


@app.command()
def validate(
    files: Annotated[
        list[Path] | None, typer.Argument(help="Files to check; none: the store.")
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
    format: Annotated[str, typer.Option("--format", help="text, json or turtle.")] = "text",
    lang: Annotated[str, typer.Option("--lang", help="sr or en.")] = "sr",
) -> None:
    """Validate files, or the store, against the SHACL shapes; exit 0 only without Violations."""

    def work() -> int:
        from rdflib import Graph

        from ssekg.rdf_io import parse_rdf
        from ssekg.validation import validate as validate_graph
        from ssekg.validation import validate_store

        if format not in ("text", "json", "turtle"):
            raise InputError(
                f"--format {format!r} is not known; use text, json or turtle.",
                f"--format {format!r} nije poznat; koristite text, json ili turtle.",
            )
        if lang not in ("sr", "en"):
            raise InputError(
                f"--lang {lang!r} is not known; use sr or en.",
                f"--lang {lang!r} nije poznat; koristite sr ili en.",
            )
        if files:
            data = Graph()
            for path in files:
                data += parse_rdf(path)
            with _StepProgress("Validating / Provera") as bar:
                report = validate_graph(data, progress=bar.callback)
        else:
            with open_for(store, base_iri) as target, _StepProgress("Validating / Provera") as bar:
                report = validate_store(target, progress=bar.callback)
        if format == "json":
            sys.stdout.write(report.to_json() + "\n")
        elif format == "turtle":
            sys.stdout.write(report.to_turtle())
        else:
            sys.stdout.write(report.to_text(lang) + "\n")
        return 0 if report.conforms else 1

    code = run(work)
    raise typer.Exit(code)


def parse_param(text: str) -> tuple[str, Node]:
    """``name=value`` → a binding: ``<iri>`` or an http(s) IRI becomes an IRI, the rest a
    plain string (identifiers such as "07204990" keep their leading zeros)."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name.isidentifier():
        raise InputError(
            f"--param {text!r} is not of the form name=value; write e.g. --param mb=17400169.",
            f"--param {text!r} nije oblika ime=vrednost; napišite npr. --param mb=17400169.",
        )
    if value.startswith("<") and value.endswith(">"):
        return name, URIRef(value[1:-1])
    if value.startswith(("http://", "https://", "urn:")):
        return name, URIRef(value)
    return name, Literal(value)


def _param_text(text: str) -> tuple[str, str]:
    """``name=value`` as (name, value text), for a named query to type-check."""
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not name.isidentifier():
        parse_param(text)  # raises the error that says what the form is
    return name, value


def resolve_query(text: str) -> str:
    """The SPARQL text of QUERY|NAME: a .rq file, a named query of the package, or the text."""
    from ssekg.queries import named_queries

    path = Path(text)
    if "\n" not in text and path.suffix in (".rq", ".sparql"):
        if not path.is_file():
            raise InputError(
                f"the query file {text} does not exist; check the path.",
                f"datoteka upita {text} ne postoji; proverite putanju.",
            )
        return path.read_text(encoding="utf-8")
    if text.replace("-", "").replace("_", "").isalnum():
        queries = named_queries()
        if text in queries:
            return queries[text].text
        raise InputError(
            f"there is no named query {text!r}; give SPARQL text, a .rq file or one of: "
            f"{', '.join(sorted(queries))}.",
            f"ne postoji imenovani upit {text!r}; navedite SPARQL tekst, .rq datoteku ili "
            f"jedan od: {', '.join(sorted(queries))}.",
        )
    return text


@app.command()
def query(
    query_text: Annotated[
        str, typer.Argument(metavar="QUERY|NAME", help="SPARQL, a .rq file or a name.")
    ],
    param: Annotated[list[str] | None, typer.Option("--param", help="name=value binding.")] = None,
    format: Annotated[str, typer.Option("--format", help="table, csv, tsv or json.")] = "table",
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Run a SPARQL query on the public graphs."""

    def work() -> None:
        if format not in ("table", "csv", "tsv", "json"):
            raise InputError(
                f"--format {format!r} is not known; use table, csv, tsv or json.",
                f"--format {format!r} nije poznat; koristite table, csv, tsv ili json.",
            )
        from ssekg.queries import named_queries

        named = named_queries().get(query_text)
        if named is not None:
            # A named query's parameters are typed: checked, defaulted, then bound.
            sparql, bindings = named.prepare(dict(_param_text(p) for p in (param or [])))
        else:
            sparql = resolve_query(query_text)
            bindings = dict(parse_param(p) for p in (param or []))
        with open_for(store, base_iri) as target:
            result = target.query(sparql, bindings=bindings or None)
        if result.kind == "graph":
            sys.stdout.write(result.serialize("turtle").decode("utf-8"))
        elif format == "table":
            print_table(result)
        else:
            sys.stdout.buffer.write(result.serialize(format))
            sys.stdout.flush()

    run(work)


def print_table(result: QueryResult) -> None:
    if result.kind == "ask":
        out.print("true" if result.boolean else "false")
        return
    table = Table(*result.variables)
    for row in result.rows:
        table.add_row(*(_cell(row.get(v)) for v in result.variables))
    out.print(table)
    out.print(f"{len(result.rows)} row(s)")


def _cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)


@app.command()
def dump(
    file: Annotated[Path, typer.Argument(help="N-Quads file to write.")],
    include_private: Annotated[bool, typer.Option(help="Include personal data.")] = False,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Write the store's public graphs (and, if asked, the private ones) as N-Quads."""

    def work() -> None:
        with open_for(store, base_iri) as target, _open_output(file) as handle:
            target.dump(handle, include_private=include_private)
        out.print(f"Wrote {file}.")

    run(work)


@app.command()
def export(
    format: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="csv, xlsx, geojson, jsonld, nquads, essglobal-csv, essglobal-ttl or "
            "murmurations.",
        ),
    ],
    lang: Annotated[
        str, typer.Option("--lang", help="sr-Latn, sr-Cyrl or en: headers, labels, names.")
    ] = "sr-Latn",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Export the public data for people (CSV, XLSX) or other networks; never personal data."""

    def work() -> None:
        from ssekg.exports import check_language, export_format
        from ssekg.exports import export as write_export

        fmt = export_format(format)
        check_language(lang)
        if output is None and format == "xlsx" and sys.stdout.isatty():
            raise InputError(
                "an XLSX workbook cannot be shown on the terminal; give a file with -o.",
                "XLSX radna sveska ne može da se prikaže u terminalu; navedite datoteku sa -o.",
            )
        with open_for(store, base_iri) as target:
            if output is None:
                write_export(target, fmt.name, sys.stdout.buffer, lang=lang)
                sys.stdout.flush()
                return
            with _open_output(output) as handle:
                write_export(target, fmt.name, handle, lang=lang)
        err.print(f"Wrote {output}.", markup=False, highlight=False)

    run(work)


@app.command()
def gaps(
    level: Annotated[
        str | None,
        typer.Option("--level", help="region, district or municipality (all when left out)."),
    ] = None,
    territory: Annotated[
        str | None,
        typer.Option("--territory", help="One territory: a code (RS22, RS-22, pirot) or a name."),
    ] = None,
    lang: LangOption = "sr-Latn",
    format: RowsFormatOption = "table",
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """What each territory has and lacks (functions, actor types, practices, capacities)."""

    def work() -> None:
        from ssekg.analysis.gaps import analyse_gaps, check_language, check_level

        if format not in ("table", "csv", "json"):
            raise InputError(
                f"--format {format!r} is not known; use table, csv or json.",
                f"--format {format!r} nije poznat; koristite table, csv ili json.",
            )
        check_language(lang)
        check_level(level)
        with open_for(store, base_iri) as target:
            report = analyse_gaps(target, level=level, lang=lang, territory=territory)
        if format == "json":
            report.write_json(sys.stdout)
        elif format == "csv":
            report.write_csv(sys.stdout)
        else:
            _print_gaps(report, detail=territory is not None)

    run(work)


def _print_gaps(report: GapReport, *, detail: bool) -> None:
    from ssekg.analysis.gaps import DIMENSION_NAMES, HEADERS, LEVEL_NAMES

    words, names = HEADERS[report.lang], DIMENSION_NAMES[report.lang]
    levels = LEVEL_NAMES[report.lang]
    for t in report.territories if detail else ():
        out.print(f"{t.label} ({t.code}), {levels[t.level]}: {words['actors']} {t.actor_count}, "
                  f"{words['score']} {t.score:.3f}", markup=False, highlight=False)  # fmt: skip
        table = Table("", words["share"], words["present"], words["missing"])
        for dim in names:
            i = t.score_inputs
            share = f"{i[f'{dim}.present']:g}/{i[f'{dim}.of']:g} = {i[dim]:.2f}"
            table.add_row(names[dim], share, ", ".join(c.label for c in t.present[dim]),
                          ", ".join(c.label for c in t.missing[dim]))  # fmt: skip
        out.print(table, markup=False)
    for level in () if detail else levels:
        rows = [t for t in report.territories if t.level == level]
        if not rows:
            continue
        # F, T, P and C are the terms of the score's formula, printed below the table.
        table = Table(words["territory"], words["actors"], words["score"], "F", "T", "P", "C",
                      words["function.missing"], title=levels[level])  # fmt: skip
        table.columns[-1].overflow = "fold"
        for t in rows:
            i = t.score_inputs
            shares = (f"{i[f'{d}.present']:g}/{i[f'{d}.of']:g}" for d in names)
            lacking = ", ".join(c.label for c in t.missing["function"])
            if not t.present["function"]:
                lacking = f"{words['all']} ({len(t.missing['function'])})"
            table.add_row(f"{t.label} ({t.code})", str(t.actor_count), f"{t.score:.2f}", *shares,
                          lacking)  # fmt: skip
        out.print(table, markup=False)
    out.print(report.formula, markup=False, highlight=False)


MatchLimit = Annotated[
    int, typer.Option("--limit", help="Most rows to show, best first; 0 for all.")
]


def _check_format(format: str) -> None:
    if format not in ("table", "csv", "json"):
        raise InputError(
            f"--format {format!r} is not known; use table, csv or json.",
            f"--format {format!r} nije poznat; koristite table, csv ili json.",
        )


def _print_rows(rows: list[dict[str, str]], headers: tuple[str, ...], shown: list[int]) -> None:
    columns = [headers[i] for i in shown]
    table = Table(*columns)
    table.columns[-1].overflow = "fold"
    for row in rows:
        table.add_row(*(row[h] for h in columns))
    out.print(table, markup=False)


@app.command()
def match(
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this actor's needs: its IRI or MB.")
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="capacity or resource.")] = None,
    limit: MatchLimit = 50,
    lang: LangOption = "sr-Latn",
    format: RowsFormatOption = "table",
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Who offers the capacities and resources actors need, best fit and nearest first."""

    def work() -> None:
        from ssekg.analysis import matching

        _check_format(format)
        matching.check_language(lang)
        matching.check_kind(kind)
        matching.check_limit(limit)
        with open_for(store, base_iri) as target:
            found = matching.match_needs(
                target, actor=actor, kind=kind, limit=limit or None, lang=lang
            )
        headers = matching.match_headers(lang)
        if format == "json":
            matching.matches_json(found, sys.stdout)
        elif format == "csv":
            matching.write_csv(matching.match_rows(found, lang), headers, sys.stdout)
        else:
            _print_rows(matching.match_rows(found, lang), headers, [7, 6, 8])

    run(work)


@app.command()
def alliances(
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only this actor's allies: its IRI or MB.")
    ] = None,
    limit: MatchLimit = 50,
    lang: LangOption = "sr-Latn",
    format: RowsFormatOption = "table",
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Actors that share goals, target groups or practices and no network yet."""

    def work() -> None:
        from ssekg.analysis import matching

        _check_format(format)
        matching.check_language(lang)
        matching.check_limit(limit)
        with open_for(store, base_iri) as target:
            found = matching.alliance_candidates(
                target, actor=actor, limit=limit or None, lang=lang
            )
        headers = matching.alliance_headers(lang)
        if format == "json":
            matching.alliances_json(found, sys.stdout)
        elif format == "csv":
            matching.write_csv(matching.alliance_rows(found, lang), headers, sys.stdout)
        else:
            _print_rows(matching.alliance_rows(found, lang), headers, [6, 7])

    run(work)


@app.command()
def network(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the graph to FILE.graphml or FILE.gexf."),
    ] = None,
    lang: LangOption = "sr-Latn",
    format: RowsFormatOption = "table",
    top: Annotated[int, typer.Option("--top", help="Brokers and isolated actors shown.")] = 10,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """The network of cooperation, membership and funding: brokers, communities, isolated
    actors; or the graph as GraphML or GEXF for Gephi."""

    def work() -> None:
        from ssekg.analysis.network import (
            analyse_network,
            build_network,
            check_language,
            network_format,
            write_network,
        )

        if format not in ("table", "csv", "json"):
            raise InputError(
                f"--format {format!r} is not known; use table, csv or json.",
                f"--format {format!r} nije poznat; koristite table, csv ili json.",
            )
        check_language(lang)
        fmt = network_format(output) if output is not None else None
        with open_for(store, base_iri) as target:
            graph = build_network(target, lang=lang)
        summary = analyse_network(graph)
        if output is not None and fmt is not None:
            write_network(graph, output, fmt, summary=summary)
            err.print(f"Wrote {output}: {graph.number_of_nodes()} actors, "
                      f"{graph.number_of_edges()} edges, {len(summary.communities)} "
                      "communities.", markup=False, highlight=False)  # fmt: skip
        elif format == "json":
            summary.write_json(sys.stdout)
        elif format == "csv":
            summary.write_csv(sys.stdout)
        else:
            _print_network(summary, top=top)

    run(work)


def _print_network(summary: NetworkSummary, *, top: int) -> None:
    from ssekg.analysis.network import word

    lang = summary.lang

    def w(key: str, **values: object) -> str:
        return word(lang, key, **values)

    by_iri = {a.iri: a for a in summary.actors}
    counts = ", ".join(f"{w(kind)} {n}" for kind, n in summary.edges.items())
    how = (w("exact") if summary.betweenness_samples is None
           else w("sampled", k=summary.betweenness_samples, seed=summary.seed))  # fmt: skip
    out.print(f"{w('nodes')} {len(summary.actors)}; {w('edges')}: {counts}; "
              f"{w('communities').lower()} {len(summary.communities)}, {w('modularity')} "
              f"{summary.modularity:.3f}; {how}.", markup=False, highlight=False)  # fmt: skip
    table = Table(w("rank"), w("actor"), w("actor_type"), w("degree"), w("betweenness"),
                  w("reached"), title=w("brokers"))  # fmt: skip
    for rank, iri in enumerate(summary.brokers[:top], 1):
        a = by_iri[iri]
        table.add_row(str(rank), a.label, a.actor_type, str(a.degree), f"{a.betweenness:.4f}",
                      str(a.communities_reached))  # fmt: skip
    out.print(table, markup=False)
    if len(summary.brokers) > top:
        out.print(w("more", n=len(summary.brokers) - top), markup=False, highlight=False)
    table = Table(w("community"), w("size"), w("central"), w("regions"), title=w("communities"))
    for i, members in enumerate(summary.communities):
        ranked = sorted((by_iri[m] for m in members), key=lambda a: (-a.betweenness, -a.degree,
                                                                     a.iri))  # fmt: skip
        regions = sorted({r for a in ranked for r in a.region.split("; ") if r})
        table.add_row(str(i), str(len(members)), "; ".join(a.label for a in ranked[:3]),
                      "; ".join(regions))  # fmt: skip
    out.print(table, markup=False)
    table = Table(w("actor"), w("actor_type"), w("region"),
                  title=f"{w('isolated_actors')} ({len(summary.isolated)})")  # fmt: skip
    for iri in summary.isolated[:top]:
        a = by_iri[iri]
        table.add_row(a.label, a.actor_type, a.region)
    out.print(table, markup=False)
    if len(summary.isolated) > top:
        out.print(w("more", n=len(summary.isolated) - top), markup=False, highlight=False)


@app.command()
def report(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Folder for index.html and its charts.")
    ] = Path("ssekg-report"),
    lang: LangOption = "sr-Latn",
    validate: Annotated[
        bool | None,
        typer.Option(
            "--validate/--no-validate",
            help="Validate the store afresh for the report (default: only small stores).",
        ),
    ] = None,
    stale_years: Annotated[
        int, typer.Option("--stale-years", min=1, help="Records older than this are stale.")
    ] = 3,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """An HTML report of the ecosystem (with its charts as PNG and SVG) that opens offline."""

    def work() -> None:
        from ssekg.analysis.report import check_language, write_report

        check_language(lang)
        with open_for(store, base_iri) as target:
            index = write_report(target, output, lang=lang, validate=validate,
                                 stale_years=stale_years)  # fmt: skip
        err.print(f"Wrote {index}.", markup=False, highlight=False)

    run(work)


def _open_output(file: Path) -> BinaryIO:
    try:
        return file.open("wb")
    except OSError as error:
        raise InputError(
            f"cannot write {file}: {error.strerror}; choose a writable path.",
            f"ne mogu da upišem {file}: {error.strerror}; izaberite drugu putanju.",
        ) from None


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="N-Quads file written by 'ssekg dump'.")],
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Replace the store's content with an N-Quads dump."""

    def work() -> None:
        if not file.is_file():
            raise InputError(
                f"the dump {file} does not exist; check the path.",
                f"kopija {file} ne postoji; proverite putanju.",
            )
        with (
            open_for(store, base_iri, create=True) as target,
            file.open("rb") as handle,
            _StepProgress(f"Restoring / Vraćanje {file.name}") as bar,
        ):
            if bar.progress is not None and bar.task is not None:
                bar.progress.update(bar.task, total=file.stat().st_size)
                with bar.progress.wrap_file(handle, task_id=bar.task) as counted:
                    target.restore(counted)
            else:
                target.restore(handle)
            # a dump of an older version, or one edited by hand, has other figures
            from ssekg.derived import refresh as refresh_derived

            refresh_derived(target)
        out.print(f"Restored {file}.")

    run(work)


@app.command()
def serve(
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    update_token: Annotated[
        str | None, typer.Option(envvar="SSEKG_UPDATE_TOKEN", help="Bearer token for updates.")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Query time limit in seconds.")] = 30.0,
    max_rows: Annotated[
        int, typer.Option(help="Most rows (or triples) in a SPARQL answer; 0 for no limit.")
    ] = 100_000,
    max_body: Annotated[int, typer.Option(help="Largest SPARQL request body, in bytes.")] = (
        8_388_608
    ),
    workers: Annotated[
        int, typer.Option(help="Query processes running at once (0: one per CPU, at least 2).")
    ] = 0,
) -> None:
    """Serve the store over HTTP: the SPARQL endpoint at /sparql."""

    def work() -> None:
        target = open_for(store, base_iri)
        _serve(
            target,
            host,
            port,
            update_token,
            timeout,
            max_rows=max_rows,
            max_body=max_body,
            workers=workers,
        )

    run(work)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Load the example data into a fresh in-memory store and serve it."""

    def work() -> None:
        from ssekg.setup import load_examples

        target = open_for("memory", DEFAULT_BASE, create=True)
        summary = load_examples(target)
        out.print(summary)
        out.print(f"SPARQL endpoint: http://{host}:{port}/sparql")
        _serve(target, host, port, None, 30.0)

    run(work)


def _serve(
    target: Store,
    host: str,
    port: int,
    token: str | None,
    timeout: float,
    *,
    max_rows: int = 100_000,
    max_body: int = 8 * 1024 * 1024,
    workers: int = 0,
) -> None:
    import uvicorn

    from ssekg.server.app import create_app

    application = create_app(
        target,
        update_token=token,
        timeout=timeout,
        max_rows=max_rows or None,
        max_body=max_body,
        workers=workers or None,
    )
    uvicorn.run(application, host=host, port=port)


links_app = typer.Typer(
    help="Entity resolution: find the records of one actor in several sources, review the "
    "links (Povezivanje zapisa istog aktera iz više izvora).",
    no_args_is_help=True,
)
app.add_typer(links_app, name="links")


@links_app.command("find")
def links_find(
    threshold: Annotated[
        float, typer.Option(help="Name score from which a link is automatic.")
    ] = 92.0,
    review_floor: Annotated[
        float, typer.Option(help="Name score from which a pair waits for review.")
    ] = 75.0,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Find the actors that several sources list, and write the links graph."""

    def work() -> None:
        from ssekg.loaders.resolve import find_links

        with open_for(store, base_iri) as target:
            s = find_links(target, threshold=threshold, review_floor=review_floor)
        out.print(
            f"{s.actors} actors: {s.automatic} automatic links (MB {s.auto['mb']}, "
            f"PIB {s.auto['pib']}, name {s.auto['name']}), {s.pending} pending review, "
            f"{s.accepted} accepted, {s.rejected} rejected; {s.new} new, {s.dropped} dropped."
        )
        if s.pending:
            out.print("Review them with `ssekg links list --status pending`.")

    run(work)


@links_app.command("list")
def links_list(
    status: Annotated[
        str | None, typer.Option(help="Only links of this status: pending, auto, ...")
    ] = None,
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Show the links: both names, municipality, score, method and sources."""

    def work() -> None:
        from ssekg.loaders.resolve import list_links

        with open_for(store, base_iri) as target:
            rows = list_links(target, status)
        table = Table("id", "status", "score", "method", "municipality", "record (source)",
                      "other record (source)")  # fmt: skip
        for column in table.columns[:4]:
            column.no_wrap = True
        for column in table.columns[5:]:
            column.overflow = "fold"
        for row in rows:
            first = f"{row.name_a}\n[{', '.join(row.sources_a)}]"
            other = f"{row.name_b}\n[{', '.join(row.sources_b)}]"
            table.add_row(row.id, row.status, f"{row.score:g}", row.method, row.municipality,
                          first, other)  # fmt: skip
        out.print(table, markup=False)
        out.print(f"{len(rows)} link(s)")

    run(work)


def _decide(identifier: str, status: str, store: str, base_iri: str) -> None:
    def work() -> None:
        from ssekg.loaders.resolve import set_status

        with open_for(store, base_iri) as target:
            link = set_status(target, identifier, status)  # type: ignore[arg-type]
        out.print(f"Link {link.id} is {link.status}: {link.a} and {link.b}.")

    run(work)


@links_app.command("accept")
def links_accept(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The link id (links list).")],
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Accept a link: the two records are one actor (owl:sameAs), whatever later runs find."""
    _decide(identifier, "accepted", store, base_iri)


@links_app.command("reject")
def links_reject(
    identifier: Annotated[str, typer.Argument(metavar="ID", help="The link id (links list).")],
    store: StoreOption = DEFAULT_STORE,
    base_iri: BaseOption = DEFAULT_BASE,
    update_url: UpdateUrlOption = None,
    gsp_url: GspUrlOption = None,
) -> None:
    """Reject a link: the two records are two actors, and later runs do not propose them."""
    _decide(identifier, "rejected", store, base_iri)


def version_callback(value: bool) -> None:
    if value:
        out.print(f"ssekg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    """ssekg: the knowledge graph of the social and solidarity economy in Serbia."""


def main() -> None:
    app()
