"""A database of the previous release (required fixes as one text and one deadline per task)
upgrades to one fix row per non-empty line, each with the old deadline; a task without a deadline
gets its creation day and a note; the fixes of a closed task are recorded done when it closed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import HAC_THANH

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS = [("risk", "0002_inspection_photos")]


def test_free_text_fixes_become_rows_with_the_old_deadline(ward_officer):
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS)
    executor.loader.build_graph()
    old = executor.loader.project_state(PREVIOUS[0]).apps
    Business = old.get_model("risk", "Business")
    SelfAssessment = old.get_model("risk", "SelfAssessment")
    Task = old.get_model("risk", "InspectionTask")
    created = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)  # 2 March in Vietnam
    closed_at = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)
    tasks = []
    for n, (fixes, deadline, status) in enumerate(
        [
            ("Mở cửa sổ\n\n  Lắp quạt hút  \r\nDán mã QR\n", date(2026, 3, 20), "open"),
            ("Giãn bàn", None, "open"),
            ("Rửa tay\nĐeo khẩu trang", date(2026, 3, 10), "done"),
            ("", None, "open"),
        ]
    ):
        business = Business.objects.create(
            tax_id=f"010004751{n}",
            name=f"Cơ sở {n}",
            kind="restaurant",
            ward_id=HAC_THANH,
            contact_phone="0912345678",
        )
        assessment = SelfAssessment.objects.create(
            business=business,
            questionnaire_id="bcdqg-2225-food",
            questionnaire_version=1,
            answers={},
            result={},
            created_at=created,
        )
        tasks.append(
            Task.objects.create(
                business=business,
                ward_id=HAC_THANH,
                assessment=assessment,
                reason="band",
                status=status,
                fixes=fixes,
                fix_deadline=deadline,
                created_at=created,
                closed_at=closed_at if status == "done" else None,
                closed_by_id=ward_officer.pk if status == "done" else None,
            )
        )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from phongdich.risk.models import InspectionTask, RequiredFix

    assert not hasattr(InspectionTask, "fix_deadline")
    rows = list(
        RequiredFix.objects.order_by("pk").values_list(
            "task_id", "text", "deadline", "status", "done_by_id"
        )
    )
    first, second, third, fourth = (t.pk for t in tasks)
    assert rows == [
        (first, "Mở cửa sổ", date(2026, 3, 20), "open", None),
        (first, "Lắp quạt hút", date(2026, 3, 20), "open", None),
        (first, "Dán mã QR", date(2026, 3, 20), "open", None),
        (second, "Giãn bàn", date(2026, 3, 2), "open", None),
        (third, "Rửa tay", date(2026, 3, 10), "done", ward_officer.pk),
        (third, "Đeo khẩu trang", date(2026, 3, 10), "done", ward_officer.pk),
    ]
    assert not RequiredFix.objects.filter(task_id=fourth).exists()
    assert "No deadline" in RequiredFix.objects.get(task_id=second).note
    assert RequiredFix.objects.filter(task_id=third, done_at=closed_at).count() == 2
    assert RequiredFix.objects.get(text="Mở cửa sổ").note == ""
