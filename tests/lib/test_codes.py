import base64
import re

import pytest

from phongdich.lib.codes import (
    ALPHABET,
    CODE_LENGTH,
    InvalidCode,
    format_code,
    is_valid_code,
    new_code,
    new_token,
    normalise_code,
)

# Worked by hand: the body ends in value 1 after zeros, so the state is 1 and the check
# character is 2·1 = 2 in GF(32).
KNOWN_GOOD = "0000000012"
# A second, realistic code checked once with the implementation and pinned here so that
# a change to the check algorithm cannot go unnoticed.
PINNED = "HACTHANH7R"


def test_alphabet_is_crockford_base32():
    assert ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert not set("ILOU") & set(ALPHABET)


def test_new_code_shape():
    code = new_code()
    assert len(code) == CODE_LENGTH == 10
    assert set(code) <= set(ALPHABET)
    assert normalise_code(code) == code


def test_new_codes_are_random():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000


def test_new_code_other_lengths():
    code = new_code(6)
    assert len(code) == 6
    assert is_valid_code(code, length=6)
    assert not is_valid_code(code)
    with pytest.raises(ValueError):
        new_code(3)


def test_known_answers():
    assert normalise_code(KNOWN_GOOD) == KNOWN_GOOD
    assert normalise_code(PINNED) == PINNED
    assert not is_valid_code("0000000013")
    assert not is_valid_code("HACTHANH7S")


@pytest.mark.parametrize(
    "typed",
    [
        "hact-hanh-7r",
        "HACT HANH 7R",
        " hacthanh7r ",
        "HACT_HANH_7R",
        "ＨＡＣＴＨＡＮＨ７Ｒ",  # full-width letters from an IME
    ],
)
def test_normalise_code_accepts_what_people_type(typed):
    assert normalise_code(typed) == PINNED


def test_normalise_code_reads_o_as_zero_and_i_l_as_one():
    assert normalise_code("oooo-OOOO-i2") == KNOWN_GOOD
    assert normalise_code("0000-0000-l2") == KNOWN_GOOD


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("HACTHANH7", "wrong_length"),
        ("HACTHANH7RR", "wrong_length"),
        ("", "wrong_length"),
        ("HACTHANU7R", "invalid_characters"),
        ("HACTHAN#7R", "invalid_characters"),
        ("HACTHANH7S", "check_failed"),
    ],
)
def test_normalise_code_rejects_with_a_stable_code(typed, code):
    with pytest.raises(InvalidCode) as caught:
        normalise_code(typed)
    assert caught.value.code == code
    assert caught.value.message_vi
    assert caught.value.message_en


def _all_single_substitutions(code):
    for position, original in enumerate(code):
        for replacement in ALPHABET:
            if replacement != original:
                yield code[:position] + replacement + code[position + 1 :]


def _all_adjacent_swaps(code):
    for position in range(len(code) - 1):
        a, b = code[position], code[position + 1]
        if a != b:
            yield code[:position] + b + a + code[position + 2 :]


# Fixed codes plus fresh random ones; the random ones are drawn inside the tests so that
# every pytest-xdist worker collects the same test ids.
@pytest.mark.parametrize("fixed", [KNOWN_GOOD, PINNED])
def test_every_single_typo_is_detected(fixed):
    for code in [fixed, *(new_code() for _ in range(10))]:
        typos = list(_all_single_substitutions(code))
        assert len(typos) == 10 * 31
        assert [typo for typo in typos if is_valid_code(typo)] == []


@pytest.mark.parametrize("fixed", [KNOWN_GOOD, PINNED])
def test_every_adjacent_swap_is_detected(fixed):
    for code in [fixed, *(new_code() for _ in range(10))]:
        assert [swap for swap in _all_adjacent_swaps(code) if is_valid_code(swap)] == []


def test_format_code():
    assert format_code(PINNED) == "HACT-HANH-7R"
    assert format_code("ABCDEF") == "ABCD-EF"


def test_new_token_has_at_least_128_bits_and_is_url_safe():
    token = new_token()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == 24
    assert len({new_token() for _ in range(1000)}) == 1000
    assert len(base64.urlsafe_b64decode(new_token(16) + "==")) == 16
    with pytest.raises(ValueError):
        new_token(15)
