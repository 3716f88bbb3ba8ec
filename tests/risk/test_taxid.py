"""Tax numbers (mã số thuế): N10 = 10 − (Σ weight × digit) mod 11, weights 31 29 23 19 17 13 7 5
3 (docs/reference/risk.md §5)."""

from __future__ import annotations

import itertools

import pytest

from phongdich.risk.taxid import InvalidTaxId, check_digit, is_valid_tax_id, parse_tax_id


def test_check_digit_worked_by_hand():
    # 0·31 + 1·29 + 0·23 + 0·19 + 0·17 + 4·13 + 7·7 + 5·5 + 1·3 = 158; 158 mod 11 = 4; 10 − 4 = 6
    assert check_digit("010004751") == 6
    # 0 + 29 + 0 + 0 + 34 + 39 + 21 + 20 + 24 = 167; 167 mod 11 = 2; 10 − 2 = 8
    assert check_digit("010023348") == 8


@pytest.mark.parametrize(
    ("raw", "enterprise", "branch"),
    [
        ("0100047516", "0100047516", None),
        ("0100233488", "0100233488", None),
        (" 0100233488 ", "0100233488", None),
        ("0314409058-002", "0314409058", "002"),
    ],
)
def test_valid_tax_numbers(raw, enterprise, branch):
    tax_id = parse_tax_id(raw)
    assert (tax_id.enterprise, tax_id.branch) == (enterprise, branch)
    assert str(tax_id) == raw.strip()
    assert tax_id.province_code == enterprise[:2]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("0100233480", "tax_id_check_digit"),
        ("0100233488-000", "tax_id_branch"),
        ("0100000003", "tax_id_sequence"),  # passes the check digit, but sequence 0000000
        ("010023348", "tax_id_format"),
        ("01002334881", "tax_id_format"),
        ("0100233488002", "tax_id_format"),  # a branch needs its dash
        ("0100233488-02", "tax_id_format"),
        ("0100 233 488", "tax_id_format"),
        ("０１００２３３４８８", "tax_id_format"),  # full-width digits
        ("", "tax_id_format"),
    ],
)
def test_invalid_tax_numbers(raw, code):
    with pytest.raises(InvalidTaxId) as caught:
        parse_tax_id(raw)
    assert caught.value.code == code
    assert caught.value.message_vi and caught.value.message_en
    assert not is_valid_tax_id(raw)


def test_any_single_wrong_digit_is_caught():
    valid = "0314409058"
    for position, digit in itertools.product(range(10), "0123456789"):
        if digit == valid[position]:
            continue
        typo = valid[:position] + digit + valid[position + 1 :]
        assert not is_valid_tax_id(typo), typo


def test_remainder_zero_means_no_valid_number():
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    prefix = next(
        p
        for p in (f"01{n:07d}" for n in range(1, 200))
        if sum(w * int(d) for w, d in zip(weights, p, strict=True)) % 11 == 0
    )
    assert check_digit(prefix) is None
    assert not any(is_valid_tax_id(prefix + d) for d in "0123456789")
