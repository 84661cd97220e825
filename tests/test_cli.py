"""The ``ssekg`` command as a user meets it: exit codes, messages, and a store that bad input
leaves as it was."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ssekg.cli import app

runner = CliRunner()
ACTOR = "https://w3id.org/ssekg/id/actor/mb/17400169"


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


@pytest.fixture(params=["disk", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new store, on disk or on the session's Virtuoso (under a base IRI of its own)."""
    path = str(tmp_path / "store")
    if request.param == "virtuoso":
        server = request.getfixturevalue("virtuoso")
        monkeypatch.setenv("SSEKG_BASE_IRI", server.new_base())
        path = server.url
    result = invoke("init", "--store", path)
    assert result.exit_code == 0, result.output
    return path


def count_actors(store: str) -> int:
    result = invoke(
        "query",
        "SELECT (COUNT(?a) AS ?n) WHERE { ?a a ssekg:Actor }",
        "--format",
        "json",
        "--store",
        store,
    )
    assert result.exit_code == 0, result.output
    return int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"])


def test_init_loads_the_reference_graph(store: str) -> None:
    result = invoke(
        "query", "ASK { ?s a skos:ConceptScheme }", "--format", "json", "--store", store
    )
    assert json.loads(result.stdout)["boolean"] is True


def test_load_then_query_finds_the_actor(store: str, cli_fixtures: Path) -> None:
    result = invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store)
    assert result.exit_code == 0, result.output
    assert "1 actors" in result.stdout
    csv = invoke(
        "query",
        "SELECT ?name WHERE { ?a a ssekg:Actor ; ssekg:name ?name }",
        "--format",
        "csv",
        "--store",
        store,
    )
    assert csv.exit_code == 0
    assert "Zadruga Zlatna Ruka" in csv.stdout


def test_reloading_the_same_file_gives_the_same_graph(store: str, cli_fixtures: Path) -> None:
    for _ in range(2):
        assert invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store).exit_code == 0
    assert count_actors(store) == 1


def test_query_parameters_are_bound(store: str, cli_fixtures: Path) -> None:
    invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store)
    query = "SELECT ?a WHERE { ?a ssekg:registrationNumber ?mb }"
    hit = invoke("query", query, "--param", "mb=17400169", "--format", "tsv", "--store", store)
    miss = invoke("query", query, "--param", "mb=00000000", "--format", "tsv", "--store", store)
    assert ACTOR in hit.stdout
    assert ACTOR not in miss.stdout


def test_personal_data_is_not_queryable(store: str, cli_fixtures: Path) -> None:
    invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store)
    result = invoke(
        "query",
        "SELECT ?p WHERE { ?a ssekg:contactPerson ?p }",
        "--format",
        "csv",
        "--store",
        store,
    )
    assert result.exit_code == 0
    assert "person" not in result.stdout


def test_syntax_error_names_the_line_and_stores_nothing(store: str, cli_fixtures: Path) -> None:
    result = invoke("load", str(cli_fixtures / "broken.ttl"), "--store", store)
    assert result.exit_code == 2
    assert "broken.ttl" in result.stderr
    assert "line" in result.stderr.lower()
    assert "Traceback" not in result.output
    assert count_actors(store) == 0


def test_violations_reject_the_load(store: str, cli_fixtures: Path) -> None:
    result = invoke("load", str(cli_fixtures / "invalid.ttl"), "--store", store)
    assert result.exit_code == 1
    said = " ".join(result.stderr.split())  # the console wraps long messages at its width
    assert "nothing was stored" in said
    assert "ništa nije sačuvano" in said
    assert count_actors(store) == 0


def test_a_failed_load_keeps_what_was_there(store: str, cli_fixtures: Path, tmp_path: Path) -> None:
    invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store, "--source-id", "s1")
    bad = tmp_path / "s1.ttl"
    bad.write_text((cli_fixtures / "invalid.ttl").read_text())
    assert invoke("load", str(bad), "--store", store, "--source-id", "s1").exit_code == 1
    assert count_actors(store) == 1


def test_unknown_concept_is_rejected_and_changes_nothing(
    store: str, cli_fixtures: Path
) -> None:
    invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store)
    result = invoke("load", str(cli_fixtures / "unknown-concept.ttl"), "--store", store)
    assert result.exit_code == 1
    assert "NO-SUCH-TYPE" in result.stderr
    assert count_actors(store) == 1


def test_unknown_store_path_says_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = invoke("query", "ASK {}", "--store", str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert "ssekg init" in result.stderr


def test_missing_file_says_so(store: str, tmp_path: Path) -> None:
    result = invoke("load", str(tmp_path / "absent.ttl"), "--store", store)
    assert result.exit_code == 2
    assert "absent.ttl" in result.stderr


def test_bad_query_is_one_sentence(store: str) -> None:
    result = invoke("query", "SELECT WHERE {", "--store", store)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("error:")


def test_bad_parameter_and_format(store: str) -> None:
    assert invoke("query", "ASK {}", "--param", "novalue", "--store", store).exit_code == 2
    result = invoke("query", "ASK {}", "--format", "xlsx", "--store", store)
    assert result.exit_code == 2
    assert "table, csv, tsv or json" in result.stderr


def test_validate_exit_codes_and_formats(cli_fixtures: Path) -> None:
    ok = invoke("validate", str(cli_fixtures / "valid.ttl"), "--lang", "en")
    assert ok.exit_code == 0, ok.output
    bad = invoke("validate", str(cli_fixtures / "invalid.ttl"), "--format", "json")
    assert bad.exit_code == 1
    report = json.loads(bad.stdout)
    assert report["conforms"] is False
    assert report["violations"] >= 1
    turtle = invoke("validate", str(cli_fixtures / "invalid.ttl"), "--format", "turtle")
    assert turtle.exit_code == 1
    assert "sh:ValidationReport" in turtle.stdout or "ValidationReport" in turtle.stdout


def test_dump_leaves_out_personal_data_unless_asked(
    store: str, cli_fixtures: Path, tmp_path: Path
) -> None:
    invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store)
    public, full = tmp_path / "public.nq", tmp_path / "full.nq"
    assert invoke("dump", str(public), "--store", store).exit_code == 0
    assert invoke("dump", str(full), "--include-private", "--store", store).exit_code == 0
    assert "milica.primer" not in public.read_text()
    assert "milica.primer" in full.read_text()
    copy = str(tmp_path / "copy")
    assert invoke("restore", str(full), "--store", copy).exit_code == 0
    assert count_actors(copy) == 1


def test_module_entry_point_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ssekg", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("ssekg ")


@pytest.mark.slow
def test_demo_serves_the_example_data() -> None:
    import socket
    import time
    import urllib.parse
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "ssekg", "demo", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        query = urllib.parse.urlencode(
            {"query": "SELECT (COUNT(?a) AS ?n) WHERE { ?a a ssekg:Actor }"}
        )
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and answer is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/sparql?{query}", timeout=5
                ) as response:
                    answer = json.load(response)
            except OSError:
                time.sleep(0.5)
        assert answer is not None, "the demo server did not answer within 60 s"
        assert int(answer["results"]["bindings"][0]["n"]["value"]) >= 45
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_export_writes_public_data_only(store: str, cli_fixtures: Path, tmp_path: Path) -> None:
    assert invoke("load", str(cli_fixtures / "valid.ttl"), "--store", store).exit_code == 0
    for fmt in ("csv", "geojson", "nquads"):
        out = tmp_path / f"export.{fmt}"
        result = invoke("export", fmt, "-o", str(out), "--store", store)
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        assert "Zadruga Zlatna Ruka" in text, fmt
        assert "Milica Primer" not in text and "milica.primer" not in text, fmt
