"""Two writers of the same inspection task, business or ward at once (docs/reference/risk.md §7,
§9): an officer's upload (seconds of photo re-encoding) while another officer closes the task or
the business re-assesses, a double submit of the public self-assessment form, an officer's
proposal while the weekly job proposes. None fails with a 500, duplicates a row or undoes the
other's change."""

from __future__ import annotations

import pytest

from phongdich.lib.errors import InputErrors
from phongdich.risk import actions, inspections
from phongdich.risk import business as biz
from phongdich.risk.inspections import MAX_PHOTOS, access_inspection, do_update_inspection
from phongdich.risk.models import Assessment, Business, InspectionTask, SelfAssessment
from tests.conftest import HAC_THANH, QUANG_PHU
from tests.meanwhile import Meanwhile
from tests.risk.conftest import TODAY, covered_ward
from tests.risk.test_inspections import _answers, _picture

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media")]

FOOD = "bcdqg-2225-food"


@pytest.fixture
def task(restaurant):
    biz.do_self_assess(restaurant, FOOD, _answers(ventilation=1))
    return InspectionTask.objects.get()


def _close(task_pk: int, officer) -> None:
    fresh = InspectionTask.objects.get(pk=task_pk)
    do_update_inspection(fresh, officer, {"findings": "Đã khắc phục", "close": "1"}, set(), [])


@pytest.mark.parametrize("reopened", [False, True], ids=["closed", "closed-and-new-task"])
def test_an_upload_does_not_reopen_a_task_another_officer_closed_meanwhile(
    task, restaurant, ward_officer, province_officer, monkeypatch, reopened
):
    def other_officer_closes():  # while the upload is re-encoded
        _close(task.pk, province_officer)
        if reopened:  # and the business fails again: a new open task
            biz.do_self_assess(Business.objects.get(pk=restaurant.pk), FOOD, _answers(masks=1))

    meanwhile = Meanwhile(monkeypatch, inspections, "clean_photo", other_officer_closes)
    loaded = access_inspection(ward_officer, task.pk)  # as the view loads it, unlocked
    with pytest.raises(InputErrors) as exc:
        do_update_inspection(
            loaded, ward_officer, {"findings": "Cửa đóng"}, {"masks"}, [_picture()]
        )
    assert meanwhile.join() == []
    assert [e.code for e in exc.value.errors] == ["inspection_closed"]
    assert "Nhiệm vụ đã đóng" in exc.value.errors[0].message_vi
    closed = InspectionTask.objects.get(pk=task.pk)
    assert (closed.status, closed.closed_by, closed.findings) == (
        "done",
        province_officer,
        "Đã khắc phục",
    )
    assert not closed.photos.exists()
    assert InspectionTask.objects.filter(status="open").count() == (1 if reopened else 0)


def test_an_upload_keeps_the_assessment_a_re_assessment_set_meanwhile(
    task, restaurant, ward_officer, monkeypatch
):
    def business_re_assesses():
        biz.do_self_assess(Business.objects.get(pk=restaurant.pk), FOOD, _answers(masks=1))

    meanwhile = Meanwhile(monkeypatch, inspections, "clean_photo", business_re_assesses)
    loaded = access_inspection(ward_officer, task.pk)
    do_update_inspection(
        loaded, ward_officer, {"findings": "Cửa đóng"}, {"ventilation"}, [_picture()]
    )
    assert meanwhile.join() == []
    saved = InspectionTask.objects.get(pk=task.pk)
    assert saved.assessment_id == SelfAssessment.objects.latest("pk").pk != task.assessment_id
    assert (saved.status, saved.findings, saved.photos.count()) == ("open", "Cửa đóng", 1)
    assert saved.checklist == [{"item": "ventilation", "done": True}]


def test_a_double_submit_of_a_failing_self_assessment_opens_one_task(restaurant, monkeypatch):
    def second_submit():
        biz.do_self_assess(Business.objects.get(pk=restaurant.pk), FOOD, _answers(ventilation=1))

    # Held just before the first submit opens its task (the second finds none either).
    meanwhile = Meanwhile(monkeypatch, InspectionTask.objects, "create", second_submit)
    biz.do_self_assess(restaurant, FOOD, _answers(ventilation=1))
    assert meanwhile.join() == []
    assert SelfAssessment.objects.filter(business=restaurant).count() == 2
    task = InspectionTask.objects.get()  # one, open, on the newest assessment
    assert task.status == "open"
    assert task.assessment_id == SelfAssessment.objects.latest("pk").pk


def test_an_officer_proposal_while_the_weekly_job_proposes_leaves_one_proposal_per_ward(
    ward_officer, monkeypatch
):
    covered_ward(HAC_THANH)
    covered_ward(QUANG_PHU)
    actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)  # last week's, pending

    def weekly_job():  # both wards, in the other order
        actions.do_propose_levels([QUANG_PHU, HAC_THANH], TODAY)

    # Held after the officer's run replaced the pending proposal, before it inserts its own.
    meanwhile = Meanwhile(monkeypatch, Assessment.objects, "bulk_create", weekly_job)
    actions.do_propose_levels([HAC_THANH], TODAY, actor=ward_officer)
    assert meanwhile.join() == []
    proposed = Assessment.objects.filter(status="proposed")
    assert sorted(proposed.values_list("ward_id", flat=True)) == sorted([HAC_THANH, QUANG_PHU])
    # The job ran last (it waited for the officer's run): its rows are the pending ones.
    assert set(proposed.values_list("proposed_by", flat=True)) == {None}


def test_two_uploads_at_once_do_not_pass_the_photo_limit(task, ward_officer, monkeypatch):
    do_update_inspection(task, ward_officer, {}, set(), [_picture()] * (MAX_PHOTOS - 1))

    def other_officer_uploads():  # the last photo allowed, while ours is re-encoded
        do_update_inspection(
            InspectionTask.objects.get(pk=task.pk), ward_officer, {}, set(), [_picture()]
        )

    meanwhile = Meanwhile(monkeypatch, inspections, "clean_photo", other_officer_uploads)
    with pytest.raises(InputErrors) as exc:
        do_update_inspection(
            access_inspection(ward_officer, task.pk), ward_officer, {}, set(), [_picture()]
        )
    assert meanwhile.join() == []
    assert [e.code for e in exc.value.errors] == ["too_many_photos"]
    assert task.photos.count() == MAX_PHOTOS
