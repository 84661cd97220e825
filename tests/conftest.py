"""Fixtures shared by the command-line and server tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.virtuoso import virtuoso  # noqa: F401  (the session's Virtuoso, for remote stores)

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def cli_fixtures() -> Path:
    return FIXTURES / "cli"
