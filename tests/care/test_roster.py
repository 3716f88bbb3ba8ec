"""The ward's on-call roster: the escalation of an unacknowledged alert goes to whoever is on
call, else to the ward's officers, else to the province's; the roster is edited by the ward's
officers only, with clear errors and no duplicates; outsiders see nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from phongdich.accounts.models import AuditEvent, User
from phongdich.care import alerts, roster
from phongdich.care.models import Alert, OnCallShift
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import VN_TZ, to_local
from tests.care.conftest import make_clinician, outbox, sent
from tests.care.test_reports import submit
from tests.conftest import HAC_THANH, PASSWORD, QUANG_PHU, THANH_HOA, _staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(db):
    """A second clinician of the ward, who takes the on-call shift."""
    return make_clinician("nurse", HAC_THANH, phone="+84912000555")


def shift(officer, start: datetime, hours: float = 12, ward=HAC_THANH) -> OnCallShift:
    return OnCallShift.objects.create(
        ward_id=ward, officer=officer, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def escalated_to(enrolment, minutes: int = 16) -> tuple[list[str], Alert]:
    submit(enrolment, pulse="130")
    alert = Alert.objects.get()
    outbox().clear()
    assert alerts.escalate(alert.raised_at + timedelta(minutes=minutes)) == 1
    alert.refresh_from_db()
    return [to for to, _ in sent()], alert


def test_the_escalation_goes_to_whoever_is_on_call(enrolment, ward_officer, nurse):
    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    shift(nurse, timezone.now() - timedelta(hours=1))
    numbers, alert = escalated_to(enrolment)
    assert numbers == ["+84912000555"]
    assert alert.escalated_to == nurse
    assert "Ban dang truc" in sent()[0][1]
    assert enrolment.person.full_name not in sent()[0][1]


def test_two_people_on_call_both_get_it(enrolment, ward_officer, nurse):
    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    start = timezone.now() - timedelta(hours=1)
    shift(nurse, start)
    shift(ward_officer, start)
    numbers, _ = escalated_to(enrolment)
    assert sorted(numbers) == ["+84912000555", "+84912000777"]


def test_an_ended_or_future_shift_does_not_count(enrolment, ward_officer, nurse):
    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    now = timezone.now()
    shift(nurse, now - timedelta(hours=13), hours=12)  # ended an hour ago
    shift(nurse, now + timedelta(hours=2))  # not yet
    numbers, alert = escalated_to(enrolment)
    assert numbers == ["+84912000777"] and alert.escalated_to == ward_officer


def test_a_deactivated_on_call_person_is_skipped(enrolment, ward_officer, nurse):
    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    shift(nurse, timezone.now() - timedelta(hours=1))
    User.objects.filter(pk=nurse.pk).update(is_active=False)
    numbers, _ = escalated_to(enrolment)
    assert numbers == ["+84912000777"]


def test_without_ward_officers_the_province_is_told(enrolment, ward_officer, province_officer):
    User.objects.filter(pk=province_officer.pk).update(phone="+84912000888")
    User.objects.filter(pk=ward_officer.pk).update(is_active=False)
    numbers, alert = escalated_to(enrolment)
    assert numbers == ["+84912000888"] and alert.escalated_to == province_officer


def test_another_wards_roster_does_not_count(enrolment, ward_officer, other_ward_officer):
    User.objects.filter(pk=ward_officer.pk).update(phone="+84912000777")
    User.objects.filter(pk=other_ward_officer.pk).update(phone="+84912000666")
    shift(other_ward_officer, timezone.now() - timedelta(hours=1), ward=QUANG_PHU)
    numbers, _ = escalated_to(enrolment)
    assert numbers == ["+84912000777"]


# --- editing the roster ---------------------------------------------------------------------


def tomorrow() -> str:
    return (to_local(timezone.now()).date() + timedelta(days=1)).isoformat()


def form(who, **extra) -> dict:
    return {
        "officer": str(who.pk),
        "date": tomorrow(),
        "start": "07:00",
        "end": "19:00",
        **extra,
    }


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


URL = f"/staff/care/on-call/{HAC_THANH}/"


def test_a_ward_officer_adds_a_shift_and_sees_it(client, ward_officer, nurse):
    login(client, ward_officer)
    response = client.post(URL, form(nurse))
    assert response.status_code == 302
    [added] = OnCallShift.objects.all()
    day = datetime.fromisoformat(tomorrow()).date()
    assert added.starts_at == datetime.combine(day, time(7), tzinfo=VN_TZ)
    assert added.ends_at - added.starts_at == timedelta(hours=12)
    assert added.created_by == ward_officer
    assert AuditEvent.objects.filter(action="care.on_call.add", ward_id=HAC_THANH).exists()
    page = client.get(URL).content.decode()
    assert f'data-shift="{added.pk}"' in page and 'id="shift-form"' in page


def test_a_night_shift_ends_the_next_morning_and_repeats(ward_officer, nurse):
    shifts = roster.do_add_shifts(
        ward_officer.ward,
        form(nurse, start="19:00", end="07:00", repeat_days="3"),
        actor=ward_officer,
    )
    assert len(shifts) == 3
    for s in shifts:
        assert s.ends_at - s.starts_at == timedelta(hours=12)
        assert to_local(s.ends_at).date() == to_local(s.starts_at).date() + timedelta(days=1)
    assert [s.starts_at for s in shifts] == [
        shifts[0].starts_at + timedelta(days=i) for i in range(3)
    ]


def test_the_same_form_twice_adds_one_shift(client, ward_officer, nurse):
    login(client, ward_officer)
    client.post(URL, form(nurse))
    client.post(URL, form(nurse))
    assert OnCallShift.objects.count() == 1


def test_an_overlapping_shift_of_the_same_person_is_refused(client, ward_officer, nurse):
    login(client, ward_officer)
    client.post(URL, form(nurse))
    response = client.post(URL, form(nurse, start="12:00", end="20:00"))
    assert response.status_code == 422
    assert 'id="err-start"' in response.content.decode()
    assert OnCallShift.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"officer": ""}, "officer"),
        ({"date": "05/12/2026"}, "date"),
        ({"start": "7h"}, "start"),
        ({"end": ""}, "end"),
        ({"repeat_days": "40"}, "repeat_days"),
        ({"repeat_days": "-1"}, "repeat_days"),
        ({"date": "2020-01-01"}, "date"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(client, ward_officer, nurse, change, field):
    login(client, ward_officer)
    response = client.post(URL, form(nurse, **change))
    assert response.status_code == 422
    assert f'id="err-{field}"' in response.content.decode()
    assert not OnCallShift.objects.exists()


def test_errors_come_in_vietnamese_and_english(ward_officer, nurse):
    with pytest.raises(InputErrors) as caught:
        roster.do_add_shifts(ward_officer.ward, form(nurse, start="x"), actor=ward_officer)
    [error] = caught.value.errors
    assert error.field == "start" and error.message_vi and error.message_en
    assert error.message_vi != error.message_en


def test_only_the_wards_own_staff_can_be_on_call(client, ward_officer, other_ward_officer):
    login(client, ward_officer)
    response = client.post(URL, form(other_ward_officer))
    assert response.status_code == 422 and 'id="err-officer"' in response.content.decode()
    assert not OnCallShift.objects.exists()


def test_a_clinician_reads_the_roster_but_cannot_edit_it(client, clinician, nurse):
    s = shift(nurse, timezone.now() + timedelta(hours=1))
    login(client, clinician)
    page = client.get(URL)
    assert page.status_code == 200 and 'id="shift-form"' not in page.content.decode()
    assert client.post(URL, form(nurse)).status_code == 403
    assert client.post(f"/staff/care/on-call/shifts/{s.pk}/remove").status_code == 403
    assert OnCallShift.objects.count() == 1


def test_outsiders_see_nothing_and_change_nothing(
    client, other_ward_officer, outsider, nurse, django_user_model
):
    s = shift(nurse, timezone.now() + timedelta(hours=1))
    for user in (other_ward_officer, outsider):
        client.logout()
        login(client, user)
        assert client.get(URL).status_code == 404
        assert client.post(URL, form(nurse)).status_code == 404
        assert client.post(f"/staff/care/on-call/shifts/{s.pk}/remove").status_code == 404
    lab = _staff("lab", "lab_technician", HAC_THANH)
    client.logout()
    login(client, lab)
    assert client.get(URL).status_code == 403
    assert client.get("/staff/care/on-call/").status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to the login page
    assert OnCallShift.objects.count() == 1


def test_a_province_officer_picks_a_ward_and_edits_its_roster(client, province_officer, nurse):
    login(client, province_officer)
    page = client.get("/staff/care/on-call/").content.decode()
    assert f'value="{HAC_THANH}"' in page
    assert client.get(f"/staff/care/on-call/?ward_code={HAC_THANH}").url == URL
    assert client.post(URL, form(nurse)).status_code == 302
    assert OnCallShift.objects.count() == 1


def test_a_ward_officer_removes_a_shift(client, ward_officer, nurse):
    s = shift(nurse, timezone.now() + timedelta(hours=1))
    login(client, ward_officer)
    assert client.get("/staff/care/on-call/").url == URL
    assert client.post(f"/staff/care/on-call/shifts/{s.pk}/remove").status_code == 302
    assert not OnCallShift.objects.exists()
    assert AuditEvent.objects.filter(action="care.on_call.remove").exists()


def test_the_page_says_who_gets_alerts_now(client, ward_officer, nurse):
    login(client, ward_officer)
    assert 'data-level="ward"' in client.get(URL).content.decode()
    shift(nurse, timezone.now() - timedelta(hours=1))
    page = client.get(URL).content.decode()
    assert 'data-level="on_call"' in page and "+84912000555" in page


def test_a_province_clinician_may_be_on_call_for_the_ward(ward_officer):
    doctor = make_clinician("provdoc", THANH_HOA, phone="+84912000444")
    shifts = roster.do_add_shifts(ward_officer.ward, form(doctor), actor=ward_officer)
    assert [s.officer for s in shifts] == [doctor]
