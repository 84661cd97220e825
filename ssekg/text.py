"""Serbian in two scripts: detect the script of a text, transliterate it into the other one,
and fold any text into a matching key.

Cyrillic to Latin is deterministic; Latin to Cyrillic is not, because a morpheme boundary
can split what looks like a digraph (nad|živeti, in|jekcija). Generated text is for display
and search only; names are stored as given.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import cyrtranslit
from cyrtranslit.mapping import TRANSLIT_DICT

CYRILLIC = "sr-Cyrl"
LATIN = "sr-Latn"

_DIGRAPH_CYRILLIC = {"Љ": ("LJ", "Lj"), "Њ": ("NJ", "Nj"), "Џ": ("DŽ", "Dž")}

# Latin stems in which lj/nj/dž are two letters, not one; the number is where they split.
_BOUNDARY_STEMS: tuple[tuple[str, int], ...] = (
    ("nadživ", 3),
    ("podžup", 3),
    ("odžal", 2),
    ("injekc", 2),
    ("konjunkt", 3),
    ("vanjezi", 3),
)

_FOREIGN_LETTERS = re.compile(r"[qwxyQWXY]")
_URL_OR_EMAIL = re.compile(r"(://|^www\.|@)", re.IGNORECASE)
_TOKEN = re.compile(r"(\s+)")
_UPPER_DIGRAPHS = re.compile(r"LJ|NJ|DŽ")


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def _is_latin(ch: str) -> bool:
    return ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f")


@lru_cache(maxsize=1 << 16)
def _letters(word: str) -> tuple[int, int]:
    """How many Cyrillic and how many Latin letters a word has."""
    cyr = sum(1 for ch in word if _is_cyrillic(ch) and ch.isalpha())
    lat = sum(1 for ch in word if _is_latin(ch))
    return cyr, lat


def detect_script(s: str) -> str | None:
    """``"sr-Cyrl"`` or ``"sr-Latn"`` by the letters that dominate; None without letters
    (or with as many of each)."""
    cyr = lat = 0
    for word in s.split():  # no space is a letter; words repeat, so they are counted once
        c, la = _letters(word)
        cyr += c
        lat += la
    if cyr == lat:
        return None
    return CYRILLIC if cyr > lat else LATIN


#: cyrtranslit's Serbian Cyrillic to Latin, one letter at a time, as a translation table.
_TO_LATIN = str.maketrans(TRANSLIT_DICT["sr"]["tolatin"])


@lru_cache(maxsize=1 << 16)
def to_latin(s: str) -> str:
    """Serbian Cyrillic to Latin; in all-caps words Љ/Њ/Џ become LJ/NJ/DŽ (ЏУГАЊ → DŽUGANJ)."""
    if not any(ch in s for ch in _DIGRAPH_CYRILLIC):
        return s.translate(_TO_LATIN)
    out: list[str] = []
    for i, ch in enumerate(s):
        if ch in _DIGRAPH_CYRILLIC:
            upper, title = _DIGRAPH_CYRILLIC[ch]
            nxt = s[i + 1] if i + 1 < len(s) else ""
            prev = s[i - 1] if i > 0 else ""
            # the next letter decides; at the end of a word, the one before
            all_caps = nxt.isupper() if nxt.isalpha() else prev.isalpha() and prev.isupper()
            out.append(upper if all_caps else title)
        else:
            out.append(ch)
    return "".join(out).translate(_TO_LATIN)


def _latin_segment(segment: str) -> str:
    # cyrtranslit reads "Lj" but not "LJ" as one letter.
    fixed = _UPPER_DIGRAPHS.sub(lambda m: m.group(0)[0] + m.group(0)[1:].lower(), segment)
    return str(cyrtranslit.to_cyrillic(fixed, "sr"))


@lru_cache(maxsize=1 << 16)
def _token_to_cyrillic(token: str) -> str:
    if not token or token.isspace():
        return token
    if _FOREIGN_LETTERS.search(token) or _URL_OR_EMAIL.search(token):
        return token
    lower = token.lower()
    cuts: set[int] = set()
    for stem, split in _BOUNDARY_STEMS:
        start = lower.find(stem)
        while start != -1:
            cuts.add(start + split)
            start = lower.find(stem, start + 1)
    bounds = [0, *sorted(cuts), len(token)]
    return "".join(_latin_segment(token[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))


def to_cyrillic(s: str) -> str:
    """Serbian Latin to Cyrillic, after NFKC (so ǉ is lj). All-caps LJ/NJ/DŽ become Љ/Њ/Џ;
    words with q, w, x or y, URLs and e-mail addresses stay as they are; known morpheme
    boundaries (nadživeti, injekcija, …) keep two letters."""
    text = unicodedata.normalize("NFKC", s)
    return "".join(_token_to_cyrillic(part) for part in _TOKEN.split(text))


def other_script(s: str) -> tuple[str, str] | None:
    """The text in the other Serbian script with its language tag, or None when the script
    cannot be told or the transliteration changes nothing."""
    script = detect_script(s)
    if script is None:
        return None
    if script == CYRILLIC:
        converted, tag = to_latin(s), LATIN
    else:
        converted, tag = to_cyrillic(s), CYRILLIC
    if converted == s:
        return None
    return converted, tag


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def fold(s: str) -> str:
    """The matching key: Latin script, NFKC, lower case, đ as dj, no diacritics, and single
    spaces for any run of whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", to_latin(s)).lower().replace("đ", "dj")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def slug(s: str) -> str:
    """A place-code slug: the folded text with hyphens for spaces (Bačka Palanka →
    backa-palanka)."""
    return fold(s).replace(" ", "-")
