"""The campaigns' JSON API: list, read, preview, create (submitted: scheduled, or awaiting
approval when large), approve by a second person, cancel, the result table; outsiders get
404, other roles 403, anonymous 401; bad input is a 422 naming the field and saves nothing."""

from __future__ import annotations

import pytest

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign, Status
from phongdich.core import sms
from phongdich.core.models import Rule
from tests.campaigns.conftest import HAC_THANH, campaign_data, make_person, segment_data

pytestmark = pytest.mark.django_db


def _fields(response) -> list[str]:
    return sorted(e["field"] for e in response.json()["errors"])


def test_an_officer_previews_creates_and_reads_a_campaign(
    api_client, ward_officer, console, daytime
):
    people = [make_person() for _ in range(3)]
    sms.do_opt_out(people[0].phone)
    api = api_client.as_user(ward_officer)
    counted = api.post("/api/v1/campaigns/preview", segment_data())
    assert counted.status_code == 200, counted.content
    assert (counted.json()["numbers"], counted.json()["opted_out"], counted.json()["to_send"]) == (
        3,
        1,
        2,
    )

    created = api.post("/api/v1/campaigns", campaign_data(channel="call"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["channel"], body["estimated"]) == ("scheduled", "call", 2)
    assert body["ward_code"] == HAC_THANH

    sending.run()
    listed = api.get("/api/v1/campaigns")
    assert [c["id"] for c in listed.json()] == [body["id"]]
    detail = api.get(f"/api/v1/campaigns/{body['id']}")
    assert detail.status_code == 200 and detail.json()["results"]["opted_out"] == 1
    table = api.get(f"/api/v1/campaigns/{body['id']}/results")
    assert table.status_code == 200
    assert table.json()["results"]["sent"] == 2 and table.json()["results"]["total"] == 3
    for response in (listed, detail, table):
        for person in people:
            assert person.phone.removeprefix("+84") not in response.content.decode()


def test_a_large_campaign_is_approved_by_a_second_person_then_cancelled(
    api_client, ward_officer, chairperson, daytime
):
    Rule.objects.create(key="campaigns.approval_above", value=0)
    make_person()
    author = api_client.as_user(ward_officer)
    created = author.post("/api/v1/campaigns", campaign_data())
    assert created.json()["status"] == "awaiting"
    pk = created.json()["id"]
    assert author.post(f"/api/v1/campaigns/{pk}/approve").status_code == 403  # not an approver
    chair = api_client.as_user(chairperson)
    approved = chair.post(f"/api/v1/campaigns/{pk}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "scheduled"
    again = chair.post(f"/api/v1/campaigns/{pk}/approve")
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "not_allowed"
    cancelled = author.post(f"/api/v1/campaigns/{pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert author.post(f"/api/v1/campaigns/{pk}/cancel").status_code == 422


def test_a_province_officer_may_approve_but_not_their_own(api_client, province_officer, daytime):
    Rule.objects.create(key="campaigns.approval_above", value=0)
    make_person()
    api = api_client.as_user(province_officer)
    created = api.post("/api/v1/campaigns", campaign_data())
    refused = api.post(f"/api/v1/campaigns/{created.json()['id']}/approve")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "campaign"
    assert Campaign.objects.get().status == Status.AWAITING_APPROVAL


def test_outsiders_404_other_roles_403_anonymous_401(
    api_client, ward_officer, other_ward_officer, outsider, venue_staff, daytime
):
    make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    paths = [f"/api/v1/campaigns/{campaign.pk}", f"/api/v1/campaigns/{campaign.pk}/results"]
    for user in (other_ward_officer, outsider):
        api = api_client.as_user(user)
        for path in paths:
            assert api.get(path).status_code == 404
        assert api.post(f"/api/v1/campaigns/{campaign.pk}/cancel").status_code == 404
        assert api.get("/api/v1/campaigns").json() == []
        # Another area's segment is not found (nothing counted, nothing created).
        foreign = api.post("/api/v1/campaigns", campaign_data())
        assert foreign.status_code == 422 and _fields(foreign) == ["area"]
    staff = api_client.as_user(venue_staff)
    assert staff.get("/api/v1/campaigns").status_code == 403
    assert staff.post("/api/v1/campaigns", campaign_data()).status_code == 403
    assert staff.post(f"/api/v1/campaigns/{campaign.pk}/approve").status_code == 403
    assert staff.post("/api/v1/campaigns/preview", segment_data()).status_code == 403
    assert api_client.get("/api/v1/campaigns").status_code == 401
    assert api_client.post(f"/api/v1/campaigns/{campaign.pk}/cancel").status_code == 401
    assert Campaign.objects.count() == 1
    assert Campaign.objects.get().status == Status.SCHEDULED


def test_bad_input_is_422_naming_each_field_and_saves_nothing(api_client, ward_officer):
    api = api_client.as_user(ward_officer)
    cases = [
        (campaign_data(text=""), ["text"]),
        (campaign_data(title=""), ["title"]),
        (campaign_data(channel="fax"), ["channel"]),
        (campaign_data(scheduled_at="soon"), ["scheduled_at"]),
        (campaign_data(age_min=50, age_max=20), ["age_max"]),
        (campaign_data(age_min=500), ["age_min"]),
        (campaign_data(text="x" * 5000), ["text"]),
        ({"title": "x", "text": "y"}, ["area"]),
        (campaign_data(area="w999999"), ["area"]),
    ]
    for body, fields in cases:
        response = api.post("/api/v1/campaigns", body)
        assert response.status_code == 422, (body, response.content)
        assert _fields(response) == fields, body
        error = response.json()["errors"][0]
        assert error["message_vi"] and error["message_en"]
    assert api.post("/api/v1/campaigns/preview", {"area": "nowhere"}).status_code == 422
    assert not Campaign.objects.exists()


def test_a_draft_is_saved_then_submitted_once(api_client, ward_officer, console, daytime):
    make_person()
    api = api_client.as_user(ward_officer)
    draft = api.post("/api/v1/campaigns", campaign_data(draft=True))
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    pk = draft.json()["id"]
    assert sending.run().get("sent", 0) == 0 and not console.outbox  # a draft never goes
    make_person()  # counted again when submitted
    submitted = api.post(f"/api/v1/campaigns/{pk}/submit")
    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["status"], submitted.json()["estimated"]) == ("scheduled", 2)
    again = api.post(f"/api/v1/campaigns/{pk}/submit")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "campaign"
    assert sending.run()["sent"] == 2


def test_a_large_draft_waits_for_approval_and_outsiders_cannot_submit(
    api_client, ward_officer, other_ward_officer, chairperson, daytime
):
    Rule.objects.create(key="campaigns.approval_above", value=0)
    make_person()
    draft = api_client.as_user(ward_officer).post("/api/v1/campaigns", campaign_data(draft=True))
    pk = draft.json()["id"]
    path = f"/api/v1/campaigns/{pk}/submit"
    assert api_client.as_user(other_ward_officer).post(path).status_code == 404
    assert api_client.as_user(chairperson).post(path).status_code == 403  # approves, not authors
    assert api_client.post(path).status_code == 401
    assert Campaign.objects.get(pk=pk).status == Status.DRAFT
    submitted = api_client.as_user(ward_officer).post(path)
    assert submitted.json()["status"] == "awaiting"
