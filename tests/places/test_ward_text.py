"""Wards by name: a code, a picked "Name (code)", or a name typed without diacritics."""

from __future__ import annotations

import re

import pytest

from phongdich.places.queries import ward_from_text, ward_label
from tests.conftest import HAC_THANH, QUANG_PHU, THANH_HOA

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (str(HAC_THANH), HAC_THANH),
        (f"Phường Hạc Thành ({HAC_THANH})", HAC_THANH),
        ("hac thanh", HAC_THANH),
        ("Phường Quảng Phú", QUANG_PHU),
        ("  QUANG PHU ", QUANG_PHU),
    ],
)
def test_a_ward_is_found_by_code_or_name(typed, code):
    assert ward_from_text(typed, THANH_HOA) == str(code)


def test_what_is_not_one_ward_is_left_for_validation():
    assert ward_from_text("khong co phuong nay", THANH_HOA) == "khong co phuong nay"
    assert ward_from_text("hac thanh", None) == "hac thanh"  # no province to look in
    assert ward_label(HAC_THANH) == f"Phường Hạc Thành ({HAC_THANH})"


def test_a_case_is_registered_with_the_ward_typed_by_name(client, province_officer):
    from phongdich.tracing.models import Case

    client.force_login(province_officer)
    response = client.post(
        "/staff/tracing/new",
        {
            "full_name": "Lê Thị Hoa",
            "birth_year": "1990",
            "gender": "female",
            "phone": "0912 555 010",
            "ward_code": "quang phu",
            "sample_date": "2026-11-20",
            "source": "test",
        },
    )
    assert response.status_code == 302, re.findall(
        r"<li[^>]*>([^<]*)</li>", response.content.decode()
    )
    assert Case.objects.get().person.ward_id == QUANG_PHU
