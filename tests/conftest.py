"""Fixtures shared by the command-line and server tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def cli_fixtures() -> Path:
    return FIXTURES / "cli"
