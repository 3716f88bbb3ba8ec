"""Citizen reports: spam resistance without third-party captchas, a private status link, the
officers' queue within their area, a published answer."""

from __future__ import annotations

import io
import time

import pytest
from django.core import signing
from django.core.cache import cache
from PIL import Image

from phongdich.portal import reports
from phongdich.portal.reports import CitizenReport
from tests.conftest import HAC_THANH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def old_stamp(seconds: int = 10) -> str:
    return signing.dumps(int(time.time()) - seconds, salt=reports.FORM_SALT)


def form(**extra):
    return {
        "phuong": HAC_THANH,
        "kind": "false_info",
        "text": "Có tin nhắn lan truyền nói phường bị phong tỏa toàn bộ từ tối nay.",
        "link": "https://mxh.example/bai-viet/123",
        "stamp": old_stamp(),
        "website": "",
        **extra,
    }


def test_a_report_gets_a_private_status_link(client, section):
    response = client.post("/phan-anh", form())
    assert response.status_code == 302
    report = CitizenReport.objects.get()
    assert response["Location"] == f"/phan-anh/{report.token}"
    assert len(report.token) >= 32 and report.ward_id == HAC_THANH
    page = client.get(response["Location"])
    assert page["Cache-Control"] == "private, no-store" and page["Referrer-Policy"] == "no-referrer"
    assert "phong tỏa" in page.content.decode()
    assert client.get("/phan-anh/not-a-token").status_code == 404


@pytest.mark.parametrize(
    "extra",
    [
        {"website": "http://spam.example"},  # the hidden field
        {"stamp": 0},  # sent within seconds of loading the form
        {"stamp": 3 * 3600},  # a form kept for hours
        {"stamp": "forged"},
        {"text": "ngắn"},
        {"text": "mua ngay " + " ".join(f"http://spam{n}.example" for n in range(5))},
        {"kind": "other"},
        {"link": "javascript:alert(1)"},
        {"phuong": "99999999"},
    ],
)
def test_bad_or_automated_reports_are_refused_and_nothing_is_stored(client, extra):
    if isinstance(extra.get("stamp"), int):
        extra = {"stamp": old_stamp(extra["stamp"])}
    response = client.post("/phan-anh", form(**extra))
    assert response.status_code == 400
    assert (
        'class="errorlist"' in response.content.decode()
        or 'id="form-error"' in response.content.decode()
    )
    assert not CitizenReport.objects.exists()


def test_rate_limit_per_connection(client):
    for _ in range(5):
        assert client.post("/phan-anh", form()).status_code == 302
    response = client.post("/phan-anh", form())
    assert response.status_code == 400 and 'id="form-error"' in response.content.decode()
    assert CitizenReport.objects.count() == 5


def test_a_photo_is_re_encoded_without_its_metadata(client):
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    upload = io.BytesIO()
    image.save(upload, "JPEG", exif=exif)
    upload.seek(0)
    upload.name = "anh.jpg"
    assert client.post("/phan-anh", {**form(), "photo": upload}).status_code == 302
    stored = CitizenReport.objects.get().photo
    with Image.open(stored.open("rb")) as saved:
        assert saved.format == "JPEG" and not saved.getexif()


def test_not_an_image_is_refused(client):
    upload = io.BytesIO(b"<svg onload=alert(1)>")
    upload.name = "x.jpg"
    response = client.post("/phan-anh", {**form(), "photo": upload})
    assert response.status_code == 400 and not CitizenReport.objects.exists()


def _report():
    return reports.do_submit_report(
        ward=__import__("phongdich.places.models", fromlist=["Ward"]).Ward.objects.get(
            code=HAC_THANH
        ),
        kind="problem",
        text="Điểm kiểm dịch chợ không có tờ khai giấy.",
        stamp=old_stamp(),
        contact="0912 345 678",
    )


def test_officers_of_the_ward_answer_and_publish(client, ward_officer):
    report = _report()
    client.force_login(ward_officer)
    queue = client.get("/staff/portal/reports/").content.decode()
    assert f"#{report.pk}" in queue
    detail = client.get(f"/staff/portal/reports/{report.pk}").content.decode()
    assert "0912 345 678" in detail
    response = client.post(
        f"/staff/portal/reports/{report.pk}",
        {"status": "answered", "reply": "Đã bổ sung tờ khai giấy tại chợ.", "publish": "on"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (
        report.status == "answered" and report.reply_public and report.answered_by == ward_officer
    )
    client.logout()
    public = client.get("/phan-anh").content.decode()
    assert "Đã bổ sung tờ khai giấy" in public and "0912 345 678" not in public
    assert "Đã bổ sung tờ khai giấy" in client.get(f"/phan-anh/{report.token}").content.decode()
    from phongdich.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="report.answer", object_id=str(report.pk)).exists()


def test_an_answer_needs_text(client, ward_officer):
    report = _report()
    client.force_login(ward_officer)
    response = client.post(
        f"/staff/portal/reports/{report.pk}", {"status": "answered", "reply": ""}
    )
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == "received"


def test_outsiders_see_nothing(client, other_ward_officer, outsider, venue_staff):
    report = _report()
    for user in (other_ward_officer, outsider):
        client.force_login(user)
        assert f"#{report.pk}" not in client.get("/staff/portal/reports/").content.decode()
        assert client.get(f"/staff/portal/reports/{report.pk}").status_code == 404
        assert (
            client.post(
                f"/staff/portal/reports/{report.pk}", {"status": "rejected", "reply": "x"}
            ).status_code
            == 404
        )
    client.force_login(venue_staff)
    assert client.get("/staff/portal/reports/").status_code == 403
    report.refresh_from_db()
    assert report.status == "received"
