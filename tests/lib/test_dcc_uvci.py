"""UVCI generation and the Luhn mod 38 check character."""

from __future__ import annotations

import re

import pytest

from phongdich.lib.dcc import generate_uvci, is_valid_uvci, luhn_mod_n_check_character
from phongdich.lib.dcc.uvci import UVCI_ALPHABET

# Check characters issued by Austria and France in the EU conformance data.
REAL_UVCIS = [
    "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
    "URN:UVCI:01:AT:858CC18CFCF5965EF82F60E493349AA5#K",
    "URN:UVCI:01:AT:B5921A35D6A0D696421B3E2462178297#I",
    "URN:UVCI:01:AT:71EE2559DE38C6BF7304FB65A1A451EC#3",
    "URN:UVCI:01:FR:GGD81AAH16AZ#8",
    "URN:UVCI:01:FR:Y4996KBJ4Q3Q#:",
]


@pytest.mark.parametrize("uvci", REAL_UVCIS)
def test_it_agrees_with_check_characters_issued_in_the_eu(uvci):
    body, check = uvci.rsplit("#", 1)

    assert luhn_mod_n_check_character(body) == check
    assert is_valid_uvci(uvci)


def test_a_generated_uvci_has_the_vietnamese_pattern():
    uvci = generate_uvci()

    assert re.fullmatch(r"URN:UVCI:01:VN:[0-9A-F]{32}#[A-Z0-9/:]", uvci)
    assert is_valid_uvci(uvci)
    assert len(uvci) <= 50  # fits even the 1.0–1.2 schemas' maxLength


def test_generated_uvcis_are_unique():
    assert len({generate_uvci() for _ in range(1000)}) == 1000


def test_a_given_opaque_part_is_reproducible():
    uvci = generate_uvci("VN", opaque="0123ABC")
    assert uvci == f"URN:UVCI:01:VN:0123ABC#{luhn_mod_n_check_character('URN:UVCI:01:VN:0123ABC')}"


def test_every_single_character_error_is_detected():
    uvci = generate_uvci(opaque="4F86BBF0865B465F9BDD907C3A2C141F")
    body, check = uvci.rsplit("#", 1)
    prefix = len("URN:UVCI:01:VN:")
    for index in range(prefix, len(body)):
        for replacement in "0123456789ABCDEF":
            if replacement != body[index]:
                typo = body[:index] + replacement + body[index + 1 :]
                assert not is_valid_uvci(f"{typo}#{check}"), typo


def test_swapping_neighbours_is_detected():
    uvci = generate_uvci(opaque="4F86BBF0865B465F9BDD907C3A2C141F")
    body, check = uvci.rsplit("#", 1)
    prefix = len("URN:UVCI:01:VN:")
    for index in range(prefix, len(body) - 1):
        if body[index] != body[index + 1]:
            swapped = body[:index] + body[index + 1] + body[index] + body[index + 2 :]
            assert not is_valid_uvci(f"{swapped}#{check}"), swapped


@pytest.mark.parametrize(
    "text",
    [
        "URN:UVCI:01:VN:ABC",  # no check character
        "urn:uvci:01:vn:abc#x",  # lower case
        "URN:UVCI:02:VN:ABC#A",
        "01:VN:ABC#A",
    ],
)
def test_malformed_uvcis_are_invalid(text):
    assert not is_valid_uvci(text)


def test_it_refuses_characters_outside_the_alphabet():
    with pytest.raises(ValueError, match="not allowed"):
        luhn_mod_n_check_character("URN:UVCI:01:VN:abc")
    with pytest.raises(ValueError):
        generate_uvci("VN", opaque="ABC-123")
    with pytest.raises(ValueError):
        generate_uvci("Vietnam")


def test_the_alphabet_is_the_ehn_one():
    assert len(UVCI_ALPHABET) == 38
