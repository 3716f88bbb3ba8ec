"""Workplace self-assessment: registration by tax number, one-time code to the registered phone,
1203 end to end, live data beside the answers, mismatch, inspection tasks; compliance lists."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.utils import timezone

from phongdich.checkpoints.models import Visit
from phongdich.core import sms
from phongdich.lib.errors import InputErrors
from phongdich.lib.sms import ConsoleGateway
from phongdich.risk import business as biz
from phongdich.risk.fixes import today
from phongdich.risk.models import AccessCode, Business, InspectionTask, SelfAssessment
from tests.conftest import HAC_THANH, PASSWORD
from tests.risk.conftest import person

pytestmark = pytest.mark.django_db

TAX_ID = "0100047516"  # docs/reference/risk.md §5 worked example
# 1203 worked example (docs/reference/risk.md §6): 33 % → medium, TP1 = 7 blocks operation.
FACTORY = {
    "tp1": "1200",
    "tp2": "5",
    "tp3": "every_entrance",
    "tp4": "100",
    "tp5": "100",  # version 2: share checked (every worker → 1, as "every entry" in v1)
    "tp6": "one_metre",
    "tp7": "40",
    "tp8": "1",  # version 2: one pick-up area → 1 (v1: "yes" → 1)
    "tp9": "daily",
    "tp10": "some",
}
HIGH = {
    **FACTORY,
    "tp1": "6000",
    "tp2": "1.5",
    "tp3": "none",
    "tp6": "crowded",
    "tp7": "90",
    "tp10": "most",
}


@pytest.fixture
def factory(venue):
    return biz.do_register_business(
        {
            "tax_id": TAX_ID,
            "name": "Công ty May Hạc Thành",
            "kind": "factory",
            "ward_code": HAC_THANH,
            "contact_phone": venue.phone,
            "venue_codes": venue.code,
        }
    )


@pytest.fixture(autouse=True)
def outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


def _last_code(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1].text).group()


@pytest.fixture
def send_code(django_capture_on_commit_callbacks):
    """Codes go out after their transaction commits (tests run inside one): run the callbacks."""

    def send(tax_id: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            biz.do_send_code(tax_id)

    return send


def test_registration_checks_every_field_and_writes_nothing():
    with pytest.raises(InputErrors) as exc:
        biz.do_register_business(
            {
                "tax_id": "0100047517",
                "name": "",
                "kind": "bar",
                "ward_code": "99999999999999",
                "contact_phone": "12",
                "venue_codes": "NOPE",
            }
        )
    assert {e.field for e in exc.value.errors} == {
        "tax_id",
        "name",
        "kind",
        "ward_code",
        "contact_phone",
        "venue_codes",
    }
    assert not Business.objects.exists()


def test_a_venue_is_linked_only_with_its_own_phone(venue):
    with pytest.raises(InputErrors) as exc:
        biz.do_register_business(
            {
                "tax_id": TAX_ID,
                "name": "Người lạ",
                "kind": "factory",
                "ward_code": HAC_THANH,
                "contact_phone": "0912345678",
                "venue_codes": venue.code,
            }
        )
    assert [e.code for e in exc.value.errors] == ["venue_phone_mismatch"]


def test_the_same_tax_number_registers_once(factory, venue):
    with pytest.raises(InputErrors) as exc:
        biz.do_register_business(
            {
                "tax_id": TAX_ID,
                "name": "Lần hai",
                "kind": "factory",
                "ward_code": HAC_THANH,
                "contact_phone": venue.phone,
            }
        )
    assert exc.value.errors[0].code == "already_registered"


def test_a_code_works_once_and_five_wrong_tries_burn_it(factory, time_machine, send_code, outbox):
    time_machine.move_to(timezone.now(), tick=False)
    before = len(outbox)
    send_code(TAX_ID)
    code = _last_code(outbox)
    assert outbox[-1].to == factory.contact_phone
    assert code not in AccessCode.objects.get().digest  # only a keyed hash is kept
    assert biz.do_check_code(TAX_ID, code) == factory
    with pytest.raises(InputErrors):
        biz.do_check_code(TAX_ID, code)
    with pytest.raises(InputErrors) as exc:
        send_code(TAX_ID)  # at once again: resends are spaced
    assert exc.value.errors[0].code == "otp_resend_too_soon"
    time_machine.shift(timedelta(minutes=2))
    send_code(TAX_ID)
    code = _last_code(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(InputErrors) as exc:
            biz.do_check_code(TAX_ID, wrong)
        assert exc.value.errors[0].code == "otp_wrong_code"
    with pytest.raises(InputErrors) as exc:
        biz.do_check_code(TAX_ID, wrong)
    assert exc.value.errors[0].code == "otp_too_many_attempts"
    with pytest.raises(InputErrors):
        biz.do_check_code(TAX_ID, code)
    send_code("0314409058")  # not registered: no message, no error
    assert len(outbox) - before == 2


def test_1203_end_to_end_medium_band_blocked_by_tp1_and_what_if(factory):
    assessment, result = biz.do_self_assess(factory, "hcmc-1203", FACTORY)
    assert assessment.band == "medium" and float(assessment.index_percent) == 33.0
    assert result.may_operate is False and result.blocking == ("tp1",)
    assert assessment.result["what_if"][0]["key"] == "tp1"
    assert assessment.result["what_if"][0]["band"] == "low"
    assert assessment.live == {"checkins": 0, "people": 0, "flagged": 0, "cases": 0, "f1": 0}
    assert not InspectionTask.objects.exists()


def test_a_high_band_opens_one_inspection_task_and_reassessment_updates_it(factory):
    first, _ = biz.do_self_assess(factory, "hcmc-1203", HIGH)
    assert first.band in biz.HIGH_BANDS
    again, _ = biz.do_self_assess(factory, "hcmc-1203", HIGH)
    task = InspectionTask.objects.get()
    assert task.assessment == again and task.reason == "band" and task.ward_id == HAC_THANH
    assert {c["item"] for c in task.checklist} >= {"tp1", "tp2"}


def test_live_data_disagreeing_with_the_answers_flags_a_mismatch(factory, venue):
    now = timezone.now()
    for i in range(40):
        Visit.objects.create(
            client_id=uuid4(),
            venue=venue,
            person=person(HAC_THANH),
            checked_in_at=now - timedelta(hours=i),
            received_at=now,
            expected_out_at=now + timedelta(hours=1),
            form_version="t",
            flagged=i < 3,
        )
    small = {**FACTORY, "tp1": "20", "tp2": "20"}  # declares 20 workers; 40 people checked in
    assessment, _ = biz.do_self_assess(factory, "hcmc-1203", small)
    assert assessment.live["people"] == 40 and assessment.live["flagged"] == 3
    assert assessment.mismatch == ["workforce"]
    task = InspectionTask.objects.get()
    assert task.reason == "mismatch"


@pytest.mark.parametrize("number", ["Infinity", "-inf", "NaN", "1e999999999", "9" * 40])
def test_numbers_that_are_not_finite_or_too_large_are_refused(factory, number):
    with pytest.raises(InputErrors) as exc:
        biz.do_self_assess(factory, "hcmc-1203", {**FACTORY, "tp1": number})
    assert [(e.field, e.code) for e in exc.value.errors] == [("tp1", "answer_not_a_number")]
    assert not SelfAssessment.objects.exists()


def test_bad_answers_are_named_and_nothing_is_stored(factory):
    with pytest.raises(InputErrors) as exc:
        biz.do_self_assess(factory, "hcmc-1203", {**FACTORY, "tp3": "maybe", "tp1": "-4"})
    assert {"tp1", "tp3"} <= {e.field for e in exc.value.errors}
    with pytest.raises(InputErrors):
        biz.do_self_assess(factory, "bcdqg-2194", FACTORY)  # not for a factory
    assert not SelfAssessment.objects.exists()


def test_the_pages_sign_in_with_a_code_and_assess(
    client, factory, ward_officer, other_ward_officer, django_capture_on_commit_callbacks, outbox
):
    assert client.get("/doanh-nghiep/danh-gia").status_code == 302
    before = len(outbox)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/doanh-nghiep/dang-nhap", {"tax_id": TAX_ID})
    assert len(outbox) == before + 1
    r = client.post("/doanh-nghiep/ma", {"tax_id": TAX_ID, "code": "999999x"})
    assert "Mã xác nhận không đúng" in r.content.decode()  # one wrong try; the code still works
    assert (
        client.post("/doanh-nghiep/ma", {"tax_id": TAX_ID, "code": _last_code(outbox)}).status_code
        == 302
    )
    r = client.post("/doanh-nghiep/danh-gia", {"questionnaire": "hcmc-1203", **HIGH})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert 'id="what-if"' in page and 'id="live"' in page
    client.logout()
    client.login(username="ward", password=PASSWORD)
    listing = client.get("/staff/risk/inspections/").content.decode()
    assert f'data-tax-id="{TAX_ID}"' in listing
    task = InspectionTask.objects.get()
    deadline = today() + timedelta(days=30)
    r = client.post(
        f"/staff/risk/inspections/{task.pk}/fixes/",
        {"text": "Giãn ca", "deadline": f"{deadline:%d/%m/%Y}"},
    )
    assert r.status_code == 302
    r = client.post(
        f"/staff/risk/inspections/{task.pk}/",
        {"done": ["tp1"], "findings": "Đông", "close": "1"},
    )
    assert r.status_code == 302
    task.refresh_from_db()
    done = {c["item"]: c["done"] for c in task.checklist}
    assert task.status == "done" and done["tp1"] is True and done["tp2"] is False
    assert task.findings == "Đông"
    assert list(task.required_fixes.values_list("text", "deadline")) == [("Giãn ca", deadline)]
    client.logout()
    client.login(username="otherward", password=PASSWORD)
    assert f'data-tax-id="{TAX_ID}"' not in client.get("/staff/risk/inspections/").content.decode()
    assert client.get(f"/staff/risk/inspections/{task.pk}/").status_code == 404


def test_compliance_lists_silent_checkpoints(client, venue, other_venue, ward_officer):
    from phongdich.accounts import audit

    audit.record("print_poster", actor=ward_officer, obj=venue, ward=venue.ward)
    client.login(username="ward", password=PASSWORD)
    page = client.get("/staff/risk/compliance/").content.decode()
    assert f'data-code="{other_venue.code}"' not in page
    assert f'data-code="{venue.code}" data-reasons="zero_scan printed_never_scanned"' in page
    export = client.get("/staff/risk/compliance.csv").content.decode("utf-8-sig")
    assert venue.code in export and other_venue.code not in export
    Visit.objects.create(
        client_id=uuid4(),
        venue=venue,
        person=person(HAC_THANH),
        checked_in_at=timezone.now(),
        received_at=timezone.now(),
        expected_out_at=timezone.now(),
        form_version="t",
        checked_out_at=timezone.now(),
    )
    page = client.get("/staff/risk/compliance/").content.decode()
    # Scanned now: still below its kind's expected traffic.
    assert f'data-code="{venue.code}" data-reasons="below_expected"' in page
