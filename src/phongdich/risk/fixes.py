"""Required fixes of an inspection (docs/reference/risk.md §9): each fix the ward officer requires
of the business has its own deadline and is marked done (or reopened) one by one.

"Overdue" is derived, never stored: an open fix whose deadline (a local date) has passed, of a task
that is still open (closing a task ends its fixes: they stay recorded, nobody is chased for them,
and a closed task takes no changes). Deadlines
are written ``dd/mm/yyyy`` (a browser's date field sends ``yyyy-mm-dd``; both are read). Every
field is checked before anything is written; a refused request changes nothing. Events carry ids
only (``inspection_fix.done``, ``inspection_fix.overdue``): no text, no names, no phone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from phongdich.core import events
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import format_vn_date, local_date, parse_vn_date
from phongdich.risk.inspections import access_inspection
from phongdich.risk.models import FixStatus, InspectionTask, RequiredFix, overdue_q

MAX_FIX_CHARS = 500
MAX_FIXES = 30  # per task
MAX_DAYS_AHEAD = 366  # a deadline years away is a typo (2062 for 2026)


def today() -> date:
    return local_date(timezone.now())


def access_fix(user: Any, task_pk: int, fix_pk: int) -> RequiredFix:
    """One fix of a task inside the user's area, or 404."""
    task = access_inspection(user, task_pk)
    fix = RequiredFix.objects.filter(task=task, pk=fix_pk).select_related("task").first()
    if fix is None:
        raise Http404
    return fix


def fixes_of(task: InspectionTask) -> list[RequiredFix]:
    """The task's fixes, open ones first, each by deadline; ``overdue`` set for display (never
    on a closed task: its fixes ended with it)."""
    day = today()
    fixes = sorted(
        task.required_fixes.order_by("deadline", "pk"), key=lambda f: f.status != FixStatus.OPEN
    )
    for fix in fixes:
        fix.overdue = task.status == "open" and fix.is_overdue(day)
    return fixes


def with_fix_counts(tasks, day: date | None = None):
    """Tasks annotated with ``fixes_open`` and ``fixes_overdue``."""
    day = day or today()
    return tasks.annotate(
        fixes_open=Count("required_fixes", filter=Q(required_fixes__status=FixStatus.OPEN)),
        fixes_overdue=Count(
            "required_fixes", filter=overdue_q(day, "required_fixes__") & Q(status="open")
        ),
    )


def open_fixes_for_business(business_id: int) -> list[RequiredFix]:
    """What the business still has to fix, by deadline (shown on its self-assessment page)."""
    day = today()
    out = list(
        RequiredFix.objects.filter(
            task__business_id=business_id, task__status="open", status=FixStatus.OPEN
        ).order_by("deadline", "pk")
    )
    for fix in out:
        fix.overdue = fix.is_overdue(day)
    return out


def _locked_task_errors(task: InspectionTask) -> list[FieldError]:
    """Lock the task's row and say if it is closed: read on the locked row, not on the copy the
    page loaded, since another officer may have closed it meanwhile (call inside a transaction)."""
    locked = InspectionTask.objects.select_for_update().filter(pk=task.pk).first()
    return _open_task(locked or task)


def _open_task(task: InspectionTask) -> list[FieldError]:
    if task.status != "open":
        return [
            FieldError("status", "inspection_closed", "Nhiệm vụ đã đóng.", "The task is closed.")
        ]
    return []


def _check(data: dict[str, Any], *, keep: date | None = None) -> tuple[list[FieldError], dict]:
    """Errors in text, deadline and note, and the cleaned values. ``keep``: the fix's current
    deadline, which may stay even once it has passed (only a new date must not be past)."""
    errors: list[FieldError] = []
    text = str(data.get("text", "")).strip()
    note = str(data.get("note", "")).strip()
    if not text:
        errors.append(
            FieldError("text", "required", "Hãy ghi việc cần khắc phục.", "Write the fix required.")
        )
    elif len(text) > MAX_FIX_CHARS:
        errors.append(
            FieldError("text", "too_long", "Việc cần khắc phục: tối đa 500 ký tự.",
                       "Required fix: 500 characters at most.")
        )  # fmt: skip
    if len(note) > MAX_FIX_CHARS:
        errors.append(
            FieldError("note", "too_long", "Ghi chú: tối đa 500 ký tự.",
                       "Note: 500 characters at most.")
        )  # fmt: skip
    raw = str(data.get("deadline", "")).strip()
    deadline = parse_vn_date(raw)
    day = today()
    if not raw:
        errors.append(
            FieldError("deadline", "required", "Hạn khắc phục: bắt buộc nhập.",
                       "Fix-by date: required.")
        )  # fmt: skip
    elif deadline is None:
        errors.append(
            FieldError("deadline", "invalid_date",
                       "Hạn khắc phục không phải ngày hợp lệ (ngày/tháng/năm, ví dụ 31/12/2026).",
                       "The fix-by date is not a valid date (day/month/year, e.g. 31/12/2026).")
        )  # fmt: skip
    elif deadline != keep and deadline < day:
        errors.append(
            FieldError("deadline", "date_past", "Hạn khắc phục đã qua.",
                       "The fix-by date has passed.")
        )  # fmt: skip
    elif deadline > (latest := day + timedelta(days=MAX_DAYS_AHEAD)):
        errors.append(
            FieldError("deadline", "date_too_far",
                       f"Hạn khắc phục quá xa (muộn nhất {format_vn_date(latest)}).",
                       f"The fix-by date is too far ahead (at the latest {format_vn_date(latest)}).")
        )  # fmt: skip
    return errors, {"text": text, "deadline": deadline, "note": note}


def do_add_fix(task: InspectionTask, actor: Any, data: dict[str, Any]) -> RequiredFix:
    """Require one more fix of the business, with its deadline."""
    errors, values = _check(data)
    with transaction.atomic():
        # The task row is locked so that two officers adding at once respect MAX_FIXES.
        errors = _locked_task_errors(task) + errors
        if RequiredFix.objects.filter(task=task).count() >= MAX_FIXES:
            errors.append(
                FieldError("text", "too_many_fixes",
                           f"Tối đa {MAX_FIXES} việc cần khắc phục cho một lần kiểm tra.",
                           f"{MAX_FIXES} required fixes per inspection at most.")
            )  # fmt: skip
        if errors:
            raise InputErrors(errors)
        return RequiredFix.objects.create(
            task=task, created_by=actor, created_at=timezone.now(), **values
        )


def do_edit_fix(fix: RequiredFix, actor: Any, data: dict[str, Any]) -> RequiredFix:
    """Change a fix's text, deadline or note (its current deadline may stay, even if passed)."""
    errors, values = _check(data, keep=fix.deadline)
    with transaction.atomic():
        errors = _locked_task_errors(fix.task) + errors
        if errors:
            raise InputErrors(errors)
        if values["deadline"] != fix.deadline:
            fix.overdue_noted_at = None  # a new deadline can be missed again
        fix.text, fix.deadline, fix.note = values["text"], values["deadline"], values["note"]
        fix.save(update_fields=["text", "deadline", "note", "overdue_noted_at"])
    return fix


def do_set_fix_done(fix: RequiredFix, actor: Any, done: bool, note: str = "") -> RequiredFix:
    """Mark a fix done (who and when are kept) or open again. Marking it done emits
    ``inspection_fix.done`` with ids only. Repeating a request changes nothing more."""
    errors = []
    note = str(note or "").strip()
    if len(note) > MAX_FIX_CHARS:
        errors.append(
            FieldError("note", "too_long", "Ghi chú: tối đa 500 ký tự.",
                       "Note: 500 characters at most.")
        )  # fmt: skip
    wanted = FixStatus.DONE if done else FixStatus.OPEN
    with transaction.atomic():
        errors = _locked_task_errors(fix.task) + errors
        if errors:
            raise InputErrors(errors)
        changed = RequiredFix.objects.filter(pk=fix.pk).exclude(status=wanted)
        now = timezone.now()
        updated = changed.update(
            status=wanted,
            done_at=now if done else None,
            done_by=actor if done else None,
            **({"note": note} if note else {}),
        )
        if updated and done:
            events.emit(
                "inspection_fix.done",
                fix_id=fix.pk,
                task_id=fix.task_id,
                ward_code=fix.task.ward_id,
            )
        fix.refresh_from_db()
    return fix


def note_overdue(day: date | None = None) -> int:
    """Emit ``inspection_fix.overdue`` (ids only) once for each open fix past its deadline."""
    day = day or today()
    count = 0
    due = RequiredFix.objects.filter(
        overdue_q(day), task__status="open", overdue_noted_at__isnull=True
    )
    for pk in due.order_by("pk").values_list("pk", flat=True)[:5000]:
        with transaction.atomic():
            fix = (
                RequiredFix.objects.select_for_update()
                .filter(overdue_q(day), pk=pk, task__status="open", overdue_noted_at__isnull=True)
                .select_related("task")
                .first()
            )
            if fix is None:  # done, moved or noted meanwhile
                continue
            fix.overdue_noted_at = timezone.now()
            fix.save(update_fields=["overdue_noted_at"])
            events.emit(
                "inspection_fix.overdue",
                fix_id=fix.pk,
                task_id=fix.task_id,
                ward_code=fix.task.ward_id,
            )
            count += 1
    return count
