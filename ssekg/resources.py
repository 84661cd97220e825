"""Access to the package's data files (ontology, taxonomies, places, shapes, queries), so that
an installed wheel and a checkout behave the same."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable


def data_dir(part: str) -> Traversable:
    """The folder of one part of the package, e.g. ``data_dir("shapes")``."""
    return resources.files("ssekg").joinpath(part)


def data_files(part: str, suffix: str) -> list[Traversable]:
    """The files of one part with a given suffix, in name order (subfolders included)."""
    found: list[Traversable] = []

    def walk(folder: Traversable) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry)
            elif entry.name.endswith(suffix):
                found.append(entry)

    walk(data_dir(part))
    return sorted(found, key=lambda f: str(f))
