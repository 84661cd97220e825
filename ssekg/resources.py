"""Access to the package's data files (ontology, taxonomies, places, shapes, queries), so that
an installed wheel and a checkout behave the same."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


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


def template_environment(part: str) -> jinja2.Environment:
    """A Jinja environment over the package's templates in ``part`` (HTML escaped, undefined
    names an error), read through importlib.resources like the other data files."""
    import jinja2

    folder = data_dir(part)

    def load(name: str) -> str | None:
        entry = folder.joinpath(name)
        return entry.read_text(encoding="utf-8") if entry.is_file() else None

    return jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
