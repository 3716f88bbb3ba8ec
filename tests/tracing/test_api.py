import csv
import io

import openpyxl
import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.tracing.models import Case, Contact
from tests.conftest import QUANG_PHU
from tests.tracing.conftest import local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(local("2026-11-23 09:00"), tick=False)


def test_create_case_by_person_fields_returns_window(api_client, scenario, ward_officer):
    p0 = scenario.person("P0")
    response = api_client.as_user(ward_officer).post(
        "/api/v1/cases",
        {
            "person": {
                "full_name": "P Zero",
                "birth_year": p0.birth_year,
                "gender": "female",
                "phone": p0.phone,
                "id_number": "",
            },
            "confirmed_at": "2026-11-22T12:00:00+07:00",
            "sample_date": "2026-11-21",
            "onset_date": "2026-11-20",
        },
    )
    # Name differs → a different person: matching is by CCCD or phone + name + birth year.
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["window_start"].startswith("2026-11-17T17:00:00")  # 18/11 00:00 in Vietnam
    response = api_client.as_user(ward_officer).post(
        "/api/v1/cases",
        {
            "person_id": p0.pk,
            "confirmed_at": "2026-11-22T12:00:00+07:00",
            "sample_date": "2026-11-21",
            "onset_date": "2026-11-20",
        },
    )
    assert response.status_code == 201
    assert (response.json()["f1"], response.json()["f2"]) == (6, 4)


def test_case_validation_errors(api_client, ward_officer):
    response = api_client.as_user(ward_officer).post(
        "/api/v1/cases", {"confirmed_at": "yesterday", "sample_date": "2026-11-21"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"confirmed_at"}
    response = api_client.as_user(ward_officer).post(
        "/api/v1/cases", {"confirmed_at": "2026-11-22T12:00:00+07:00", "sample_date": "2026-11-21"}
    )
    assert response.json()["errors"][0]["code"] == "required"
    assert not Case.objects.exists()


def test_contacts_with_evidence_and_depth(api_client, case, province_officer):
    api = api_client.as_user(province_officer)
    both = api.get(f"/api/v1/cases/{case.pk}/contacts?depth=2").json()["items"]
    assert {c["level"] for c in both} == {"F1", "F2"}
    p1 = next(c for c in both if c["person"]["full_name"] == "P1")
    [f1_evidence] = [e for e in p1["evidence"] if e["level"] == "F1"]
    assert f1_evidence["overlap_minutes"] == 20 and f1_evidence["venue_name"] == "Venue office"
    assert f1_evidence["overlap"][0].startswith("2026-11-19T01:30:00")
    only_f1 = api.get(f"/api/v1/cases/{case.pk}/contacts?depth=1").json()["items"]
    assert {c["level"] for c in only_f1} == {"F1"} and len(only_f1) == 6
    assert AuditEvent.objects.filter(object_type="tracing.contact_list").count() == 2


def test_ward_officer_sees_only_contacts_of_own_ward(
    api_client, case, scenario, ward_officer, other_ward_officer
):
    p10 = scenario.person("P10")
    Contact.objects.filter(person=p10).update(ward_id=QUANG_PHU)
    own = {
        c["person"]["full_name"]
        for c in api_client.as_user(ward_officer)
        .get(f"/api/v1/cases/{case.pk}/contacts")
        .json()["items"]
    }
    assert "P10" not in own and "P1" in own
    other = api_client.as_user(other_ward_officer).get(f"/api/v1/cases/{case.pk}/contacts")
    assert other.status_code == 200
    assert [c["person"]["full_name"] for c in other.json()["items"]] == ["P10"]
    assert other.json()["total"] == 1


@pytest.mark.parametrize("who", ["outsider", "other_ward_officer", "venue_staff"])
def test_others_get_403_or_404(api_client, case, request, who):
    api = api_client.as_user(request.getfixturevalue(who))
    assert api.get(f"/api/v1/cases/{case.pk}").status_code in (403, 404)
    assert api.get(f"/api/v1/cases/{case.pk}/contacts").status_code in (403, 404)
    any_contact = Contact.objects.filter(case=case).first()
    assert api.patch(f"/api/v1/contacts/{any_contact.pk}", {"status": "notified"}).status_code in (
        403,
        404,
    )


def test_patch_contact_moves_status(api_client, case, ward_officer):
    c = Contact.objects.filter(case=case, level="F1").first()
    response = api_client.as_user(ward_officer).patch(
        f"/api/v1/contacts/{c.pk}", {"status": "quarantined", "quarantine_start": "2026-11-23"}
    )
    assert response.status_code == 200
    assert response.json()["quarantine_end"] == "2026-11-30"
    bad = api_client.as_user(ward_officer).patch(f"/api/v1/contacts/{c.pk}", {"status": "zzz"})
    assert bad.status_code == 422


def test_clusters_api(api_client, case, scenario, ward_officer):
    api = api_client.as_user(ward_officer)
    api.post(
        "/api/v1/cases",
        {
            "person_id": scenario.person("P5").pk,
            "confirmed_at": "2026-11-22T15:00:00+07:00",
            "sample_date": "2026-11-22",
        },
    )
    found = api.get("/api/v1/clusters?since=2026-11-10").json()
    office = next(c for c in found if c["venue_name"] == "Venue office")
    assert len(office["case_ids"]) == 2


def test_chain_graph(api_client, case, province_officer):
    graph = api_client.as_user(province_officer).get("/api/v1/chains").json()
    kinds = {n["kind"] for n in graph["nodes"]}
    assert {"F0", "F1", "F2", "venue"} <= kinds
    ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_case_export_is_escaped_and_audited(client, case, scenario, ward_officer, fmt):
    p1 = scenario.person("P1")
    p1.address = "=cmd|' /C calc'!A0"
    p1.save()
    client.force_login(ward_officer)
    response = client.get(f"/staff/tracing/{case.pk}/contacts.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        body = b"".join(response.streaming_content)  # every row, streamed
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        [row] = [r for r in rows if r[1] == "P1"]
        assert row[4] == "'=cmd|' /C calc'!A0"
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [r for r in sheet.iter_rows(values_only=False) if r[1].value == "P1"]
        assert cells[0][4].data_type == "s" and cells[0][4].value == "=cmd|' /C calc'!A0"
    assert AuditEvent.objects.filter(action="export", object_type="tracing.contact_list").exists()


def test_pages_render_for_officers(client, case, ward_officer):
    client.force_login(ward_officer)
    for path in (
        "/staff/tracing/",
        f"/staff/tracing/{case.pk}/",
        "/staff/tracing/worklist/",
        "/staff/tracing/clusters/",
        "/staff/tracing/chains/",
        f"/staff/tracing/{case.pk}/contacts/import",
        "/staff/tracing/worklist.xlsx",
    ):
        assert client.get(path).status_code == 200, path


def test_pages_refuse_outsiders(client, case, outsider, venue_staff):
    for user in (outsider, venue_staff):
        client.force_login(user)
        assert client.get(f"/staff/tracing/{case.pk}/").status_code in (403, 404)
        assert client.get(f"/staff/tracing/{case.pk}/contacts.csv").status_code in (403, 404)


def test_chain_graph_without_f2(api_client, case, province_officer):
    graph = api_client.as_user(province_officer).get("/api/v1/chains?depth=1").json()
    assert {n["kind"] for n in graph["nodes"]} == {"F0", "F1", "venue"}
