import pytest

from phongdich.lib.phones import (
    LANDLINE_AREA_CODES,
    MOBILE_PREFIXES,
    OLD_MOBILE_PREFIXES,
    InvalidPhone,
    PhoneKind,
    display_phone,
    format_international,
    format_local,
    is_foreign_phone,
    is_valid_phone,
    normalise_any_phone,
    normalise_phone,
    parse_phone,
)


@pytest.mark.parametrize(
    "raw",
    [
        "0912 345 678",
        "0912345678",
        "+84912345678",
        "+84 912 345 678",
        "84-912-345-678",
        "84912345678",
        "0084 912 345 678",
        "+84 (0) 912 345 678",
        "0912.345.678",
        "(091) 234-5678",
        "912345678",  # Excel dropped the leading zero
        "０９１２３４５６７８",  # full-width digits from a phone keyboard
    ],
)
def test_it_accepts_common_spellings_of_a_mobile_number(raw):
    assert normalise_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("(024) 3825 1234", "+842438251234"),
        ("028 3829 1234", "+842838291234"),
        ("0236 382 2123", "+842363822123"),
        ("+84 237 385 2345", "+842373852345"),
        ("842438251234", "+842438251234"),
        ("2438251234", "+842438251234"),
    ],
)
def test_it_accepts_landlines(raw, e164):
    number = parse_phone(raw)
    assert number.e164 == e164
    assert number.kind is PhoneKind.LANDLINE


@pytest.mark.parametrize("prefix", sorted(MOBILE_PREFIXES))
def test_every_mobile_prefix_is_accepted(prefix):
    number = parse_phone(prefix + "1234567")
    assert number.kind is PhoneKind.MOBILE
    assert number.e164 == "+84" + prefix[1:] + "1234567"


def test_mobile_prefixes_are_exactly_the_current_plan():
    assert sorted(MOBILE_PREFIXES) == [
        *["032", "033", "034", "035", "036", "037", "038", "039"],
        *["052", "055", "056", "058", "059"],
        *["070", "076", "077", "078", "079"],
        *["081", "082", "083", "084", "085", "086", "087", "088", "089"],
        *["090", "091", "092", "093", "094", "096", "097", "098", "099"],
    ]


def test_every_old_prefix_maps_to_a_current_prefix():
    assert len(OLD_MOBILE_PREFIXES) == 21
    assert set(OLD_MOBILE_PREFIXES.values()) <= MOBILE_PREFIXES
    assert len(set(OLD_MOBILE_PREFIXES.values())) == 21


def test_there_are_63_area_codes():
    assert len(LANDLINE_AREA_CODES) == 63
    assert all(code.startswith("02") for code in LANDLINE_AREA_CODES)


@pytest.mark.parametrize(
    ("raw", "local"),
    [
        ("+84912345678", "0912 345 678"),
        ("84-912-345-678", "0912 345 678"),
        ("+842438251234", "024 3825 1234"),
        ("+842838291234", "028 3829 1234"),
        ("+842363822123", "0236 382 2123"),
    ],
)
def test_format_local(raw, local):
    assert format_local(raw) == local


def test_format_international():
    assert format_international("0912345678") == "+84 912 345 678"
    assert format_international("02438251234") == "+84 24 3825 1234"


def test_it_explains_old_eleven_digit_mobile_numbers():
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone("0166 234 5678")
    assert caught.value.code == "old_mobile_prefix"
    assert "0362 345 678" in caught.value.message_vi
    assert "0362 345 678" in caught.value.message_en
    assert "2018" in caught.value.message_vi


def test_it_explains_old_numbers_written_internationally():
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone("+84 121 234 5678")
    assert caught.value.code == "old_mobile_prefix"
    assert "0792 345 678" in caught.value.message_en


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("0912 345 67x", "invalid_characters"),
        ("+", "invalid_characters"),
        ("+1 415 555 0100", "not_vietnamese"),
        ("0066 2 123 4567", "not_vietnamese"),
        ("0912 345 67", "wrong_length"),
        ("0912 345 6789", "wrong_length"),
        ("024 3825 123", "wrong_length"),
        ("0951 234 567", "unknown_mobile_prefix"),  # S-Fone, closed in 2012
        ("0801 234 567", "unknown_mobile_prefix"),
        ("0201 234 5678", "unknown_area_code"),
        ("0217 234 5678", "unknown_area_code"),
        ("0123", "wrong_length"),
    ],
)
def test_it_rejects_with_a_stable_code(raw, code):
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone(raw)
    assert caught.value.code == code
    assert caught.value.message_vi
    assert caught.value.message_en
    assert str(caught.value) == caught.value.message_en


def test_is_valid_phone():
    assert is_valid_phone("0987 654 321")
    assert not is_valid_phone("0187 654 321")
    assert not is_valid_phone("hello")


# Foreign numbers, accepted only where a person enters their own phone (normalise_any_phone).


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("+82 10-1234-5678", "+821012345678"),
        ("+856 20 5555 1234", "+8562055551234"),
    ],
)
def test_foreign_numbers_in_international_form_are_stored_in_e164(raw, e164):
    assert normalise_any_phone(raw) == e164
    assert is_foreign_phone(e164)


@pytest.mark.parametrize("raw", ["0912 345 678", "+84 912 345 678", "0084912345678", "912345678"])
def test_vietnamese_numbers_are_kept_as_before(raw):
    assert normalise_any_phone(raw) == normalise_phone(raw) == "+84912345678"
    assert not is_foreign_phone("+84912345678")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("+33 1", "invalid_foreign_phone"),
        ("+999 123 456 789", "invalid_foreign_phone"),
        ("+84 123", "wrong_length"),
        ("+33 6 12 ab", "invalid_characters"),
    ],
)
def test_bad_foreign_numbers_are_refused_in_both_languages(raw, code):
    with pytest.raises(InvalidPhone) as caught:
        normalise_any_phone(raw)
    assert caught.value.code == code
    assert caught.value.message_vi != caught.value.message_en


def test_the_vietnamese_only_parser_still_refuses_foreign_numbers():
    """SMS goes through Vietnamese carriers: the gateways' parser keeps saying so."""
    with pytest.raises(InvalidPhone) as caught:
        normalise_phone("+33 6 12 34 56 78")
    assert caught.value.code == "not_vietnamese"


def test_foreign_numbers_are_shown_in_international_form():
    assert display_phone("+33612345678") == "+33 6 12 34 56 78"
    assert display_phone("+84912345678") == "0912 345 678"
