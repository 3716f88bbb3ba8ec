"""Person names for the DCC ``nam`` object, with ICAO 9303 transliteration.

**Vietnamese name order.** A Vietnamese full name is written family name first, then middle
name(s), then the given name: *Nguyễn Thị Minh Khai*. The DCC has two fields, surname ``fn`` and
forename(s) ``gn``. We put the **first word** in ``fn`` and **everything after it** in ``gn``
(``fn`` "Nguyễn", ``gn`` "Thị Minh Khai"): that is how Vietnamese passports fill the
surname/given-names fields, and Viet Nam's production certificates do the same (its sample in
the EU quality-assurance data has ``fn`` "Nguyễn", ``gn`` "Bảo Duy"). Compound family names
("Tôn Nữ", "Nguyễn Phước") cannot be detected from the text, so callers who know the split pass
``family=`` and ``given=`` explicitly.

**Transliteration** (``fnt``/``gnt``) follows ICAO Doc 9303 Part 3 as the DCC schema asks:
diacritics are dropped (Vietnamese tone and vowel marks decompose in Unicode: ễ → E, ư → U),
*Đ/đ* becomes *D* (it does not decompose), letters ICAO spells out are spelled out (Ö → OE,
ß → SS), spaces and hyphens become ``<``, apostrophes and other punctuation disappear, and the
result — only ``A–Z`` and ``<`` — is cut to 80 characters.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_NAME_LENGTH", "person_name", "split_full_name", "transliterate"]

MAX_NAME_LENGTH = 80  # DCC schema 1.3.0 maxLength for fn, fnt, gn, gnt

# ICAO 9303 Part 3, section 6 ("Transliteration of multinational Latin-based characters"):
# letters that are not base letter + combining mark, or that ICAO spells out.
_SPELLED_OUT = str.maketrans(
    {
        "Đ": "D",
        "đ": "D",
        "Ð": "D",
        "ð": "D",
        "Ä": "AE",
        "ä": "AE",
        "Å": "AA",
        "å": "AA",
        "Æ": "AE",
        "æ": "AE",
        "Ö": "OE",
        "ö": "OE",
        "Ø": "OE",
        "ø": "OE",
        "Œ": "OE",
        "œ": "OE",
        "Ü": "UE",
        "ü": "UE",
        "ß": "SS",
        "Þ": "TH",
        "þ": "TH",
        "Ł": "L",
        "ł": "L",
        "Ħ": "H",
        "ħ": "H",
        "Ŧ": "T",
        "ŧ": "T",
        "Ŋ": "N",
        "ŋ": "N",
        "Ĳ": "IJ",
        "ĳ": "IJ",
        "ı": "I",
    }
)
_FILLER_SOURCES = re.compile(r"[\s\-‐‑–—]+")
_NOT_MRZ = re.compile(r"[^A-Z<]")
_FILLER_RUNS = re.compile(r"<{2,}")
_WHITESPACE = re.compile(r"\s+")


def transliterate(text: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """ICAO 9303 machine-readable form of a name: ``"Nguyễn Thị-Minh"`` → ``"NGUYEN<THI<MINH"``."""
    composed = unicodedata.normalize("NFC", text).translate(_SPELLED_OUT)
    without_marks = "".join(
        char for char in unicodedata.normalize("NFD", composed) if not unicodedata.combining(char)
    )
    fillers = _FILLER_SOURCES.sub("<", without_marks.strip().upper())
    letters = _FILLER_RUNS.sub("<", _NOT_MRZ.sub("", fillers)).strip("<")
    return letters[:max_length].rstrip("<")


def _clean(text: str) -> str:
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def split_full_name(full_name: str) -> tuple[str, str]:
    """Split a Vietnamese full name into (family name, given names) — first word, the rest."""
    words = _clean(full_name).split(" ")
    return words[0], " ".join(words[1:])


def person_name(
    full_name: str | None = None, *, family: str | None = None, given: str | None = None
) -> dict[str, str]:
    """Build the DCC ``nam`` object.

    Pass either ``full_name`` (split by :func:`split_full_name`) or ``family`` and/or ``given``.
    Empty parts are omitted, as the schema allows; ``fnt`` is required by schema 1.3.0, so a
    family name must result.
    """
    if full_name is not None:
        if family is not None or given is not None:
            raise ValueError("pass full_name or family/given, not both")
        family, given = split_full_name(full_name)
    family = _clean(family or "")
    given = _clean(given or "")
    if not family or not transliterate(family):
        raise ValueError("a family name with at least one Latin letter is required")
    for label, part in (("family", family), ("given", given)):
        if len(part) > MAX_NAME_LENGTH:
            raise ValueError(f"{label} name is longer than {MAX_NAME_LENGTH} characters")
    name = {"fn": family, "fnt": transliterate(family)}
    if given:
        name["gn"] = given
        name["gnt"] = transliterate(given)
    return name
