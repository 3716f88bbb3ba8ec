"""Countries for a person's nationality: ISO 3166-1 alpha-2 codes with their names from the
Unicode CLDR (through ``babel``), in Vietnamese first.

The list a person picks from starts with Việt Nam, then the countries Việt Nam shares a land
border with (Trung Quốc, Lào, Campuchia), then every other country in Vietnamese alphabetical
order (:func:`phongdich.lib.text.vi_sort_key`).

CLDR's territory list also holds regions ("001" World), groupings (EU, UN), and codes ISO
keeps only *exceptionally reserved* or *user-assigned* (AC, CP, DG, EA, IC, TA, XK…); those
are not nationalities and are left out (:data:`NOT_COUNTRIES`).
"""

from __future__ import annotations

import functools

from babel import Locale

from phongdich.lib.text import vi_sort_key

__all__ = ["FIRST", "NOT_COUNTRIES", "country_choices", "country_name", "is_country"]

# Việt Nam, then its land neighbours.
FIRST: tuple[str, ...] = ("VN", "CN", "LA", "KH")

# In CLDR but not an assigned ISO 3166-1 alpha-2 country code.
NOT_COUNTRIES: frozenset[str] = frozenset(
    {
        "AC", "CP", "CQ", "DG", "EA", "IC", "TA",  # exceptionally reserved by ISO
        "EU", "EZ", "UN",  # groupings
        "QO", "XA", "XB", "XK", "ZZ",  # user-assigned / unknown
    }
)  # fmt: skip


def _language(language: str | None) -> str:
    return "en" if (language or "vi").lower().startswith("en") else "vi"


@functools.cache
def _names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES
    }


@functools.cache
def country_choices(language: str | None = "vi") -> tuple[tuple[str, str], ...]:
    """``(code, name)`` pairs in the order a person picks from, named in ``language``
    (Vietnamese unless English is asked for)."""
    names = _names(_language(language))
    rest = sorted((c for c in names if c not in FIRST), key=lambda c: vi_sort_key(names[c]))
    return tuple((code, names[code]) for code in (*FIRST, *rest))


def is_country(code: str) -> bool:
    """Whether ``code`` is an assigned ISO 3166-1 alpha-2 country code (upper case)."""
    return code in _names("vi")


def country_name(code: str, language: str | None = "vi") -> str:
    """The country's name (``"VN"`` → ``"Việt Nam"``); an unknown code is returned unchanged."""
    return _names(_language(language)).get(code, code)
