"""Vietnamese text helpers for search and for matching people by name.

Vietnamese is typed in many ways: with or without diacritics (phone keyboards without
Telex), precomposed (NFC) or decomposed (NFD, from macOS and some Excel exports), with
"hoà" or "hòa" tone placement. Search must not care; :func:`fold` erases all of that.
Names shown to people, on the other hand, keep their diacritics: :func:`normalise_name`
only tidies case and spacing.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "folded_contains", "normalise_name", "normalise_spaces", "slugify"]

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
