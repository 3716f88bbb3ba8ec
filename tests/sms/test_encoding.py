"""Coding choice, the ASCII fallback and part counting."""

from __future__ import annotations

import pytest

from phongdich.lib.sms import count_parts, needs_unicode, to_ascii


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("Mã xác nhận của bạn", "Ma xac nhan cua ban"),
        ("ĐƯỜNG LÊ LỢI, đường Trần Hưng Đạo", "DUONG LE LOI, duong Tran Hung Dao"),
        ("Hoà / hòa / Thuỷ", "Hoa / hoa / Thuy"),
        ("Nguye\u0302\u0303n", "Nguyen"),  # decomposed input, as macOS sends it
        ("“Ủy ban” – 10…", '"Uy ban" - 10...'),
        ("Xin chào 😀", "Xin chao ?"),
    ],
)
def test_to_ascii(text, ascii):
    assert to_ascii(text) == ascii
    assert to_ascii(text).isascii()


def test_only_non_ascii_needs_unicode():
    assert needs_unicode("Mã 123")
    assert not needs_unicode("Ma 123 [ok]")


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("[" * 80, 1),  # extension characters take two septets each
        ("[" * 81, 2),
        ("ạ" * 70, 1),
        ("ạ" * 71, 2),
        ("ạ" * 134, 2),
        ("ạ" * 135, 3),
        ("", 1),
    ],
)
def test_count_parts(text, parts):
    assert count_parts(text) == parts
