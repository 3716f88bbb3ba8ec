"""The pages: the public self-report form (no JavaScript, no personal data), the console, the
patient's page with its grid and charts, outsiders kept out, and the printed papers."""

from __future__ import annotations

from datetime import timedelta

import pypdfium2
import pytest
from django.utils import timezone

from phongdich.care.models import Alert, Enrolment, Report
from phongdich.lib.qr import decode_qr_png
from tests.care.conftest import make_case, make_clinician
from tests.conftest import PASSWORD, QUANG_PHU

pytestmark = pytest.mark.django_db


def form_url(enrolment) -> str:
    return f"/tu-theo-doi/{enrolment.token}"


def test_the_self_report_page_shows_the_adult_form_and_nothing_personal(client, enrolment):
    page = client.get(form_url(enrolment)).content.decode()
    assert 'name="spo2"' in page and 'name="systolic"' in page
    assert 'value="breathlessness"' in page
    assert enrolment.person.full_name not in page
    assert enrolment.person.phone not in page
    assert "<script" not in page.split("<main>")[1].split("</main>")[0]


def test_a_child_under_5_gets_the_childrens_form(client, ward_officer, clinician):
    from tests.care.conftest import enrol

    case = make_case(ward_officer, name="Bé Bông", birth_year=2024, phone="+84912000222")
    enrolment = enrol(case, clinician, ward_officer, birth_date="2024-01-15")
    page = client.get(form_url(enrolment)).content.decode()
    assert 'name="systolic"' not in page
    assert 'value="chest_indrawing"' in page and "/child_under_5" in page


def test_posting_the_form_without_javascript_stores_and_advises(client, enrolment):
    response = client.post(
        form_url(enrolment),
        {"client_id": "abc", "spo2": "97", "pulse": "80", "respiratory_rate": "16"},
    )
    assert response.status_code == 200
    assert 'data-status="ok"' in response.content.decode()
    assert Report.objects.filter(enrolment=enrolment, client_id="abc").count() == 1


def test_the_remeasure_form_completes_the_first_report(client, enrolment):
    page = client.post(form_url(enrolment), {"client_id": "a1", "spo2": "94"}).content.decode()
    assert 'data-status="remeasure"' in page and 'name="repeat_of"' in page
    report = Report.objects.get()
    page = client.post(
        form_url(enrolment), {"client_id": "a2", "repeat_of": report.pk, "spo2_repeat": "94"}
    ).content.decode()
    assert 'data-status="alert"' in page
    assert "tel:19009095" in page
    assert Alert.objects.filter(report=report).count() == 1


def test_bad_values_come_back_with_the_field_named(client, enrolment):
    response = client.post(form_url(enrolment), {"client_id": "x", "spo2": "abc", "pulse": "500"})
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="err-spo2"' in page
    assert not Report.objects.exists()


def test_an_unknown_token_is_404_and_an_ended_one_says_so(client, enrolment):
    assert client.get("/tu-theo-doi/not-a-token").status_code == 404
    Enrolment.objects.filter(pk=enrolment.pk).update(status="discharged")
    response = client.post(form_url(enrolment), {"spo2": "97"})
    assert 'id="ended"' in response.content.decode()
    assert not Report.objects.exists()


def test_the_console_lists_warnings_first_then_missed_reports(
    client, enrolment, clinician, ward_officer
):
    other = make_case(ward_officer, name="Trần Thị Bình", phone="+84912000333")
    from tests.care.conftest import enrol

    late = enrol(other, clinician, ward_officer)
    Enrolment.objects.filter(pk=late.pk).update(next_report_due=timezone.now() - timedelta(hours=1))
    client.post(form_url(enrolment), {"client_id": "w", "spo2": "93", "respiratory_rate": "25"})
    client.login(username="doctor", password=PASSWORD)
    page = client.get("/staff/care/").content.decode()
    alert_at = page.index('data-kind="alert"')
    missed_at = page.index('data-kind="missed"')
    assert alert_at < missed_at
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" in page


def test_acknowledging_removes_the_alert_from_the_console(client, enrolment, clinician):
    client.post(form_url(enrolment), {"client_id": "w", "pulse": "130"})
    alert = Alert.objects.get()
    client.login(username="doctor", password=PASSWORD)
    client.post(f"/staff/care/alerts/{alert.pk}/ack")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert 'data-kind="alert"' not in client.get("/staff/care/").content.decode()


def test_the_patient_page_draws_grid_charts_thresholds_and_a_qr(client, enrolment, clinician):
    client.post(form_url(enrolment), {"client_id": "1", "spo2": "97", "respiratory_rate": "18"})
    client.login(username="doctor", password=PASSWORD)
    response = client.get(f"/staff/care/{enrolment.pk}/")
    page = response.content.decode()
    assert 'class="green"' in page
    assert 'data-field="spo2"' in page and 'class="threshold" data-value="96"' in page
    assert 'data-value="20"' in page  # adult respiratory rate
    from phongdich.accounts.models import AuditEvent

    assert AuditEvent.objects.filter(action="care.view", object_id=str(enrolment.pk)).exists()


def test_the_qr_of_the_link_decodes_to_the_token_url(enrolment):
    from phongdich.care.actions import self_report_url
    from phongdich.lib.qr import qr_png

    assert decode_qr_png(qr_png(self_report_url(enrolment))) == [self_report_url(enrolment)]


@pytest.mark.parametrize("path", ["/staff/care/{id}/", "/staff/care/{id}/transfer.pdf"])
def test_outsiders_get_404(client, enrolment, path):
    make_clinician("farDoctor", QUANG_PHU)
    client.login(username="farDoctor", password=PASSWORD)
    assert client.get(path.format(id=enrolment.pk)).status_code == 404


def test_other_roles_are_refused(client, enrolment, admin_user):
    from phongdich.accounts.actions import do_create_staff

    do_create_staff("lab", "lab_technician", area=38, password=PASSWORD)
    client.login(username="lab", password=PASSWORD)
    assert client.get(f"/staff/care/{enrolment.pk}/").status_code == 403


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    text = "\n".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return text


def test_referral_writes_a_transfer_note(client, enrolment, clinician):
    client.post(form_url(enrolment), {"client_id": "w", "spo2": "92", "respiratory_rate": "26"})
    client.login(username="doctor", password=PASSWORD)
    client.post(
        f"/staff/care/{enrolment.pk}/refer",
        {"referral_facility": "Bệnh viện Đa khoa tỉnh Thanh Hóa", "referral_reason": "SpO2 92 %"},
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "referred"
    response = client.get(f"/staff/care/{enrolment.pk}/transfer.pdf")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "GIẤY CHUYỂN VIỆN" in text and "Bệnh viện Đa khoa tỉnh Thanh Hóa" in text
    assert "SpO2 92" in text and "Nguyễn Văn An" in text


def test_discharge_follows_the_rule_and_prints_a_paper(client, enrolment, clinician):
    client.login(username="doctor", password=PASSWORD)
    client.post(f"/staff/care/{enrolment.pk}/discharge")
    enrolment.refresh_from_db()
    assert enrolment.status == "active"  # day 3: too early
    start = enrolment.isolation_start - timedelta(days=9)
    Enrolment.objects.filter(pk=enrolment.pk).update(isolation_start=start)
    client.post(form_url(enrolment), {"client_id": "d", "spo2": "98"})
    client.post(f"/staff/care/{enrolment.pk}/discharge")
    enrolment.refresh_from_db()
    assert enrolment.status == "discharged"
    text = pdf_text(client.get(f"/staff/care/{enrolment.pk}/discharge.pdf").content)
    assert "HOÀN THÀNH CÁCH LY" in text and "Nguyễn Văn An" in text


def test_the_needs_action_list_costs_the_same_queries_for_many_patients(
    django_assert_max_num_queries, enrolment, clinician, ward_officer
):
    from django.utils import timezone

    from phongdich.care import queries
    from tests.care.conftest import enrol

    for n in range(6):
        other = enrol(
            make_case(ward_officer, name=f"Người {n}", phone=f"+8491200050{n}"),
            clinician,
            ward_officer,
        )
        Enrolment.objects.filter(pk=other.pk).update(
            next_report_due=timezone.now() - timedelta(hours=1)
        )
        Report.objects.create(
            enrolment=other,
            measured_at=timezone.now(),
            received_at=timezone.now(),
            form_version="x",
            source="self",
            client_id="q",
            status="alert",
            rule_set_id="moh-604-2022",
        )
        Alert.objects.create(
            enrolment=other, report=Report.objects.get(enrolment=other), raised_at=timezone.now()
        )
    with django_assert_max_num_queries(4):
        items = queries.needs_action(clinician, timezone.now()).items
        assert [i.kind for i in items].count("alert") == 6


def test_the_patient_list_pages(client, enrolment, clinician):
    client.login(username="doctor", password=PASSWORD)
    page = client.get("/staff/care/patients/").content.decode()
    assert "Nguyễn Văn An" in page
