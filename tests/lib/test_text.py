import unicodedata

import pytest

from phongdich.lib.text import fold, folded_contains, normalise_name, normalise_spaces, slugify


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Phường Hạc Thành", "phuong hac thanh"),
        ("ĐIỆN BIÊN PHỦ", "dien bien phu"),
        ("đường Đống Đa", "duong dong da"),
        ("  Thanh\u00a0Hóa \t\n tỉnh ", "thanh hoa tinh"),
        ("Hoà Bình", "hoa binh"),  # old tone placement
        ("Hòa Bình", "hoa binh"),  # new tone placement
        ("Ðà Nẵng", "da nang"),  # Icelandic eth typed for Đ
        ("Quảng\u200bNgãi", "quangngai"),  # zero-width space from a web page
        ("", ""),
    ],
)
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_fold_treats_decomposed_input_like_composed():
    name = "Nguyễn Thị Thu Hằng"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name) == "nguyen thi thu hang"


def test_folded_contains_matches_without_diacritics():
    assert folded_contains("Phường Hạc Thành", "hac thanh")
    assert folded_contains("Phường Hạc Thành", "HẠC  THÀNH")
    assert not folded_contains("Phường Hạc Thành", "hac thang")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("  nGUYỄN   văn  a ", "Nguyễn Văn A"),
        ("TRẦN THỊ ĐÀO", "Trần Thị Đào"),
        ("lê\u00a0hoàng\tnam", "Lê Hoàng Nam"),
        ("h’hen niê", "H'Hen Niê"),
        ("y-ngông niê kdăm", "Y-Ngông Niê Kdăm"),
        ("ksor h'wen", "Ksor H'Wen"),
    ],
)
def test_normalise_name(raw, name):
    assert normalise_name(raw) == name


def test_normalise_name_returns_nfc_and_keeps_diacritics():
    result = normalise_name(unicodedata.normalize("NFD", "phạm hạ"))
    assert result == "Phạm Hạ"
    assert unicodedata.is_normalized("NFC", result)


def test_normalise_spaces():
    assert normalise_spaces(" a \u00a0 b\u200b\nc ") == "a b c"


def test_slugify():
    assert slugify("Chốt Cầu Đuống!") == "chot-cau-duong"
    assert slugify("  --Trạm y tế  phường 7-- ") == "tram-y-te-phuong-7"
    assert slugify("Đường " * 30, max_length=20) == "duong-duong-duong-du"
    assert slugify("!!!") == ""
