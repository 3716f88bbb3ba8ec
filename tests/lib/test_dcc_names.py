"""Vietnamese names in the DCC ``nam`` object and their ICAO 9303 transliteration."""

from __future__ import annotations

import re

import pytest

from phongdich.lib.dcc import person_name, split_full_name, transliterate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn", "NGUYEN"),
        ("Thị Minh Khai", "THI<MINH<KHAI"),
        ("Đặng Đức Đạt", "DANG<DUC<DAT"),
        ("đoàn", "DOAN"),
        ("Trương Thị Ưng", "TRUONG<THI<UNG"),
        ("Ngô Bảo Châu", "NGO<BAO<CHAU"),
        ("Hồ Xuân Hương", "HO<XUAN<HUONG"),
        ("Lê-Thị  Hằng", "LE<THI<HANG"),  # hyphen and double space → one filler each
        ("Phạm   Thị\tỞ", "PHAM<THI<O"),
        ("Lövström", "LOEVSTROEM"),  # ICAO spells out Ö (as in the Swedish conformance data)
        ("Musterfrau-Gößinger", "MUSTERFRAU<GOESSINGER"),  # and ß (the Austrian data)
        ("d'Červenková Panklová", "DCERVENKOVA<PANKLOVA"),  # the schema's own example
        ("Jiřina-Maria Alena", "JIRINA<MARIA<ALENA"),
        ("O'Brien", "OBRIEN"),
        (" -Lý- ", "LY"),
    ],
)
def test_it_transliterates_like_icao_9303(text, expected):
    assert transliterate(text) == expected


def test_every_vietnamese_letter_transliterates_to_a_to_z():
    letters = (
        "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
    )
    for letter in letters + letters.upper():
        assert re.fullmatch(r"[A-Z]", transliterate(letter)), letter


def test_it_cuts_at_80_characters_without_a_trailing_filler():
    long_name = " ".join(["Nguyễn"] * 20)

    result = transliterate(long_name)

    assert len(result) <= 80
    assert re.fullmatch(r"[A-Z<]*", result)
    assert not result.endswith("<")


def test_it_drops_what_icao_cannot_write():
    assert transliterate("Trần 2 (Bé)") == "TRAN<BE"
    assert transliterate("李小龍") == ""


def test_a_full_name_splits_into_family_and_given_names():
    assert split_full_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh Khai")
    assert split_full_name("  Lê   Lợi ") == ("Lê", "Lợi")
    assert split_full_name("Madonna") == ("Madonna", "")


def test_person_name_follows_the_vietnamese_convention():
    assert person_name("Nguyễn Thị Minh Khai") == {
        "fn": "Nguyễn",
        "fnt": "NGUYEN",
        "gn": "Thị Minh Khai",
        "gnt": "THI<MINH<KHAI",
    }


def test_person_name_accepts_an_explicit_compound_family_name():
    assert person_name(family="Tôn Nữ", given="Thị Ninh") == {
        "fn": "Tôn Nữ",
        "fnt": "TON<NU",
        "gn": "Thị Ninh",
        "gnt": "THI<NINH",
    }


def test_person_name_omits_an_empty_given_name():
    assert person_name("Madonna") == {"fn": "Madonna", "fnt": "MADONNA"}


def test_person_name_keeps_the_precomposed_spelling():
    decomposed = "Nguye\u0302\u0303n Va\u0306n"  # what some keyboards send

    name = person_name(decomposed)

    assert name["fn"] == "Nguyễn"
    assert name["gn"] == "Văn"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"full_name": ""},
        {"full_name": "   "},
        {"family": "李"},
        {"full_name": "Nguyễn An", "family": "Nguyễn"},
        {"family": "A" * 81},
    ],
)
def test_person_name_refuses_unusable_input(kwargs):
    with pytest.raises(ValueError):
        person_name(**kwargs)
