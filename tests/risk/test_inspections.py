"""Inspection tasks (docs/reference/risk.md §9): a 2225 pass/fail self-assessment that fails opens
one, photos are re-encoded and served only to staff of the area with safe headers, bad input is
named in both languages and changes nothing, and the business's re-assessments are listed."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from phongdich.accounts.models import AuditEvent
from phongdich.risk import business as biz
from phongdich.risk.inspections import MAX_PHOTOS
from phongdich.risk.models import InspectionPhoto, InspectionTask
from phongdich.risk.questionnaires import default_questionnaires
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _answers(met=True, **unmet):
    q = default_questionnaires()[("bcdqg-2225-food", 1)]
    return {i.key: met for i in q.indicators} | {k: False for k in unmet}


def _picture(fmt="PNG", size=(40, 30), name="a.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: must not survive the re-encoding
    image.save(out, fmt, **({"exif": exif} if fmt == "JPEG" else {}))
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def test_a_failed_2225_assessment_opens_a_task_and_a_pass_does_not(restaurant):
    assessment, result = biz.do_self_assess(restaurant, "bcdqg-2225-food", _answers())
    assert (assessment.band, result.passed) == ("pass", True)
    assert assessment.result["band_label"][1] == "Passed: every criterion met"
    assert not InspectionTask.objects.exists()
    assessment, result = biz.do_self_assess(
        restaurant, "bcdqg-2225-food", _answers(ventilation=1, masks=1)
    )
    assert assessment.band == "fail"
    task = InspectionTask.objects.get()
    assert [c["item"] for c in task.checklist] == ["masks", "ventilation"]
    assert [d["key"] for d in assessment.result["drivers"]] == ["masks", "ventilation"]
    assert {w["band"] for w in assessment.result["what_if"]} == {"fail"}
    assert assessment.result["what_if"][0]["index"] is None
    assert "masks" in assessment.result["unconfirmed"]


def test_a_restaurant_cannot_answer_the_factory_questionnaire(restaurant):
    with pytest.raises(biz.InputErrors):
        biz.do_self_assess(restaurant, "hcmc-1203", {})


def test_the_business_page_shows_unmet_criteria_and_the_unconfirmed_note(client, restaurant):
    session = client.session
    session["risk_business"] = restaurant.pk
    session.save()
    page = client.get("/doanh-nghiep/danh-gia").content.decode()
    assert 'id="unconfirmed-note"' in page
    # One criterion left unanswered: named, nothing stored.
    answers = {k: "yes" if v else "no" for k, v in _answers(ventilation=1).items()}
    del answers["bins"]
    r = client.post("/doanh-nghiep/danh-gia", {"questionnaire": "bcdqg-2225-food", **answers})
    assert r.status_code == 200 and "Chưa trả lời chỉ số này" in r.content.decode()
    assert not restaurant.assessments.exists()
    answers["bins"] = "yes"
    r = client.post("/doanh-nghiep/danh-gia", {"questionnaire": "bcdqg-2225-food", **answers})
    page = client.get(r["Location"]).content.decode()
    assert 'data-band="fail"' in page
    assert "Thông khí tốt" in page.split('id="drivers"')[1].split("</ol>")[0]
    assert "sẽ đạt" in page.split('id="what-if"')[1].split("</ol>")[0]


@pytest.fixture
def task(restaurant):
    biz.do_self_assess(restaurant, "bcdqg-2225-food", _answers(ventilation=1))
    return InspectionTask.objects.get()


def test_photos_are_re_encoded_and_served_only_inside_the_area(
    client, task, ward_officer, other_ward_officer, outsider
):
    client.login(username="ward", password=PASSWORD)
    r = client.post(
        f"/staff/risk/inspections/{task.pk}/",
        {
            "findings": "Cửa đóng kín",
            "photo": [_picture(), _picture("JPEG", name="cua-hang-b.jpg")],
        },
    )
    assert r.status_code == 302
    photos = list(task.photos.order_by("pk"))
    assert len(photos) == 2
    stored = photos[1].image.name
    # Stored under a random name of its own, never the uploaded one (the random hex may itself
    # end in "b", so the check is the name's whole shape).
    assert re.fullmatch(r"inspections/[0-9a-f]{16,}\.jpg", stored), stored
    url = f"/staff/risk/inspections/{task.pk}/photos/{photos[1].pk}"
    assert url in client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    r = client.get(url)
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["Content-Security-Policy"] == "default-src 'none'"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in r["Cache-Control"] and r["Content-Disposition"].startswith("inline")
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG" and image.size == (40, 30)
        assert 0x010F not in image.getexif()
    assert AuditEvent.objects.filter(action="view_inspection_photo").count() == 1
    client.logout()
    for user in ("otherward", "outsider"):
        client.login(username=user, password=PASSWORD)
        assert client.get(url).status_code == 404
        client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    assert client.get(f"/media/{stored}").status_code == 404  # no public URL


@pytest.mark.parametrize(
    ("post", "field", "vi", "en"),
    [
        ({"findings": "x" * 5001}, "findings", "5.000", "5,000"),
        (
            {"photo": SimpleUploadedFile("a.png", b"<svg onload=alert(1)>", "image/png")},
            "photo",
            "không phải ảnh",
            "not a JPEG",
        ),
        (
            {"photo": SimpleUploadedFile("a.gif", b"GIF89a" + b"\0" * 40, "image/gif")},
            "photo",
            "không phải ảnh",
            "not a JPEG",
        ),
    ],
)
def test_bad_input_is_named_in_both_languages_and_changes_nothing(
    client, task, ward_officer, post, field, vi, en
):
    client.login(username="ward", password=PASSWORD)
    r = client.post(
        f"/staff/risk/inspections/{task.pk}/", {"findings": "Đã xem", "close": "1", **post}
    )
    page = r.content.decode()
    assert r.status_code == 400 and vi in page and en in page
    task.refresh_from_db()
    assert (task.status, task.findings) == ("open", "")
    assert not InspectionPhoto.objects.exists()


def test_a_photo_over_8_mb_and_more_than_the_limit_are_refused(client, task, ward_officer):
    client.login(username="ward", password=PASSWORD)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (8 * 1024 * 1024), "image/jpeg")
    r = client.post(f"/staff/risk/inspections/{task.pk}/", {"photo": big})
    assert r.status_code == 400 and "8 MB" in r.content.decode()
    r = client.post(
        f"/staff/risk/inspections/{task.pk}/",
        {"photo": [_picture(name=f"{n}.png") for n in range(MAX_PHOTOS + 1)]},
    )
    assert r.status_code == 400 and "Tối đa 10 ảnh" in r.content.decode()
    assert not InspectionPhoto.objects.exists()


def test_a_closed_task_takes_no_more_changes_and_lists_the_reassessments(
    client, task, restaurant, ward_officer
):
    biz.do_self_assess(restaurant, "bcdqg-2225-food", _answers())  # fixed: passes now
    client.login(username="ward", password=PASSWORD)
    page = client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    history = page.split('id="reassessments"')[1].split("</section>")[0]
    assert history.count("<li") == 2 and 'data-band="pass"' in history
    client.post(
        f"/staff/risk/inspections/{task.pk}/",
        {"findings": "Đã mở cửa sổ", "close": "1"},
    )
    task.refresh_from_db()
    assert task.status == "done" and task.closed_by == ward_officer
    r = client.post(f"/staff/risk/inspections/{task.pk}/", {"findings": "Sau khi đóng"})
    assert r.status_code == 400 and "Nhiệm vụ đã đóng" in r.content.decode()
    task.refresh_from_db()
    assert task.findings == "Đã mở cửa sổ"
