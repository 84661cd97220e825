"""The named-query API and the downloads: ``/api/queries`` lists the named queries,
``/api/queries/{name}`` runs one with its parameters from the query string, and
``/api/export/{format}`` downloads the public data in a format for people or other networks.

Each named query is its own OpenAPI operation, its parameters typed from the query's header
(allowed values as enums, defaults, required ones marked), so ``/docs`` can call it. Answers
are SPARQL results: JSON by default, or CSV, TSV or XML by ``Accept`` or ``?format=``.
A parameter that is unknown, of the wrong type or not allowed gets a 400 whose body says what
is wrong in English and in Serbian. Everything runs on the public graphs only."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ssekg.errors import SsekgError
from ssekg.exports import DEFAULT_LANGUAGE, FORMATS, LANGUAGES, check_language, export
from ssekg.queries import NamedQuery, Parameter, named_queries
from ssekg.server.sparql_formats import RESULT_OFFERS, by_parameter, negotiate
from ssekg.store.base import Store

#: pyoxigraph's result formats as :meth:`QueryResult.serialize` names them.
_RESULT_NAMES = {
    ox.QueryResultsFormat.JSON: "json",
    ox.QueryResultsFormat.XML: "xml",
    ox.QueryResultsFormat.CSV: "csv",
    ox.QueryResultsFormat.TSV: "tsv",
}
_MEDIA_TYPES = {
    "application/sparql-results+json": "SPARQL results in JSON (the default)",
    "application/sparql-results+xml": "SPARQL results in XML",
    "text/csv": "CSV (?format=csv)",
    "text/tab-separated-values": "TSV (?format=tsv)",
}
_FORMAT_PARAMETER: dict[str, Any] = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "json (the default), csv, tsv or xml; overrides the Accept header.",
    "schema": {"type": "string", "enum": ["json", "csv", "tsv", "xml"]},
}
_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"},
        "message": {
            "type": "object",
            "properties": {"en": {"type": "string"}, "sr-Latn": {"type": "string"}},
        },
    },
}


def refusal(status: int, en: str, sr: str) -> JSONResponse:
    """An error answer: the status and one sentence in each language."""
    return JSONResponse(
        {"status": status, "message": {"en": en, "sr-Latn": sr}},
        status_code=status,
        headers={"Content-Language": "en, sr-Latn"},
    )


def describe(query: NamedQuery, base_url: str = "") -> dict[str, Any]:
    """A named query as the list at ``/api/queries`` shows it."""
    return {
        "name": query.name,
        "url": f"{base_url}api/queries/{query.name}",
        "title": query.titles,
        "description": query.descriptions,
        "parameters": [_describe_parameter(p) for p in query.parameters],
    }


def _describe_parameter(param: Parameter) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name": param.name,
        "type": str(param.type),
        "required": param.required,
        "description": param.descriptions,
    }
    if param.default is not None:
        entry["default"] = param.default
    if param.example is not None:
        entry["example"] = param.example
    allowed = param.type.allowed_values()
    if allowed and param.type.base != "place":
        entry["allowed"] = allowed
    return entry


def openapi_parameter(param: Parameter) -> dict[str, Any]:
    """One query-string parameter of an operation, typed from the query's header."""
    schema = dict(param.type.json_schema())
    if param.default is not None:
        schema["default"] = _typed(param, param.default)
    entry: dict[str, Any] = {
        "name": param.name,
        "in": "query",
        "required": param.required,
        "description": f"{param.description} / {param.describe('sr-Latn')}",
        "schema": schema,
    }
    if param.example is not None:
        entry["example"] = _typed(param, param.example)
    return entry


def _typed(param: Parameter, text: str) -> Any:
    if param.type.base == "integer":
        return int(text)
    if param.type.base == "decimal":
        return float(text)
    if param.type.base == "boolean":
        return text.lower() in ("true", "1", "yes", "da")
    return text


def create_router(store: Store, *, timeout: float | None = 30.0) -> APIRouter:
    """The ``/api`` routes over ``store``; ``timeout`` (s) bounds each query."""
    router = APIRouter(prefix="/api")
    queries = named_queries()

    @router.get(
        "/queries",
        summary="The named queries / Imenovani upiti",
        description="Every named query with its title, description and typed parameters.",
        tags=["named queries"],
    )
    def list_queries(request: Request) -> dict[str, Any]:
        base_url = str(request.base_url)
        return {"queries": [describe(q, base_url) for q in sorted(queries.values(), key=_key)]}

    for query in sorted(queries.values(), key=_key):
        router.add_api_route(
            f"/queries/{query.name}",
            _endpoint(store, query, timeout),
            methods=["GET"],
            name=f"query-{query.name}",
            summary=f"{query.title} / {query.titles.get('sr-Latn', query.title)}",
            description=(
                f"{query.descriptions.get('en', '')}\n\n{query.descriptions.get('sr-Latn', '')}"
            ),
            tags=["named queries"],
            response_class=Response,
            responses={
                200: {
                    "description": "The results / Rezultati",
                    "content": {media: {"schema": {"type": "string"}} for media in _MEDIA_TYPES},
                },
                400: {
                    "description": "A parameter that cannot be used / Neispravan parametar",
                    "content": {"application/json": {"schema": _ERROR_SCHEMA}},
                },
            },
            openapi_extra={
                "parameters": [openapi_parameter(p) for p in query.parameters] + [_FORMAT_PARAMETER]
            },
        )

    @router.get(
        "/export/{format}",
        summary="Download the public data / Preuzimanje javnih podataka",
        description="The actors as CSV or XLSX for people (headers and labels in the chosen "
        "language and script), GeoJSON, JSON-LD, N-Quads of the public graphs, the ESSGLOBAL "
        "view (DCC standard CSV, Turtle) or Murmurations profiles. Never personal data.",
        tags=["downloads"],
        response_class=Response,
        responses={
            200: {
                "description": "The file / Datoteka",
                "content": {f.media_type: {"schema": {"type": "string"}} for f in FORMATS.values()},
            },
            400: {
                "description": "An unknown format or language / Nepoznat format ili jezik",
                "content": {"application/json": {"schema": _ERROR_SCHEMA}},
            },
        },
    )
    def download(
        format: Annotated[
            str, Path(description="The format", json_schema_extra={"enum": list(FORMATS)})
        ],
        lang: Annotated[
            str,
            Query(
                description="Language and script of headers, labels and names",
                json_schema_extra={"enum": list(LANGUAGES)},
            ),
        ] = DEFAULT_LANGUAGE,
    ) -> Response:
        if format not in FORMATS:
            known = ", ".join(FORMATS)
            return refusal(
                404,
                f"there is no export format {format!r}; use one of: {known}.",
                f"ne postoji format izvoza {format!r}; koristite jedan od: {known}.",
            )
        try:
            check_language(lang)
            buffer = io.BytesIO()
            export(store, format, buffer, lang=lang)
        except SsekgError as error:
            return refusal(400, error.en, error.sr)
        chosen = FORMATS[format]
        return Response(
            buffer.getvalue(),
            media_type=chosen.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{chosen.file_name(lang)}"',
                "Content-Language": lang,
            },
        )

    @router.get("/queries/{name}", include_in_schema=False)
    def unknown_query(name: str) -> Response:
        listed = ", ".join(sorted(queries))
        return refusal(
            404,
            f"there is no named query {name!r}; GET /api/queries lists them: {listed}.",
            f"ne postoji imenovani upit {name!r}; GET /api/queries ih navodi: {listed}.",
        )

    return router


def _key(query: NamedQuery) -> str:
    return query.name


def _endpoint(store: Store, query: NamedQuery, timeout: float | None) -> Callable[..., Response]:
    def run(request: Request) -> Response:
        values: dict[str, str] = {}
        formats: list[str] = []
        for key, value in request.query_params.multi_items():
            if key == "format":
                formats.append(value)
            elif key in values:
                return refusal(
                    400,
                    f"the parameter {key} is given more than once; give it once.",
                    f"parametar {key} je naveden više puta; navedite ga jednom.",
                )
            else:
                values[key] = value
        offer = by_parameter(formats, RESULT_OFFERS) if formats else None
        if formats and offer is None:
            return refusal(
                400,
                f"the format {formats[0]!r} is not known; use json, csv, tsv or xml.",
                f"format {formats[0]!r} nije poznat; koristite json, csv, tsv ili xml.",
            )
        offer = offer or negotiate(request.headers.get("accept"), RESULT_OFFERS)
        if offer is None:
            types = ", ".join(_MEDIA_TYPES)
            return refusal(
                406,
                f"none of the accepted media types can carry these results; accept one of {types}.",
                f"nijedan od prihvaćenih tipova ne može da prenese ove rezultate; prihvatite "
                f"jedan od: {types}.",
            )
        try:
            text, bindings = query.prepare(values)
            result = store.query(text, bindings=bindings or None, timeout=timeout)
            body = result.serialize(_RESULT_NAMES[offer.format])  # type: ignore[index]
        except SsekgError as error:
            return refusal(400, error.en, error.sr)
        return Response(
            body,
            media_type=f"{offer.media_type}; charset=utf-8",
            headers={"Vary": "Accept"},
        )

    run.__name__ = f"query_{query.name.replace('-', '_')}"
    return run
