"""Required fixes of an inspection (docs/reference/risk.md §9): each with its own deadline, added,
edited, marked done and reopened by the ward officer of the area only; bad input named in both
languages changes nothing; overdue fixes are counted and filtered for the officer; the business
sees its open fixes; done and overdue events carry ids only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import translation

from phongdich.accounts.models import AuditEvent
from phongdich.core.dashboard import dashboard_context
from phongdich.core.models import OutboxEvent
from phongdich.lib.errors import InputErrors
from phongdich.risk import business as biz
from phongdich.risk import fixes as fx
from phongdich.risk.models import InspectionTask, RequiredFix
from phongdich.risk.questionnaires import default_questionnaires
from tests.conftest import HAC_THANH, PASSWORD, QUANG_PHU, _staff
from tests.risk.conftest import at

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def on_day(time_machine):
    time_machine.move_to(at(DAY, 9), tick=False)
    return time_machine


def _failing():
    q = default_questionnaires()[("bcdqg-2225-food", 1)]
    return {i.key: i.key != "ventilation" for i in q.indicators}


def _restaurant(tax_id, ward, phone, venues=""):
    return biz.do_register_business(
        {
            "tax_id": tax_id,
            "name": f"Quán Phở {tax_id[-3:]}",
            "kind": "restaurant",
            "ward_code": ward,
            "contact_phone": phone,
            "venue_codes": venues,
        }
    )


@pytest.fixture
def task(venue):
    found = _restaurant("0100047516", HAC_THANH, venue.phone, venue.code)
    biz.do_self_assess(found, "bcdqg-2225-food", _failing())
    return InspectionTask.objects.get(business=found)


def _url(task, fix=None):
    base = f"/staff/risk/inspections/{task.pk}/fixes/"
    return base if fix is None else f"{base}{fix.pk}"


def test_the_officer_adds_edits_marks_done_and_reopens_fixes(client, task, ward_officer):
    client.login(username="ward", password=PASSWORD)
    r = client.post(_url(task), {"text": "Mở cửa sổ khu bếp", "deadline": "20/03/2026"})
    assert r.status_code == 302 and r["Location"].endswith("#fixes")
    client.post(_url(task), {"text": "Lắp quạt hút", "deadline": "2026-04-30"})  # a date field
    first, second = task.required_fixes.order_by("pk")
    assert (first.deadline, second.deadline) == (date(2026, 3, 20), date(2026, 4, 30))
    assert first.status == "open" and first.created_by == ward_officer
    page = client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    fixes = page.split('id="fixes"')[1].split("</section>")[0]
    assert fixes.index("Mở cửa sổ khu bếp") < fixes.index("Lắp quạt hút")  # by deadline
    assert "20/03/2026" in fixes and "30/04/2026" in fixes

    r = client.post(
        _url(task, second),
        {"action": "edit", "text": "Lắp hai quạt hút", "deadline": "15/04/2026", "note": "Bếp"},
    )
    assert r.status_code == 302
    second.refresh_from_db()
    assert (second.text, second.deadline, second.note) == (
        "Lắp hai quạt hút",
        date(2026, 4, 15),
        "Bếp",
    )
    for _ in range(2):  # a repeated request records it once
        client.post(_url(task, first), {"action": "done"})
    first.refresh_from_db()
    assert first.status == "done" and first.done_by == ward_officer and first.done_at
    page = client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    fixes = page.split('id="fixes"')[1].split("</section>")[0]
    assert fixes.index("Lắp hai quạt hút") < fixes.index("Mở cửa sổ khu bếp")  # open ones first
    events = list(OutboxEvent.objects.filter(topic="inspection_fix.done"))
    assert len(events) == 1
    assert events[0].payload == {"fix_id": first.pk, "task_id": task.pk, "ward_code": HAC_THANH}
    client.post(_url(task, first), {"action": "reopen"})
    first.refresh_from_db()
    assert (first.status, first.done_by, first.done_at) == ("open", None, None)
    actions = list(
        AuditEvent.objects.filter(object_type="risk.requiredfix")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "add_inspection_fix",
        "add_inspection_fix",
        "edit_inspection_fix",
        "done_inspection_fix",
        "done_inspection_fix",
        "reopen_inspection_fix",
    ]
    assert set(
        AuditEvent.objects.filter(action="add_inspection_fix").values_list("ward_id", flat=True)
    ) == {HAC_THANH}


@pytest.mark.parametrize(
    ("post", "field", "vi", "en"),
    [
        ({"deadline": "20/03/2026"}, "text", "Hãy ghi việc cần khắc phục", "Write the fix"),
        ({"text": "x" * 501, "deadline": "20/03/2026"}, "text", "500 ký tự", "500 characters"),
        ({"text": "Mở cửa", "deadline": ""}, "deadline", "bắt buộc", "required"),
        ({"text": "Mở cửa", "deadline": "31/02/2026"}, "deadline", "ngày hợp lệ", "valid date"),
        ({"text": "Mở cửa", "deadline": "03/20/2026"}, "deadline", "ngày hợp lệ", "valid date"),
        ({"text": "Mở cửa", "deadline": "15/03/2026"}, "deadline", "đã qua", "has passed"),
        ({"text": "Mở cửa", "deadline": "20/03/2062"}, "deadline", "quá xa", "too far"),
        (
            {"text": "Mở cửa", "deadline": "20/03/2026", "note": "n" * 501},
            "note",
            "Ghi chú",
            "Note",
        ),
    ],
)
def test_bad_fix_input_is_named_in_both_languages_and_changes_nothing(
    client, task, ward_officer, post, field, vi, en
):
    client.login(username="ward", password=PASSWORD)
    r = client.post(_url(task), post)
    page = r.content.decode()
    assert r.status_code == 400 and vi in page and en in page
    assert not RequiredFix.objects.exists()
    # The same on an edit: the fix keeps what it had.
    fix = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "20/03/2026"})
    r = client.post(_url(task, fix), {"action": "edit", **post})
    assert r.status_code == 400 and vi in r.content.decode()
    fix.refresh_from_db()
    assert (fix.text, fix.deadline, fix.note) == ("Mở cửa", date(2026, 3, 20), "")
    assert not AuditEvent.objects.filter(object_type="risk.requiredfix").exists()


def test_a_passed_deadline_may_stay_on_an_edit_but_not_be_chosen(
    client, task, ward_officer, on_day
):
    fix = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "17/03/2026"})
    on_day.move_to(at(DAY + timedelta(days=3), 9), tick=False)
    client.login(username="ward", password=PASSWORD)
    r = client.post(
        _url(task, fix), {"action": "edit", "text": "Mở cả hai cửa", "deadline": "17/03/2026"}
    )
    assert r.status_code == 302
    r = client.post(_url(task, fix), {"action": "edit", "text": "Mở", "deadline": "18/03/2026"})
    assert r.status_code == 400 and "đã qua" in r.content.decode()
    fix.refresh_from_db()
    assert (fix.text, fix.deadline) == ("Mở cả hai cửa", date(2026, 3, 17))


def test_an_unknown_action_and_a_closed_task_change_nothing(client, task, ward_officer):
    fix = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "20/03/2026"})
    client.login(username="ward", password=PASSWORD)
    r = client.post(_url(task, fix), {"action": "delete"})
    assert r.status_code == 400 and "Thao tác không hợp lệ" in r.content.decode()
    client.post(f"/staff/risk/inspections/{task.pk}/", {"close": "1"})
    task.refresh_from_db()
    assert task.status == "done"
    for post, url in (
        ({"text": "Thêm", "deadline": "20/03/2026"}, _url(task)),
        ({"action": "done"}, _url(task, fix)),
        ({"action": "edit", "text": "Khác", "deadline": "21/03/2026"}, _url(task, fix)),
    ):
        r = client.post(url, post)
        assert r.status_code == 400 and "Nhiệm vụ đã đóng" in r.content.decode()
    fix.refresh_from_db()
    assert (fix.text, fix.status, RequiredFix.objects.count()) == ("Mở cửa", "open", 1)


def test_fixes_are_reached_only_inside_the_area(
    client, task, ward_officer, other_ward_officer, outsider, venue
):
    fix = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "20/03/2026"})
    _staff("chair", "chairperson", HAC_THANH)
    for user, status in (("otherward", 404), ("outsider", 404), ("chair", 403)):
        client.login(username=user, password=PASSWORD)
        assert (
            client.post(_url(task), {"text": "X", "deadline": "20/03/2026"}).status_code == status
        )
        assert client.post(_url(task, fix), {"action": "done"}).status_code == status
        client.logout()
    # Another task's fix through this task's URL is not found either.
    other = _restaurant("0100047523", HAC_THANH, venue.phone)
    biz.do_self_assess(other, "bcdqg-2225-food", _failing())
    other_task = InspectionTask.objects.get(business=other)
    client.login(username="ward", password=PASSWORD)
    assert client.post(f"{_url(other_task)}{fix.pk}", {"action": "done"}).status_code == 404
    fix.refresh_from_db()
    assert fix.status == "open" and RequiredFix.objects.count() == 1
    assert not OutboxEvent.objects.filter(topic="inspection_fix.done").exists()


def test_overdue_fixes_are_counted_filtered_and_noted_once(
    client, task, ward_officer, other_ward_officer, venue, on_day
):
    late = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "17/03/2026"})
    fx.do_add_fix(task, ward_officer, {"text": "Quạt", "deadline": "30/03/2026"})
    calm = _restaurant("0100047523", HAC_THANH, venue.phone)
    biz.do_self_assess(calm, "bcdqg-2225-food", _failing())
    client.login(username="ward", password=PASSWORD)
    page = client.get("/staff/risk/inspections/").content.decode()
    assert '<span id="overdue-count">0</span>' in page
    assert fx.note_overdue() == 0

    on_day.move_to(at(DAY + timedelta(days=2), 9), tick=False)  # 18/03: the 17th has passed
    client.login(username="ward", password=PASSWORD)  # the staff session has timed out
    page = client.get("/staff/risk/inspections/").content.decode()
    assert '<span id="overdue-count">1</span>' in page
    row = page.split(f'data-tax-id="{task.business.tax_id}"')[1].split("</tr>")[0]
    assert 'data-overdue="1"' in row and ">2 / " in row  # 2 open, 1 of them overdue
    only = client.get("/staff/risk/inspections/?overdue=1").content.decode()
    assert f'data-tax-id="{task.business.tax_id}"' in only
    assert f'data-tax-id="{calm.tax_id}"' not in only
    detail = client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    assert f'id="fix-{late.pk}" data-status="overdue"' in detail
    with translation.override("en"):
        cards = {str(c["title"]): c["value"] for c in dashboard_context(ward_officer)["cards"]}
    assert cards["Overdue fixes"] == 1

    assert fx.note_overdue() == 1
    assert fx.note_overdue() == 0  # once per fix
    event = OutboxEvent.objects.get(topic="inspection_fix.overdue")
    assert event.payload == {"fix_id": late.pk, "task_id": task.pk, "ward_code": HAC_THANH}
    fx.do_edit_fix(late, ward_officer, {"text": "Mở cửa", "deadline": "19/03/2026"})
    on_day.move_to(at(DAY + timedelta(days=4), 9), tick=False)
    assert fx.note_overdue() == 1  # a new deadline missed again is noted again

    # Closing the task ends its fixes: no longer counted, nor chased.
    on_day.move_to(at(DAY + timedelta(days=6), 9), tick=False)  # the 30th's fix is still ahead
    fx.do_edit_fix(late, ward_officer, {"text": "Mở cửa", "deadline": "19/03/2026"})
    client.login(username="ward", password=PASSWORD)
    client.post(f"/staff/risk/inspections/{task.pk}/", {"close": "1"})
    page = client.get("/staff/risk/inspections/").content.decode()
    assert '<span id="overdue-count">0</span>' in page
    assert fx.note_overdue() == 0
    detail = client.get(f"/staff/risk/inspections/{task.pk}/").content.decode()
    assert f'id="fix-{late.pk}" data-status="open"' in detail
    with translation.override("en"):
        cards = {str(c["title"]): c["value"] for c in dashboard_context(ward_officer)["cards"]}
    assert cards["Overdue fixes"] == 0

    client.logout()
    client.login(username="otherward", password=PASSWORD)
    page = client.get("/staff/risk/inspections/?overdue=1").content.decode()
    assert "Mở cửa" not in page and task.business.tax_id not in page


def test_the_business_sees_its_open_fixes_and_deadlines(client, task, ward_officer, on_day):
    fx.do_add_fix(task, ward_officer, {"text": "Mở cửa sổ khu bếp", "deadline": "17/03/2026"})
    fx.do_add_fix(task, ward_officer, {"text": "Lắp quạt hút", "deadline": "30/03/2026"})
    done = fx.do_add_fix(task, ward_officer, {"text": "Dán biển QR", "deadline": "18/03/2026"})
    fx.do_set_fix_done(done, ward_officer, True)
    on_day.move_to(at(DAY + timedelta(days=2), 9), tick=False)
    session = client.session
    session["risk_business"] = task.business_id
    session.save()
    page = client.get("/doanh-nghiep/danh-gia").content.decode()
    section = page.split('id="required-fixes"')[1].split("</section>")[0]
    assert section.index("Mở cửa sổ khu bếp") < section.index("Lắp quạt hút")
    assert "17/03/2026" in section and "30/03/2026" in section
    assert section.count('data-overdue="1"') == 1 and "quá hạn" in section
    assert "Dán biển QR" not in section
    assert ward_officer.username not in page  # no officer named to the business
    # Another business signed in sees none of them.
    other = _restaurant("0100047523", QUANG_PHU, task.business.contact_phone)
    session = client.session
    session["risk_business"] = other.pk
    session.save()
    assert 'id="required-fixes"' not in client.get("/doanh-nghiep/danh-gia").content.decode()


def test_a_fix_is_not_added_edited_or_done_on_a_task_closed_since_the_page_opened(
    task, ward_officer
):
    fix = fx.do_add_fix(task, ward_officer, {"text": "Mở cửa", "deadline": "20/03/2026"})
    page_copy = InspectionTask.objects.get(pk=task.pk)  # what the officer's page loaded
    fix_copy = RequiredFix.objects.select_related("task").get(pk=fix.pk)
    InspectionTask.objects.filter(pk=task.pk).update(status="done")  # another officer closed it
    for act in (
        lambda: fx.do_add_fix(page_copy, ward_officer, {"text": "Thêm", "deadline": "20/03/2026"}),
        lambda: fx.do_edit_fix(fix_copy, ward_officer, {"text": "Khác", "deadline": "21/03/2026"}),
        lambda: fx.do_set_fix_done(fix_copy, ward_officer, True),
    ):
        with pytest.raises(InputErrors) as caught:
            act()
        assert caught.value.errors[0].code == "inspection_closed"
    fix.refresh_from_db()
    assert (fix.text, fix.status, RequiredFix.objects.count()) == ("Mở cửa", "open", 1)
