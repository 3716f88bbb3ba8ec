"""Writes of the ward risk levels: treatment capacity, proposals, approval (docs/reference/risk.md).

Officers (or the weekly job) propose levels computed from the platform's data; the chairperson
of the People's Committee approves them; only approved levels are published. An approved level
that differs from the ward's previous one emits ``risk_level.changed``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward, require_role
from phongdich.accounts.models import Role
from phongdich.core import events
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.places.models import Ward
from phongdich.risk.compute import evaluate_all
from phongdich.risk.errors import RiskInputError
from phongdich.risk.models import Assessment, AssessmentStatus, WardCapacity

PROPOSERS = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)
APPROVERS = (Role.CHAIRPERSON,)
PUBLISHED_VERSION_KEY = "risk:published:version"


def bump_published() -> None:
    """Published levels changed: cached public answers of this process are stale."""
    try:
        cache.incr(PUBLISHED_VERSION_KEY)
    except ValueError:
        cache.set(PUBLISHED_VERSION_KEY, 1, None)


def do_set_capacity(
    ward: Ward,
    *,
    beds: Any,
    beds_in_use: Any,
    icu_beds: Any,
    oxygen_points: Any,
    actor: Any,
    request: Any = None,
) -> WardCapacity:
    """Enter a ward's treatment capacity (beds, beds in use, ICU beds, oxygen points)."""
    require_role(actor, *PROPOSERS)
    if not can_see_ward(actor, ward):
        raise Http404
    values = {
        "beds": beds,
        "beds_in_use": beds_in_use,
        "icu_beds": icu_beds,
        "oxygen_points": oxygen_points,
    }
    errors: list[FieldError] = []
    clean: dict[str, int] = {}
    for name, raw in values.items():
        try:
            clean[name] = int(str(raw).strip())
            if clean[name] < 0 or clean[name] > 1_000_000:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(
                FieldError(
                    name,
                    "invalid_number",
                    f"{name}: cần một số nguyên từ 0 đến 1.000.000.",
                    f"{name} must be a whole number from 0 to 1,000,000.",
                )
            )
    if not errors and clean["beds_in_use"] > clean["beds"]:
        errors.append(
            FieldError(
                "beds_in_use",
                "in_use_exceeds_beds",
                "Số giường đang dùng không được lớn hơn tổng số giường.",
                "Beds in use cannot exceed the beds.",
            )
        )
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        row, _ = WardCapacity.objects.update_or_create(
            ward=ward, defaults={**clean, "updated_by": actor}
        )
        audit.record("set_capacity", actor=actor, request=request, obj=row, ward=ward, detail=clean)
    return row


def do_propose_levels(
    ward_codes: list[int], on: date, *, actor: Any = None, request: Any = None
) -> list[Assessment]:
    """Compute and store the proposed level of each ward (one pending proposal per ward: a new
    computation replaces it). ``actor`` None is the weekly job."""
    if actor is not None:
        require_role(actor, *PROPOSERS)
        if any(not can_see_ward(actor, w) for w in Ward.objects.filter(code__in=ward_codes)):
            raise Http404
    try:
        rule_set, results = evaluate_all(ward_codes, on)
    except RiskInputError as exc:
        raise InputErrors.one(exc.field or "on", exc.code, exc.message_vi, exc.message_en) from exc
    now = timezone.now()
    rows = [
        Assessment(
            ward_id=facts.ward_code,
            assessed_on=on,
            computed_at=now,
            rule_set_id=rule_set.id,
            rule_set_version=rule_set.version,
            level=result.level,
            computed_level=result.computed_level,
            held_by_capacity=result.held_by_treatment_capacity,
            previous_level=facts.previous_level,
            inputs=facts.as_dict(),
            criteria={k: c.as_dict() for k, c in result.criteria.items()},
            unconfirmed=list(result.unconfirmed),
            proposed_by=actor,
        )
        for facts, result in results
    ]
    with transaction.atomic():
        codes = [r.ward_id for r in rows]
        # Two runs over the same wards (a double submit, an officer and the weekly job) take
        # turns: otherwise each deletes the pending proposals, neither sees the other's new rows,
        # and assessment_one_proposal refuses the second insert (a 500). The wards are locked in
        # one statement, in code order (no deadlock between overlapping runs); NO KEY UPDATE
        # leaves rows that refer to a ward (people, cases, visits) free to be written meanwhile.
        list(
            Ward.objects.select_for_update(no_key=True)
            .filter(code__in=codes)
            .order_by("code")
            .values_list("code", flat=True)
        )
        Assessment.objects.filter(ward__in=codes, status=AssessmentStatus.PROPOSED).delete()
        Assessment.objects.bulk_create(rows, batch_size=500)
        audit.record(
            "propose_levels",
            actor=actor,
            request=request,
            object_type="risk.assessment",
            detail={"on": on.isoformat(), "wards": len(rows), "rule_set": rule_set.id},
        )
    return rows


def do_decide(
    assessment_ids: list[int], *, approve: bool, actor: Any, note: str = "", request: Any = None
) -> list[Assessment]:
    """Approve (publish) or reject proposals; only a chairperson (or an administrator) in whose
    area the wards lie may. Approving an older proposal never hides a newer approved level."""
    require_role(actor, *APPROVERS)
    if not assessment_ids:
        raise InputErrors.one(
            "assessments",
            "nothing_selected",
            "Chưa chọn đề xuất nào.",
            "No proposal selected.",
        )
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Assessment.objects.select_for_update()
            .select_related("ward")
            .filter(pk__in=assessment_ids)
            .order_by("pk")
        )
        if len(rows) != len(set(assessment_ids)) or any(
            not can_see_ward(actor, r.ward) for r in rows
        ):
            raise Http404
        if any(r.status != AssessmentStatus.PROPOSED for r in rows):
            raise InputErrors.one(
                "assessments",
                "already_decided",
                "Đề xuất này đã được quyết định.",
                "This proposal has already been decided.",
            )
        for row in rows:
            previous = (
                Assessment.objects.filter(ward=row.ward, status=AssessmentStatus.APPROVED)
                .order_by("-assessed_on", "-decided_at", "-pk")
                .values_list("level", "assessed_on")
                .first()
            )
            row.status = AssessmentStatus.APPROVED if approve else AssessmentStatus.REJECTED
            row.decided_by, row.decided_at, row.note = actor, now, note[:300]
            row.save(update_fields=["status", "decided_by", "decided_at", "note"])
            newer_exists = previous is not None and previous[1] > row.assessed_on
            if approve and not newer_exists and (previous is None or previous[0] != row.level):
                events.emit(
                    "risk_level.changed",
                    ward_code=row.ward_id,
                    assessment_id=row.pk,
                    level=row.level,
                    previous_level=None if previous is None else previous[0],
                )
        audit.record(
            "approve_levels" if approve else "reject_levels",
            actor=actor,
            request=request,
            object_type="risk.assessment",
            object_id=",".join(str(r.pk) for r in rows)[:64],
            detail={"count": len(rows)},
        )
        if approve:
            # Now (this process) and after commit (a reader may cache old rows meanwhile).
            bump_published()
            transaction.on_commit(bump_published)
    return rows
