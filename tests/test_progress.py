"""Progress bars: shown on a terminal while validating and restoring, absent from pipes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import ssekg.cli as cli

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def store(tmp_path: Path) -> str:
    path = str(tmp_path / "store")
    assert runner.invoke(cli.app, ["init", "--store", path]).exit_code == 0
    result = runner.invoke(cli.app, ["load", str(EXAMPLES / "ssekg-examples.ttl"), "--store", path])
    assert result.exit_code == 0, result.output
    return path


def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    monkeypatch.setattr(cli, "err", console)
    return screen


def test_validating_the_store_shows_its_progress_on_a_terminal(
    store: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = terminal(monkeypatch)
    result = runner.invoke(cli.app, ["validate", "--store", store])
    assert result.exit_code == 0, result.output
    assert "Validating / Provera" in screen.getvalue()
    assert "Validating" not in result.stdout


def test_restoring_a_dump_shows_its_progress_on_a_terminal(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = tmp_path / "dump.nq"
    assert runner.invoke(cli.app, ["dump", str(dump), "--store", store]).exit_code == 0
    screen = terminal(monkeypatch)
    target = str(tmp_path / "restored")
    result = runner.invoke(cli.app, ["restore", str(dump), "--store", target])
    assert result.exit_code == 0, result.output
    assert "Restoring / Vraćanje dump.nq" in screen.getvalue()
    count = runner.invoke(
        cli.app,
        ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?a a ssekg:Actor }", "--store", target],
    )
    assert "50" in count.stdout


def test_no_progress_when_stderr_is_not_a_terminal(store: str) -> None:
    result = runner.invoke(cli.app, ["validate", "--store", store])
    assert result.exit_code == 0
    assert "Provera" not in result.output
