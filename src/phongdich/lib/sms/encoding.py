"""How a text travels as SMS: GSM 7-bit or UCS-2, the ASCII fallback, and how many parts.

Vietnamese with diacritics does not fit the GSM 7-bit alphabet (it has é and à, not ạ, ế or
đ), so such a text goes as UCS-2: 70 characters in one SMS instead of 160, and 67 instead of
153 per part of a long one (3GPP TS 23.038 and 23.040; docs/reference/sms.md). Some operator
contracts or old phones need plain ASCII; :func:`to_ascii` then removes the diacritics, which
Vietnamese readers can still follow ("Ma xac nhan cua ban").
"""

from __future__ import annotations

import math
import unicodedata

__all__ = [
    "GSM_MULTIPART_SEPTETS",
    "GSM_SINGLE_SEPTETS",
    "UCS2_MULTIPART_UNITS",
    "UCS2_SINGLE_UNITS",
    "count_parts",
    "needs_unicode",
    "to_ascii",
]

GSM_SINGLE_SEPTETS = 160
GSM_MULTIPART_SEPTETS = 153  # 7 septets go to the concatenation header
UCS2_SINGLE_UNITS = 70
UCS2_MULTIPART_UNITS = 67

# ASCII characters that GSM 03.38 only has in its extension table: each costs two septets.
_GSM_EXTENSION = frozenset("^{}\\[]~|")
# Đ/đ is a letter of its own, not d plus a combining mark, so NFD does not split it.
_STROKED_D = str.maketrans({"đ": "d", "Đ": "D"})
# Typographic marks that phones and word processors put in and ASCII lacks.
_ASCII_LOOKALIKES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "`": "'",
    }
)


def to_ascii(text: str) -> str:
    """Drop Vietnamese diacritics and map đ → d: ``"Mã xác nhận"`` → ``"Ma xac nhan"``.

    A character with no ASCII form left after that becomes ``?``, as the operator would
    show it anyway, so what we store is what the person saw.
    """
    decomposed = unicodedata.normalize(
        "NFD", text.translate(_STROKED_D).translate(_ASCII_LOOKALIKES)
    )
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    composed = unicodedata.normalize("NFC", bare)
    return "".join(ch if ch.isascii() else "?" for ch in composed)


def needs_unicode(text: str) -> bool:
    """Whether the text must go as UCS-2. Anything outside ASCII does: GSM 7-bit carries a
    few accented letters, but not Vietnamese, and mixing would make the coding depend on
    which words a message happens to contain."""
    return not text.isascii()


def count_parts(text: str) -> int:
    """How many SMS the text takes (what the operator bills), in the coding it will be sent."""
    if needs_unicode(text):
        units = len(text.encode("utf-16-be")) // 2  # characters beyond U+FFFF take two
        single, multi = UCS2_SINGLE_UNITS, UCS2_MULTIPART_UNITS
    else:
        units = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)
        single, multi = GSM_SINGLE_SEPTETS, GSM_MULTIPART_SEPTETS
    if units <= single:
        return 1
    return math.ceil(units / multi)
