"""Vietnamese tax identification numbers (mã số thuế, MST) of establishments.

An enterprise has 10 digits ``N1…N10``: ``N1N2`` the province where it first registered,
``N3…N9`` a sequence number, ``N10`` a check digit over the first nine. A dependent unit
(branch) adds a dash and three digits, ``N11…N13`` (``001``–``999``). The check digit
(docs/reference/risk.md §5):

    N10 = 10 − (31·N1 + 29·N2 + 23·N3 + 19·N4 + 17·N5 + 13·N6 + 7·N7 + 5·N8 + 3·N9) mod 11

When the remainder is 0 the formula gives 10, which is not a digit: no such number is issued,
so it is invalid (python-stdnum ``stdnum.vn.mst`` and vn-ident agree). The 12-digit personal
tax numbers based on the citizen ID card have no check digit and are not accepted here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_SHAPE = re.compile(r"(\d{10})(?:-(\d{3}))?")


class InvalidTaxId(ValueError):
    """A malformed tax number; ``code`` is stable for clients."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class TaxId:
    enterprise: str  # the 10 digits
    branch: str | None = None  # the 3 digits of a dependent unit

    @property
    def province_code(self) -> str:
        return self.enterprise[:2]

    def __str__(self) -> str:
        return self.enterprise if self.branch is None else f"{self.enterprise}-{self.branch}"


def check_digit(first_nine: str) -> int | None:
    """The tenth digit for nine digits, or None when the formula gives 10 (never issued)."""
    if len(first_nine) != 9 or not first_nine.isdigit() or not first_nine.isascii():
        raise ValueError("nine ASCII digits expected")
    total = sum(w * int(d) for w, d in zip(WEIGHTS, first_nine, strict=True))
    digit = 10 - total % 11
    return None if digit == 10 else digit


def parse_tax_id(raw: str) -> TaxId:
    """Parse ``0123456789`` or ``0123456789-001`` (surrounding spaces ignored)."""
    text = raw.strip()
    match = _SHAPE.fullmatch(text) if text.isascii() else None
    if match is None:
        raise InvalidTaxId(
            "tax_id_format",
            "Mã số thuế gồm 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số "
            "(đơn vị phụ thuộc).",
            "A tax number has 10 digits, or 10 digits, a dash and 3 digits (a branch).",
        )
    enterprise, branch = match.group(1), match.group(2)
    if enterprise[2:9] == "0000000":
        raise InvalidTaxId(
            "tax_id_sequence",
            "Số thứ tự trong mã số thuế (chữ số 3 đến 9) không thể là 0000000.",
            "The sequence number (digits 3 to 9) cannot be 0000000.",
        )
    if branch == "000":
        raise InvalidTaxId(
            "tax_id_branch",
            "Số thứ tự đơn vị phụ thuộc phải từ 001 đến 999.",
            "A branch number runs from 001 to 999.",
        )
    if check_digit(enterprise[:9]) != int(enterprise[9]):
        raise InvalidTaxId(
            "tax_id_check_digit",
            "Mã số thuế sai chữ số kiểm tra: hãy kiểm tra lại từng chữ số.",
            "The tax number's check digit is wrong: check each digit.",
        )
    return TaxId(enterprise, branch)


def is_valid_tax_id(raw: str) -> bool:
    try:
        parse_tax_id(raw)
    except InvalidTaxId:
        return False
    return True


__all__ = ["WEIGHTS", "InvalidTaxId", "TaxId", "check_digit", "is_valid_tax_id", "parse_tax_id"]
