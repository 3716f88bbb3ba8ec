"""Vietnamese text helpers for search and for matching people by name.

Vietnamese is typed in many ways: with or without diacritics (phone keyboards without
Telex), precomposed (NFC) or decomposed (NFD, from macOS and some Excel exports), with
"hoà" or "hòa" tone placement. Search must not care; :func:`fold` erases all of that.
Names shown to people, on the other hand, keep their diacritics: :func:`normalise_name`
only tidies case and spacing.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "fold",
    "folded_contains",
    "normalise_name",
    "normalise_spaces",
    "slugify",
    "vi_compare",
    "vi_sort_key",
]

# Đ/đ is a letter with a stroke, not a letter plus combining mark, so NFD leaves it
# alone. Ð (U+00D0, Icelandic eth) and ɖ are common look-alike typos for it.
_STROKED_D = str.maketrans({"đ": "d", "Đ": "D", "Ð": "D", "ɖ": "d", "Ɖ": "D"})
# Apostrophes in Ê Đê and Jrai names (H'Hen, Ksor H'Wen) arrive in every variant.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'"})
_NAME_PART_SEPARATORS = re.compile(r"([ '\-])")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def normalise_spaces(s: str) -> str:
    """Collapse every run of Unicode whitespace (NBSP included) to one space, and strip.

    Zero-width characters pasted from web pages and chat apps are removed too.
    """
    without_format = "".join(ch for ch in s if unicodedata.category(ch) != "Cf")
    return " ".join(without_format.split())


def fold(s: str) -> str:
    """Fold text for search: lower case, no diacritics, đ → d, single spaces.

    >>> fold("  Phường   Hạc Thành ")
    'phuong hac thanh'
    """
    decomposed = unicodedata.normalize("NFKD", s.translate(_STROKED_D))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return normalise_spaces(bare.translate(_STROKED_D).casefold())


def folded_contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` once both are folded (``"hac thanh"``
    is found in ``"Phường Hạc Thành"``)."""
    return fold(needle) in fold(haystack)


def _capitalise(part: str) -> str:
    return part[:1].upper() + part[1:].lower()


def normalise_name(s: str) -> str:
    """Tidy a person's name: NFC, single spaces, each word capitalised.

    Diacritics and tone placement are kept exactly as typed, because "Hà" and "Hạ" are
    different names; compare :func:`fold` values too when looking for likely matches.
    Parts after an apostrophe or hyphen are capitalised as well ("H'Hen Niê", "Y-Ngông").

    >>> normalise_name("  nGUYỄN   văn  a ")
    'Nguyễn Văn A'
    """
    composed = unicodedata.normalize("NFC", normalise_spaces(s)).translate(_APOSTROPHES)
    parts = _NAME_PART_SEPARATORS.split(composed)
    return "".join(_capitalise(part) for part in parts)


def slugify(s: str, max_length: int = 80) -> str:
    """An ASCII slug for file names and URLs: ``"Chốt Cầu Đuống!"`` → ``"chot-cau-duong"``."""
    slug = _NOT_SLUG.sub("-", fold(s)).strip("-")
    return slug[:max_length].rstrip("-")


# ---------------------------------------------------------------- Vietnamese alphabetical order
# The Vietnamese alphabet has ă, â, đ, ê, ô, ơ, ư as letters of their own (a < ă < â < b …
# d < đ …), and the five tone marks order words that are otherwise equal: none, huyền (à),
# hỏi (ả), ngã (ã), sắc (á), nặng (ạ). This is the order of the CLDR "vi" collation that
# PostgreSQL uses as "vi-VN-x-icu" (docs/reference/vietnamese-conventions.md); code points
# would put "Đỗ" after "Zuế" and "Ánh" after "Anh Zung".
_VI_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VI_RANK = {letter: 200 + index for index, letter in enumerate(_VI_LETTERS)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


@functools.cache  # a few hundred distinct characters: decompose each once
def _vi_char(ch: str) -> tuple[int, int, int]:
    """(letter rank, tone, case) of one precomposed character."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = next((_TONES[m] for m in decomposed[1:] if m in _TONES), 0)
    letter = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
    lower = letter.lower()
    upper = int(letter != lower)
    if lower in _VI_RANK:
        rank = _VI_RANK[lower]
    elif lower.isdigit():
        rank = 100 + int(lower) if lower.isascii() else 100
    elif lower.isspace():
        rank = 1
    elif not lower.isalnum():
        rank = 10  # punctuation: before digits and letters, as in CLDR
    else:
        rank = 1000 + ord(lower)  # letters of other scripts, after the Vietnamese alphabet
    return rank, tone, upper


@functools.lru_cache(maxsize=65_536)  # SQLite's collation asks for each name many times
def vi_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A key that sorts Vietnamese text in alphabetical order: letters first, then tone
    marks, then case (lower before upper), each compared left to right.

    >>> sorted(["Đỗ", "Dương", "Ánh", "Anh", "Ân", "Ăn"], key=vi_sort_key)
    ['Anh', 'Ánh', 'Ăn', 'Ân', 'Dương', 'Đỗ']
    """
    chars = [_vi_char(ch) for ch in unicodedata.normalize("NFC", normalise_spaces(text or ""))]
    return (
        tuple(c[0] for c in chars),
        tuple(c[1] for c in chars),
        tuple(c[2] for c in chars),
    )


def vi_compare(a: str | None, b: str | None) -> int:
    """-1, 0 or 1 as ``a`` sorts before, with or after ``b`` (for SQLite's collation hook)."""
    ka, kb = vi_sort_key(a or ""), vi_sort_key(b or "")
    return (ka > kb) - (ka < kb)


def unstorable_text(value: object, path: str = "") -> str | None:
    """The path (``person.full_name``) of the first string in a decoded JSON value that no
    database can store or no encoder can write: a NUL character (PostgreSQL refuses it) or a lone
    UTF-16 surrogate (``"\\ud800"`` in JSON; not encodable as UTF-8). None when all are fine."""
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = unstorable_text(key, where) or unstorable_text(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = unstorable_text(item, path)
            if found is not None:
                return found
    return None
