"""Segments: each criterion narrows the audience, the officer's jurisdiction bounds it, claims
and shared numbers are handled, and bad input names the field in both languages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from phongdich.campaigns.segments import Segment, audience, parse_segment, preview
from phongdich.core import sms
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import VN_TZ
from tests.campaigns.conftest import HAC_THANH, QUANG_PHU, make_person, segment_data
from tests.conftest import THANH_HOA

pytestmark = pytest.mark.django_db


def _ids(segment: Segment) -> set[int]:
    return set(audience(segment).values_list("pk", flat=True))


def test_a_ward_reaches_its_residents_with_a_phone_and_no_claims(ward_officer):
    here = make_person()
    make_person(QUANG_PHU)
    make_person(phone="")
    make_person(claim_of=here, claim_status="open", phone=here.phone)
    segment, ward, province = parse_segment(ward_officer, segment_data())
    assert (ward.code, province.code) == (HAC_THANH, THANH_HOA)
    assert _ids(segment) == {here.pk}


def test_a_province_reaches_all_its_wards(province_officer):
    a, b = make_person(), make_person(QUANG_PHU)
    segment, ward, _ = parse_segment(province_officer, {"area": f"p{THANH_HOA}"})
    assert ward is None
    assert _ids(segment) == {a.pk, b.pk}


def test_age_band_and_not_vaccinated(ward_officer):
    from phongdich.vaccination.models import PersonStatus

    year = datetime.now(VN_TZ).year
    young = make_person(birth_year=year - 20)
    old = make_person(birth_year=year - 70)
    old_vaccinated = make_person(birth_year=year - 70)
    PersonStatus.objects.create(person=old_vaccinated, doses=2)
    PersonStatus.objects.create(person=young, doses=0)
    segment, *_ = parse_segment(ward_officer, segment_data(age_min="60", age_max="80"))
    assert _ids(segment) == {old.pk, old_vaccinated.pk}
    segment, *_ = parse_segment(ward_officer, segment_data(not_vaccinated="1"))
    assert _ids(segment) == {young.pk, old.pk}


def test_f1_in_quarantine_recorded_in_the_area(ward_officer):
    from phongdich.tracing.models import Case, Contact

    index = make_person()
    now = datetime.now(VN_TZ)
    case = Case.objects.create(
        person=index,
        ward_id=HAC_THANH,
        confirmed_at=now,
        sample_date=now.date(),
        source="test",
        window_start=now - timedelta(days=2),
        window_end=now,
    )
    lives_elsewhere = make_person(QUANG_PHU)
    released = make_person()
    Contact.objects.create(
        case=case,
        person=lives_elsewhere,
        level="F1",
        origin="manual",
        ward_id=HAC_THANH,
        status="quarantined",
    )
    Contact.objects.create(
        case=case,
        person=released,
        level="F1",
        origin="manual",
        ward_id=HAC_THANH,
        status="released",
    )
    segment, *_ = parse_segment(ward_officer, segment_data(f1_quarantine="1"))
    assert _ids(segment) == {lives_elsewhere.pk}


def test_visitors_of_a_venue_in_a_window(ward_officer, venue):
    import uuid

    from phongdich.checkpoints.models import Visit

    start = datetime(2026, 3, 1, 8, 0, tzinfo=VN_TZ)

    def visit(person, minutes_from_start, stay, out=True):
        at = start + timedelta(minutes=minutes_from_start)
        Visit.objects.create(
            client_id=uuid.uuid4(),
            venue=venue,
            person=person,
            checked_in_at=at,
            received_at=at,
            checked_out_at=at + timedelta(minutes=stay) if out else None,
            expected_out_at=at + timedelta(minutes=stay),
            form_version="test",
        )

    inside, overlapping, open_visit, before, after = (make_person(QUANG_PHU) for _ in range(5))
    visit(inside, 30, 20)
    visit(overlapping, -30, 45)  # left at 08:15
    visit(open_visit, -10, 60, out=False)  # expected out at 08:50
    visit(before, -90, 60)  # left at 07:30
    visit(after, 130, 10)  # came at 10:10
    data = segment_data(
        venue=venue.code.lower(), visited_from="2026-03-01T08:00", visited_until="2026-03-01T10:00"
    )
    segment, ward, _ = parse_segment(ward_officer, data)
    assert ward.code == venue.ward_id
    assert _ids(segment) == {inside.pk, overlapping.pk, open_visit.pk}


def test_outside_the_jurisdiction_is_not_found(ward_officer, other_ward_officer, other_venue):
    with pytest.raises(InputErrors) as exc:
        parse_segment(other_ward_officer, segment_data())
    assert [e.code for e in exc.value.errors] == ["area_not_found"]
    with pytest.raises(InputErrors) as exc:
        parse_segment(ward_officer, {"area": f"p{THANH_HOA}"})  # a ward officer: no province
    assert [e.code for e in exc.value.errors] == ["area_not_found"]
    with pytest.raises(InputErrors) as exc:
        parse_segment(
            ward_officer,
            segment_data(
                venue=other_venue.code,
                visited_from="2026-03-01T08:00",
                visited_until="2026-03-01T10:00",
            ),
        )
    assert [e.code for e in exc.value.errors] == ["venue_not_found"]


def test_bad_fields_are_all_named_in_both_languages(ward_officer, venue):
    data = segment_data(
        age_min="abc",
        age_max="200",
        venue=venue.code,
        visited_from="2026-03-01T10:00",
        visited_until="2026-03-01T08:00",
    )
    with pytest.raises(InputErrors) as exc:
        parse_segment(ward_officer, data)
    errors = {e.field: e for e in exc.value.errors}
    assert set(errors) == {"age_min", "age_max", "visited_until"}
    assert all(
        e.message_vi and e.message_en and e.message_vi != e.message_en for e in errors.values()
    )


def test_preview_counts_numbers_once_and_the_opted_out(ward_officer):
    shared = make_person()
    make_person(phone=shared.phone, birth_year=1990)  # a relative with the same phone
    refused = make_person()
    make_person()
    sms.do_opt_out(refused.phone)
    segment, *_ = parse_segment(ward_officer, segment_data())
    counts = preview(segment)
    assert (counts.people, counts.numbers, counts.opted_out, counts.to_send) == (4, 3, 1, 2)
