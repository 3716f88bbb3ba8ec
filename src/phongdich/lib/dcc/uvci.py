"""Unique Vaccination Certificate/assertion Identifiers (UVCI) in the Vietnamese pattern.

Format (eHN *Guidelines on verifiable vaccination certificates*, Annex 2, option 3 "opaque
identifier")::

    URN:UVCI:01:VN:<opaque>#<check>

* ``01`` — version of the UVCI schema;
* ``VN`` — issuing country (ISO 3166-1 alpha-2);
* ``<opaque>`` — 32 upper-case hexadecimal characters (128 random bits), the same shape as
  Viet Nam's production certificates, so no personal data can be read from it;
* ``<check>`` — one check character computed with **Luhn mod N** over the whole string before
  ``#`` (``URN:UVCI:01:VN:…``), with the alphabet ``A–Z 0–9 / :`` (N = 38), as in the eHN
  reference implementation. Starting from the right, code points are multiplied alternately
  by 2 and 1, each product's base-38 digits are summed, and the check character is the one
  that brings the total to a multiple of 38. It catches every single-character error and
  most transpositions. (The Austrian and French certificates in the EU conformance data carry
  check characters computed exactly this way.)
"""

from __future__ import annotations

import re
import secrets

__all__ = [
    "UVCI_ALPHABET",
    "generate_uvci",
    "is_valid_uvci",
    "luhn_mod_n_check_character",
]

UVCI_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
_CODE_POINTS = {char: index for index, char in enumerate(UVCI_ALPHABET)}
_N = len(UVCI_ALPHABET)
_PREFIX = "URN:UVCI:01:"
_OPAQUE = re.compile(r"^[0-9A-Z]{1,60}$")
_UVCI = re.compile(r"^URN:UVCI:01:[A-Z]{2}:[0-9A-Z/:]+#[0-9A-Z/:]$")


def _luhn_sum(text: str, factor: int) -> int:
    total = 0
    for char in reversed(text):
        try:
            addend = factor * _CODE_POINTS[char]
        except KeyError:
            raise ValueError(f"character {char!r} is not allowed in a UVCI") from None
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return total % _N


def luhn_mod_n_check_character(text: str) -> str:
    """The Luhn mod 38 check character for ``text`` (upper-case UVCI alphabet only)."""
    return UVCI_ALPHABET[(_N - _luhn_sum(text, 2)) % _N]


def generate_uvci(country: str = "VN", *, opaque: str | None = None) -> str:
    """A new UVCI, e.g. ``URN:UVCI:01:VN:3F2A…9C#K``; ``opaque`` is for reproducible tests."""
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise ValueError("country must be two upper-case letters (ISO 3166-1 alpha-2)")
    opaque = secrets.token_hex(16).upper() if opaque is None else opaque
    if not _OPAQUE.match(opaque):
        raise ValueError("opaque part must be 1–60 upper-case letters or digits")
    body = f"{_PREFIX}{country}:{opaque}"
    return f"{body}#{luhn_mod_n_check_character(body)}"


def is_valid_uvci(uvci: str) -> bool:
    """True for a well-formed UVCI whose check character matches."""
    if not _UVCI.match(uvci):
        return False
    body, check = uvci.rsplit("#", 1)
    return luhn_mod_n_check_character(body) == check
