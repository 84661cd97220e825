"""The benchmark data generator: deterministic, and plants errors at about the asked rate."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import generate  # noqa: E402

from ssekg.namespaces import SSEKG  # noqa: E402


def test_same_seed_same_data() -> None:
    assert list(generate(60, seed=3)) == list(generate(60, seed=3))
    assert list(generate(60, seed=3)) != list(generate(60, seed=4))


def test_planted_errors_at_about_the_rate() -> None:
    planted: Counter[str] = Counter()
    triples = list(generate(2000, seed=1, error_rate=0.05, errors=planted))
    assert 50 <= sum(planted.values()) <= 160
    actors = {s for s, p, o in triples if p == SSEKG.registrationNumber or p == SSEKG.name}
    named = {s for s, p, o in triples if p == SSEKG.name}
    assert len(actors) - len(named) <= planted["missing-name"] + 0
    assert planted["missing-name"] > 0 and planted["bad-pib"] > 0


def test_no_errors_when_rate_is_zero() -> None:
    planted: Counter[str] = Counter()
    list(generate(300, error_rate=0.0, errors=planted))
    assert sum(planted.values()) == 0


def test_clean_data_validates_and_planted_errors_are_caught() -> None:

    from rdflib import Graph

    from ssekg.validation import validate

    clean = Graph()
    for triple in generate(40, seed=3, error_rate=0.0):
        clean.add(triple)
    report = validate(clean)
    assert report.violations == 0 and report.warnings == 0

    planted: Counter[str] = Counter()
    dirty = Graph()
    for triple in generate(40, seed=3, error_rate=0.5, errors=planted):
        dirty.add(triple)
    violations = sum(planted[k] for k in planted if k != "bad-mb-check")
    assert validate(dirty).violations >= violations > 0
