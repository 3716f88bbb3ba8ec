"""The ward's on-call roster for home care: who gets an alert that the clinician did not
acknowledge in time (``alerts.escalate``).

Anyone of the ward's health staff (a ward officer or a clinician of the ward, or a clinician of
the province) can be put on a shift; the ward's officers and the province's officers edit the roster of wards in their area,
clinicians read it. When nobody is on call, escalation falls back to the ward's officers, then
to the province's (since July 2025 there is no district level between ward and province).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward, require_role
from phongdich.accounts.models import Role, User
from phongdich.care.forms import parse_date
from phongdich.care.models import OnCallShift
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import VN_TZ
from phongdich.places.models import Ward

EDIT_ROLES = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)
READ_ROLES = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER, Role.CLINICIAN)
ON_CALL_ROLES = (Role.WARD_OFFICER, Role.CLINICIAN)
MAX_REPEAT_DAYS = 31
SHOWN_DAYS = 14


def access_roster_ward(user: Any, ward_code: Any, *, edit: bool = False) -> Ward:
    """The ward whose roster ``user`` may read (or edit); 404 outside their area."""
    require_role(user, *(EDIT_ROLES if edit else READ_ROLES))
    ward = Ward.objects.filter(pk=ward_code if str(ward_code).isdigit() else -1).first()
    if ward is None or not can_see_ward(user, ward):
        raise Http404
    return ward


def access_shift(user: Any, shift_id: int) -> OnCallShift:
    shift = OnCallShift.objects.select_related("ward").filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    access_roster_ward(user, shift.ward_id, edit=True)
    return shift


def staff_of(ward: Ward) -> QuerySet[User]:
    """Who may be on call for ``ward``: its own active officers and clinicians, and the
    province's clinicians (who may also be a patient's clinician there)."""
    return User.objects.filter(
        Q(ward_id=ward.pk)
        | Q(ward__isnull=True, province_id=ward.province_id, role=Role.CLINICIAN),
        role__in=ON_CALL_ROLES,
        is_active=True,
    ).order_by("last_name", "first_name", "username")


def on_call(ward_id: int, at: datetime) -> list[User]:
    """Who is on call for the ward at ``at`` (active accounts only)."""
    return [
        shift.officer
        for shift in OnCallShift.objects.filter(
            ward_id=ward_id, ends_at__gt=at, starts_at__lte=at, officer__is_active=True
        )
        .select_related("officer")
        .order_by("starts_at", "pk")
    ]


def escalation_recipients(ward_id: int, at: datetime) -> tuple[str, list[User]]:
    """(level, people) for an alert nobody acknowledged: the ward's on-call officers; when
    nobody is on call, the ward's officers; when the ward has none, the province's officers."""
    people = on_call(ward_id, at)
    if people:
        return "on_call", people
    people = list(
        User.objects.filter(role=Role.WARD_OFFICER, ward_id=ward_id, is_active=True).order_by("pk")
    )
    if people:
        return "ward", people
    province = Ward.objects.filter(pk=ward_id).values_list("province_id", flat=True).first()
    return "province", list(
        User.objects.filter(
            role=Role.PROVINCE_OFFICER, province_id=province, ward__isnull=True, is_active=True
        ).order_by("pk")
    )


def upcoming(ward: Ward, now: datetime, days: int = SHOWN_DAYS) -> list[OnCallShift]:
    """Shifts not yet ended that start within ``days``: the roster page."""
    return list(
        OnCallShift.objects.filter(
            ward=ward, ends_at__gt=now, starts_at__lt=now + timedelta(days=days)
        )
        .select_related("officer")
        .order_by("starts_at", "pk")
    )


def _time(raw: Any, name: str, errors: list[FieldError]) -> time | None:
    text = str(raw or "").strip()
    try:
        return time.fromisoformat(text) if text else None
    except ValueError:
        pass
    errors.append(
        FieldError(name, "not_time", "Giờ không hợp lệ (HH:MM).", "Not a valid time (HH:MM).")
    )
    return None


@dataclass(frozen=True)
class ShiftInput:
    officer: User
    starts: list[datetime]
    length: timedelta


def _parse(ward: Ward, data: Any, now: datetime) -> ShiftInput:
    errors: list[FieldError] = []
    raw = str(data.get("officer") or "")
    officer = staff_of(ward).filter(pk=raw if raw.isdigit() else -1).first()
    if officer is None:
        errors.append(
            FieldError(
                "officer",
                "not_ward_staff",
                "Hãy chọn một cán bộ hoặc bác sĩ của phường/xã này.",
                "Choose an officer or clinician of this ward.",
            )
        )
    day = parse_date(data.get("date"), "date", errors)
    start = _time(data.get("start"), "start", errors)
    end = _time(data.get("end"), "end", errors)
    for name, value in (("start", start), ("end", end)):
        if value is None and not any(e.field == name for e in errors):
            errors.append(FieldError(name, "required", "Bắt buộc nhập.", "Required."))
    repeat_raw = str(data.get("repeat_days") or "1").strip()
    repeat = int(repeat_raw) if repeat_raw.isdigit() else 0
    if not 1 <= repeat <= MAX_REPEAT_DAYS:
        errors.append(
            FieldError(
                "repeat_days",
                "out_of_range",
                f"Số ngày lặp lại phải từ 1 đến {MAX_REPEAT_DAYS}.",
                f"Repeat for 1 to {MAX_REPEAT_DAYS} days.",
            )
        )
    if errors:
        raise InputErrors(errors)
    first = datetime.combine(day, start, tzinfo=VN_TZ)
    # An end at or before the start crosses midnight (a night shift 18:00–07:00).
    length = datetime.combine(day, end, tzinfo=VN_TZ) - first
    if length <= timedelta(0):
        length += timedelta(days=1)
    starts = [first + timedelta(days=i) for i in range(repeat)]
    if first + length <= now:
        raise InputErrors.one(
            "date", "in_past", "Ca trực này đã kết thúc.", "This shift has already ended."
        )
    return ShiftInput(officer, starts, length)


def do_add_shifts(ward: Ward, data: Any, *, actor: Any, request: Any = None) -> list[OnCallShift]:
    """Put someone of the ward on call for a shift, repeated on following days if asked. A
    shift overlapping one the same person already has in this ward is refused; the same form
    sent twice adds nothing the second time."""
    now = timezone.now()
    parsed = _parse(ward, data, now)
    with transaction.atomic():
        # One writer per person at a time, so two forms cannot both pass the overlap check.
        User.objects.select_for_update().filter(pk=parsed.officer.pk).first()
        created = []
        for start in parsed.starts:
            end = start + parsed.length
            if end <= now:
                continue
            same = OnCallShift.objects.filter(
                ward=ward, officer=parsed.officer, starts_at=start, ends_at=end
            ).first()
            if same is not None:
                created.append(same)
                continue
            clash = OnCallShift.objects.filter(
                ward=ward, officer=parsed.officer, starts_at__lt=end, ends_at__gt=start
            ).first()
            if clash is not None:
                raise InputErrors.one(
                    "start",
                    "overlaps",
                    f"Người này đã có ca trực trùng giờ ({_when(clash.starts_at)}).",
                    f"This person already has an overlapping shift ({_when(clash.starts_at)}).",
                )
            try:
                with transaction.atomic():
                    shift = OnCallShift.objects.create(
                        ward=ward,
                        officer=parsed.officer,
                        starts_at=start,
                        ends_at=end,
                        created_by=actor if getattr(actor, "pk", None) else None,
                    )
            except IntegrityError:  # the same shift sent at the same moment
                shift = OnCallShift.objects.get(ward=ward, officer=parsed.officer, starts_at=start)
            created.append(shift)
        audit.record(
            "care.on_call.add",
            actor=actor,
            request=request,
            object_type="care.oncallshift",
            object_id=",".join(str(s.pk) for s in created)[:200],
            ward=ward,
            detail={"officer": parsed.officer.pk, "shifts": len(created)},
        )
    return created


def do_remove_shift(shift: OnCallShift, *, actor: Any, request: Any = None) -> None:
    with transaction.atomic():
        deleted, _ = OnCallShift.objects.filter(pk=shift.pk).delete()
        if deleted:
            audit.record(
                "care.on_call.remove",
                actor=actor,
                request=request,
                object_type="care.oncallshift",
                object_id=shift.pk,
                ward=shift.ward,
                detail={"officer": shift.officer_id},
            )


def _when(moment: datetime) -> str:
    return moment.astimezone(VN_TZ).strftime("%d/%m %H:%M")


def default_day(now: datetime) -> date:
    return now.astimezone(VN_TZ).date()
