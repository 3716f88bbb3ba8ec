"""The robot calls' JSON API: plans and calls of the caller's area only (404 outside it, 403
for other roles, 401 anonymous), no phone number in any answer, an officer's list of a case's
contacts, a call operator's manual outcome; bad input is a 422 naming the field and writes
nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.lib.telephony import ConsoleAdapter
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, CallPlan, PlanState
from tests.conftest import HAC_THANH, QUANG_PHU, _staff

from .conftest import MORNING, adapter_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def called(loop):
    loop.deliver()
    adapter = ConsoleAdapter({"identity": ["1"], "symptoms": ["2"]})
    dial_due(lambda: adapter_of(adapter), MORNING)
    return loop


@pytest.fixture
def operator(db):
    return _staff("operator", "call_operator", HAC_THANH)


@pytest.fixture
def volunteer(db):
    return _staff("lab", "lab_technician", HAC_THANH)


def _errors(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def _no_number(response, *phones: str) -> None:
    text = response.content.decode()
    for phone in phones:
        assert phone.removeprefix("+84").lstrip("0") not in text, "a phone number in the API"


def test_an_officer_lists_and_reads_plans_and_calls_of_the_ward(api_client, called):
    api = api_client.as_user(called.officer)
    one = called.contacts["Lê Thị Một"]
    listing = api.get("/api/v1/outreach/plans")
    assert listing.status_code == 200
    plans = {p["contact_id"]: p for p in listing.json()}
    assert one.pk in plans and called.contacts["Vũ Thị Ba"].pk not in plans  # Quảng Phú's
    assert plans[one.pk]["state"] == "done" and plans[one.pk]["script"] == "f1_notice"
    _no_number(listing, *(c.person.phone for c in called.contacts.values()))

    detail = api.get(f"/api/v1/outreach/plans/{plans[one.pk]['id']}")
    assert detail.status_code == 200
    call = detail.json()["calls"][0]
    assert call["outcome"] == "answered" and call["answers"] == {"identity": "1", "symptoms": "2"}
    assert call["keys"] == {"identity": ["1"], "symptoms": ["2"]}
    assert call["duration_seconds"] >= 0 and call["manual"] is False
    _no_number(detail, one.person.phone)
    assert AuditEvent.objects.filter(action="view", object_id=str(plans[one.pk]["id"])).exists()

    calls = api.get("/api/v1/outreach/calls")
    assert calls.status_code == 200 and call["id"] in [c["id"] for c in calls.json()]
    assert api.get(f"/api/v1/outreach/calls/{call['id']}").json()["plan_id"] == call["plan_id"]
    assert api.get("/api/v1/outreach/plans?state=pending").json() == []


def test_outsiders_get_404_other_roles_403_and_anonymous_401(
    api_client, called, other_ward_officer, outsider, volunteer
):
    plan = CallPlan.objects.get(contact=called.contacts["Lê Thị Một"])
    call = CallAttempt.objects.get(plan=plan)
    paths = [f"/api/v1/outreach/plans/{plan.pk}", f"/api/v1/outreach/calls/{call.pk}"]
    for user in (other_ward_officer, outsider):
        api = api_client.as_user(user)
        for path in paths:
            assert api.get(path).status_code == 404
        assert plan.pk not in [p["id"] for p in api.get("/api/v1/outreach/plans").json()]
        refused = api.post(f"/api/v1/outreach/plans/{plan.pk}/outcome", {"outcome": "busy"})
        assert refused.status_code == 404
    volunteer_api = api_client.as_user(volunteer)
    assert volunteer_api.get("/api/v1/outreach/plans").status_code == 403
    assert volunteer_api.get(paths[0]).status_code == 403
    case_body = {"case_id": called.case.pk, "script": "f1_notice"}
    assert api_client.as_user(outsider).post("/api/v1/outreach/plans", case_body).status_code == 404
    # Quảng Phú's officer sees the case through its contact there, and calls only that one.
    theirs = api_client.as_user(other_ward_officer).post("/api/v1/outreach/plans", case_body)
    assert theirs.status_code == 201 and theirs.json()["created"] == 1
    assert set(
        CallPlan.objects.filter(pk__in=theirs.json()["plan_ids"]).values_list("ward_id", flat=True)
    ) == {QUANG_PHU}
    anonymous = api_client.get("/api/v1/outreach/plans")
    assert anonymous.status_code == 401 and anonymous.json()["errors"][0]["code"]
    assert CallAttempt.objects.count() == 3


def test_an_officer_plans_the_calls_of_a_cases_contacts_once(api_client, loop):
    api = api_client.as_user(loop.officer)
    body = {"case_id": loop.case.pk, "script": "f2_advice"}
    first = api.post("/api/v1/outreach/plans", body)
    assert first.status_code == 201, first.content
    assert first.json()["created"] == 2  # the two contacts of Hạc Thành's officer's area
    again = api.post("/api/v1/outreach/plans", body)
    assert again.status_code == 201 and again.json()["created"] == 0
    assert again.json()["plan_ids"] == first.json()["plan_ids"]
    assert CallPlan.objects.filter(script="f2_advice").count() == 2


def test_bad_plan_input_is_422_naming_the_field_and_writes_nothing(api_client, loop):
    api = api_client.as_user(loop.officer)
    unknown = api.post("/api/v1/outreach/plans", {"case_id": loop.case.pk, "script": "nope"})
    assert unknown.status_code == 422 and _errors(unknown) == ["script"]
    missing = api.post("/api/v1/outreach/plans", {"script": "f1_notice"})
    assert missing.status_code == 422 and _errors(missing) == ["case_id"]
    huge = api.post("/api/v1/outreach/plans", {"case_id": 2**40, "script": "f1_notice"})
    assert huge.status_code == 422 and _errors(huge) == ["case_id"]
    bad_json = api_client.as_user(loop.officer).post("/api/v1/outreach/plans", "{nope")
    assert bad_json.status_code == 400
    assert not CallPlan.objects.filter(reason="officer").exists()


def test_a_call_operator_enters_a_manual_outcome(api_client, called, operator):
    plan = CallPlan.objects.get(contact=called.contacts["Phạm Văn Hai"])
    api = api_client.as_user(operator)
    entered = api.post(
        f"/api/v1/outreach/plans/{plan.pk}/outcome",
        {"outcome": "answered", "answers": {"symptoms": "1"}, "note": "gọi lại"},
    )
    assert entered.status_code == 201, entered.content
    assert entered.json()["manual"] is True and entered.json()["answers"] == {"symptoms": "1"}
    assert CallAttempt.objects.filter(plan=plan, operator=operator).count() == 1


def test_bad_manual_outcomes_are_422_and_write_nothing(api_client, called, operator):
    plan = CallPlan.objects.get(contact=called.contacts["Phạm Văn Hai"])
    api = api_client.as_user(operator)
    path = f"/api/v1/outreach/plans/{plan.pk}/outcome"
    cases = [
        ({"outcome": "maybe"}, ["outcome"]),
        ({"outcome": "answered", "answers": {"symptoms": "7"}}, ["answer_symptoms"]),
        ({"outcome": "answered", "answers": {"colour": "1"}}, ["answer_colour"]),
        ({"outcome": "busy", "answers": {"symptoms": "1"}}, ["outcome"]),
        ({"outcome": "answered", "note": "x" * 301}, ["note"]),
        ({"answers": {"symptoms": "1"}}, ["outcome"]),
    ]
    for body, fields in cases:
        response = api.post(path, body)
        assert response.status_code == 422, (body, response.content)
        assert _errors(response) == fields, body
        assert all(e["message_vi"] and e["message_en"] for e in response.json()["errors"])
    assert CallAttempt.objects.filter(plan=plan).count() == 1  # only the robot's call
    plan.refresh_from_db()
    assert plan.state == PlanState.DONE


def test_the_operator_queues_a_plan_again(api_client, called, operator):
    plan = CallPlan.objects.get(contact=called.contacts["Lê Thị Một"])
    again = api_client.as_user(operator).post(f"/api/v1/outreach/plans/{plan.pk}/call-again")
    assert again.status_code == 200 and again.json()["state"] == "pending"
    assert json.loads(again.content)["id"] == plan.pk


def test_an_officer_opts_a_person_out_of_campaigns_only(api_client, called, outsider):
    from phongdich.core import sms
    from phongdich.outreach.actions import claim_due, do_plan_call
    from phongdich.outreach.messages import do_plan_message_call, spoken_message
    from phongdich.outreach.models import Reason

    person = called.contacts["Lê Thị Một"].person
    path = f"/api/v1/outreach/people/{person.pk}/opt-out"
    assert api_client.as_user(outsider).post(path, {"opted_out": True}).status_code == 404
    assert api_client.post(path, {"opted_out": True}).status_code == 401
    missing = api_client.as_user(called.officer).post(path, {})
    assert missing.status_code == 422 and _errors(missing) == ["opted_out"]
    assert not sms.is_opted_out(person.phone)

    done = api_client.as_user(called.officer).post(path, {"opted_out": True})
    assert done.status_code == 200 and done.json() == {
        "person_id": person.pk,
        "opted_out": True,
        "changed": True,
    }
    _no_number(done, person.phone)
    campaign_plan, _ = do_plan_message_call(person, spoken_message("Tin."), "campaign:9:abc")
    duty_plan, _ = do_plan_call(person, "result_ready", Reason.RESULT_RELEASED, "result:99")
    claimed = {c.plan_id for c in claim_due(MORNING + timedelta(minutes=1))}
    assert duty_plan.pk in claimed and campaign_plan.pk not in claimed
    campaign_plan.refresh_from_db()
    assert campaign_plan.state == PlanState.CANCELLED

    back = api_client.as_user(called.officer).post(path, {"opted_out": False})
    assert back.json()["opted_out"] is False and not sms.is_opted_out(person.phone)
