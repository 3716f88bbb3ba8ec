"""Staff pages through the test client: sessions, registration, pools, labels, the lab, imports,
positives and the dashboard; and outsiders who get nothing."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from phongdich.testing.models import Pool, ResultUpload, Sample, SamplingSession
from tests.conftest import HAC_THANH, PASSWORD, PERSON
from tests.testing.conftest import csv_file, person_data, pooled, register

STAFF = "/staff/testing/"


def login(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_an_officer_opens_a_session_and_registers_people(client, ward_officer, citizen):
    login(client, ward_officer)
    assert client.get(STAFF).status_code == 200
    response = client.post(
        f"{STAFF}new",
        {
            "site": "Trường THCS Trần Phú",
            "ward_code": HAC_THANH,
            "date": timezone.localdate().isoformat(),
            "test_type": "rt_pcr",
            "target_kind": "households",
            "team": "Tổ 2",
        },
    )
    session = SamplingSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{STAFF}{session.pk}/"
    page = client.get(f"{STAFF}{session.pk}/")
    assert page.status_code == 200 and b'id="advice-size"' in page.content
    assert citizen.full_name in page.content.decode()  # on the household list
    client.post(f"{STAFF}{session.pk}/register", {"person_id": citizen.pk})
    client.post(f"{STAFF}{session.pk}/register", person_data(1))
    client.post(f"{STAFF}{session.pk}/register", {"qr": f"PD1:{citizen.token}"})
    assert Sample.objects.filter(session=session).count() == 2
    bad = client.post(f"{STAFF}{session.pk}/register", {**person_data(2), "gender": ""})
    assert bad.status_code == 422 and b'id="err-gender"' in bad.content


def test_session_form_errors_are_shown(client, ward_officer):
    login(client, ward_officer)
    response = client.post(
        f"{STAFF}new",
        {
            "site": "",
            "ward_code": HAC_THANH,
            "date": "",
            "test_type": "rt_pcr",
            "target_kind": "walk_in",
        },
    )
    assert response.status_code == 422
    assert b'id="err-site"' in response.content and b'id="err-date"' in response.content


def test_pools_and_label_sheets_from_the_session_page(client, session, ward_officer):
    login(client, ward_officer)
    samples = register(session, ward_officer, 3)
    client.post(f"{STAFF}{session.pk}/pool", {"size": "3"})
    pool = Pool.objects.get()
    assert pool.samples.count() == 3
    client.post(f"{STAFF}{session.pk}/pools/new", {"size": "2"})
    empty = Pool.objects.exclude(pk=pool.pk).get()
    page = client.post(
        f"{STAFF}pools/{empty.code}/add", {"tube_code": samples[0].tube_code}, follow=True
    )
    assert b"already_pooled" not in page.content and empty.samples.count() == 0
    for kind in ("tubes", "pools", "blank"):
        response = client.get(f"{STAFF}{session.pk}/labels/{kind}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(f"{STAFF}{session.pk}/labels/other.pdf").status_code == 404


def test_outsiders_get_nothing(client, session, ward_officer, outsider, other_ward_officer):
    samples, [pool] = pooled(session, ward_officer, 2, 2)
    for user in (outsider, other_ward_officer):
        login(client, user)
        listing = client.get(STAFF)
        assert listing.status_code == 200 and session.site not in listing.content.decode()
        assert client.get(f"{STAFF}{session.pk}/").status_code == 404
        assert client.post(f"{STAFF}{session.pk}/register", person_data(5)).status_code == 404
        assert client.post(f"{STAFF}{session.pk}/pool", {"size": 2}).status_code == 404
        assert client.post(f"{STAFF}pools/{pool.code}/close").status_code == 404
        assert client.get(f"{STAFF}{session.pk}/labels/tubes.pdf").status_code == 404
        assert (
            client.get(f"{STAFF}samples/{samples[0].tube_code}/certificate.pdf").status_code == 404
        )
        assert client.get(f"{STAFF}lab/").status_code == 403
        positives = client.get(f"{STAFF}positives/")
        assert (
            positives.status_code == 200 and samples[0].tube_code not in positives.content.decode()
        )
    assert Sample.objects.filter(session=session).count() == 2


def test_the_lab_receives_enters_and_imports(client, session, ward_officer, lab_technician, lab):
    _samples, pools = pooled(session, ward_officer, 6, 3)
    login(client, lab_technician)
    page = client.get(f"{STAFF}lab/")
    assert page.status_code == 200 and pools[0].code in page.content.decode()
    client.post(f"{STAFF}lab/receive", {"code": pools[0].code.lower()})
    pools[0].refresh_from_db()
    assert pools[0].received_at is not None and pools[0].lab == lab
    client.post(f"{STAFF}lab/result", {"code": pools[0].code, "result": "negative", "ct": ""})
    assert Sample.objects.filter(pool=pools[0], result="negative").count() == 3
    data = csv_file([[pools[1].code, "positive", "25", ""]])
    preview = client.post(f"{STAFF}lab/import", {"file": SimpleUploadedFile("a.csv", data)})
    assert preview.status_code == 200 and b'id="commit-button"' in preview.content
    upload = ResultUpload.objects.get()
    committed = client.post(f"{STAFF}lab/import", {"upload": upload.pk})
    assert committed.status_code == 302 and not ResultUpload.objects.exists()
    page = client.get(f"{STAFF}lab/").content.decode()
    assert all(f'id="retest-{s.tube_code}"' in page for s in Sample.objects.filter(pool=pools[1]))


def test_a_bad_file_is_shown_row_by_row_and_never_stored(
    client, session, ward_officer, lab_technician, lab
):
    _, [pool] = pooled(session, ward_officer, 2, 2)
    login(client, lab_technician)
    data = csv_file([[pool.code, "negative", "", ""], [pool.code, "negative", "", ""]])
    response = client.post(f"{STAFF}lab/import", {"file": SimpleUploadedFile("a.csv", data)})
    assert response.status_code == 422 and b'data-code="duplicate_row"' in response.content
    assert b'data-row="3"' in response.content and not ResultUpload.objects.exists()


def test_nobody_commits_another_persons_upload(
    client, session, ward_officer, lab_technician, lab, admin_user
):
    _, [pool] = pooled(session, ward_officer, 2, 2)
    login(client, lab_technician)
    client.post(
        f"{STAFF}lab/import",
        {"file": SimpleUploadedFile("a.csv", csv_file([[pool.code, "negative", "", ""]]))},
    )
    upload = ResultUpload.objects.get()
    login(client, admin_user)
    assert client.post(f"{STAFF}lab/import", {"upload": upload.pk}).status_code == 404
    assert Pool.objects.get().result == ""


def test_officers_see_positives_and_the_dashboard_card(
    client, session, ward_officer, other_ward_officer, lab_technician, lab
):
    from phongdich.testing.results import do_record_result

    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, "positive", user=lab_technician, lab=lab)
    sample.refresh_from_db()
    login(client, ward_officer)
    page = client.get(f"{STAFF}positives/").content.decode()
    assert f'id="positive-{sample.tube_code}"' in page and f"F0-{sample.case_id}" in page
    dashboard = client.get("/staff/").content.decode()
    card = re.search(
        r'href="/staff/testing/positives/"><h2>[^<]*</h2><p class="big">(\d+)</p>', dashboard
    )
    assert card and card.group(1) == "1"
    login(client, other_ward_officer)
    other = client.get("/staff/").content.decode()
    assert re.search(r'positives/"><h2>[^<]*</h2><p class="big">0</p>', other)
    login(client, lab_technician)
    assert "/staff/testing/lab/" in client.get("/staff/").content.decode()


@pytest.mark.parametrize("path", ["", "lab/", "positives/"])
def test_pages_need_a_login(client, db, path):
    response = client.get(f"{STAFF}{path}")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_the_staff_certificate_explains_missing_keys(
    client, session, ward_officer, lab_technician, lab
):
    from phongdich.testing.results import do_record_result

    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, "negative", user=lab_technician, lab=lab)
    login(client, ward_officer)
    response = client.get(f"{STAFF}samples/{sample.tube_code}/certificate.pdf")
    assert response.status_code == 503 and b'id="error-no_signing_keys"' in response.content


def test_the_citizen_finds_the_typed_person_by_cccd(client, session, ward_officer, citizen):
    login(client, ward_officer)
    client.post(f"{STAFF}{session.pk}/register", {"id_number": PERSON["id_number"]})
    assert Sample.objects.get().person == citizen


def test_dorfman_figures_for_the_session_only_where_pooling_applies(client, session, ward_officer):
    login(client, ward_officer)
    register(session, ward_officer, 1)
    one = client.get(f"{STAFF}{session.pk}/").content.decode()
    assert 'id="advice-size"' in one and 'id="advice-session"' not in one
    register(session, ward_officer, 30, start=1)
    many = client.get(f"{STAFF}{session.pk}/").content.decode()
    assert 'id="advice-session"' in many


def test_the_session_list_pages_filters_and_counts(client, ward_officer):

    from phongdich.testing.actions import do_create_session
    from tests.testing.conftest import SESSION

    today = timezone.localdate().isoformat()
    for n in range(55):
        do_create_session({**SESSION, "site": f"Điểm {n}", "date": today}, actor=ward_officer)
    login(client, ward_officer)
    first = client.get(STAFF).content.decode()
    assert 'data-total="55"' in first and first.count("/staff/testing/") >= 50
    assert 'rel="next"' in first
    found = client.get(STAFF, {"q": "Điểm 54"}).content.decode()
    assert 'data-total="1"' in found
