"""The officers' lists, the call log on a person's record and the operator console: in the
caller's area only (404 outside it, 403 for other roles), Vietnamese first, manual outcomes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phongdich.lib.telephony import ConsoleAdapter
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, CallPlan, FollowUp, PlanState
from tests.conftest import HAC_THANH, PASSWORD, _staff

from .conftest import MORNING, adapter_of


@pytest.fixture
def called(loop):
    """Every contact answered: identity 1, symptoms 1 (all are flagged)."""
    loop.deliver()
    adapter = ConsoleAdapter({"identity": ["1"], "symptoms": ["1"]})
    dial_due(lambda: adapter_of(adapter), MORNING)
    return loop


@pytest.fixture
def operator(db):
    return _staff("operator", "call_operator", HAC_THANH)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_officer_sees_flagged_people_of_the_ward_with_their_call_log(client, called):
    _login(client, called.officer)
    page = client.get(reverse("outreach:follow_ups"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lê Thị Một" in html and "Phạm Văn Hai" in html
    assert "Vũ Thị Ba" not in html  # lives in Quảng Phú
    assert 'data-outcome="answered"' in html
    assert "Có triệu chứng: gọi lại trong hôm nay" in html  # Vietnamese first


def test_other_areas_see_nothing(client, called, other_ward_officer, outsider):
    one = called.contacts["Lê Thị Một"].person
    follow_up = FollowUp.objects.get(person=one)
    plan = CallPlan.objects.get(person=one)
    for user in (other_ward_officer, outsider):
        client.force_login(user)
        assert "Lê Thị Một" not in client.get(reverse("outreach:follow_ups")).content.decode()
        assert client.get(reverse("outreach:person", args=[one.pk])).status_code == 404
        assert client.get(reverse("outreach:manual_call", args=[plan.pk])).status_code == 404
        done = client.post(reverse("outreach:follow_up_done", args=[follow_up.pk]))
        assert done.status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_other_roles_are_refused(client, called, venue_staff):
    client.force_login(venue_staff)
    one = called.contacts["Lê Thị Một"].person
    assert client.get(reverse("outreach:follow_ups")).status_code == 403
    assert client.get(reverse("outreach:console")).status_code == 403
    assert client.get(reverse("outreach:person", args=[one.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("outreach:console")).status_code == 302  # to the login page


def test_the_person_record_shows_the_call_log(client, called):
    _login(client, called.officer)
    one = called.contacts["Lê Thị Một"].person
    html = client.get(reverse("outreach:person", args=[one.pk])).content.decode()
    assert "Thông báo F1" in html
    assert "identity: 1" in html and "symptoms: 1" in html


def test_done_takes_the_person_off_the_list(client, called):
    _login(client, called.officer)
    follow_up = FollowUp.objects.filter(kind="symptoms").first()
    client.post(reverse("outreach:follow_up_done", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == called.officer


def test_the_operator_console_and_a_manual_call(client, loop, operator, rules):
    rules(max_attempts=1)
    loop.deliver()
    plan = CallPlan.objects.get(contact=loop.contacts["Lê Thị Một"])
    CallPlan.objects.filter(pk=plan.pk).update(state=PlanState.UNREACHABLE)
    _login(client, operator)
    console = client.get(reverse("outreach:console")).content.decode()
    assert "Lê Thị Một" in console and "Vũ Thị Ba" not in console
    page = client.get(reverse("outreach:manual_call", args=[plan.pk])).content.decode()
    assert "Hạc Thành" in page and "bấm phím 1" in page  # the same script on screen
    bad = client.post(reverse("outreach:manual_call", args=[plan.pk]), {"answer_symptoms": "9"})
    assert bad.status_code == 422
    assert "outcome" in bad.content.decode() and not CallAttempt.objects.exists()
    ok = client.post(
        reverse("outreach:manual_call", args=[plan.pk]),
        {"outcome": "answered", "answer_identity": "1", "answer_symptoms": "1", "note": "ho nhẹ"},
    )
    assert ok.status_code == 302
    attempt = CallAttempt.objects.get()
    assert attempt.operator == operator and attempt.note == "ho nhẹ"
    assert FollowUp.objects.filter(plan=plan, kind="symptoms").exists()
    plan.refresh_from_db()
    assert plan.state == PlanState.DONE


def test_the_officer_button_calls_a_case_s_contacts_once_a_day(client, loop):
    _login(client, loop.officer)
    for _ in range(2):
        client.post(
            reverse("outreach:case_calls"),
            {"case": f"F0-{loop.case.pk}", "script": "vaccination_reminder"},
        )
    plans = CallPlan.objects.filter(reason="officer")
    assert plans.count() == 2  # the two contacts of Hạc Thành, once
    from phongdich.tracing.actions import do_update_contact

    do_update_contact(loop.contacts["Lê Thị Một"], "became_case", actor=loop.officer)
    client.post(reverse("outreach:case_calls"), {"case": str(loop.case.pk), "script": "f2_advice"})
    called = CallPlan.objects.filter(reason="officer", script="f2_advice")
    assert list(called.values_list("contact__person__full_name", flat=True)) == ["Phạm Văn Hai"]
    bad = client.post(reverse("outreach:case_calls"), {"case": "F0-x", "script": "nope"})
    assert bad.status_code == 302 and CallPlan.objects.filter(reason="officer").count() == 3


def test_the_page_fits_a_phone(client, called):
    _login(client, called.officer)
    html = client.get(reverse("outreach:follow_ups")).content.decode()
    assert 'name="viewport"' in html and "<table" not in html  # cards, no wide table
