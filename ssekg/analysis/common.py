"""What the analysis modules share: a concept of a taxonomy (or a place) as shown to people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Concept:
    iri: str
    label: str
