"""HTML pages of the publishing routes: the jinja2 environment over ``server/templates`` and
the page words in three languages (``templates/messages.yaml``; Cyrillic from the Latin)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import jinja2
import yaml

from ssekg.resources import data_dir, template_environment
from ssekg.server.conneg import DEFAULT_LANGUAGE, LANGUAGES
from ssekg.text import to_cyrillic

LANGUAGE_NAMES = {"sr-Latn": "latinica", "sr-Cyrl": "ћирилица", "en": "English"}


@lru_cache(maxsize=1)
def messages() -> dict[str, dict[str, str]]:
    text = data_dir("server/templates").joinpath("messages.yaml").read_text(encoding="utf-8")
    table: dict[str, dict[str, str]] = yaml.safe_load(text)
    for words in table.values():
        words.setdefault("sr-Cyrl", to_cyrillic(words["sr-Latn"]))
    return table


def translate(key: str, language: str, **values: object) -> str:
    words = messages().get(key)
    if words is None:
        return key
    text = words.get(language) or words[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return template_environment("server/templates")


def render(template: str, language: str, **context: Any) -> str:
    """A page in ``language``; templates call ``t("key")`` for their words."""

    def t(key: str, **values: object) -> str:
        return translate(key, language, **values)

    context.setdefault("lang_param", None)
    return (
        environment()
        .get_template(template)
        .render(
            lang=language,
            languages=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
            t=t,
            **context,
        )
    )
