"""Reads of home care, scoped to the caller's area (404 outside it): the patient list, the
"needs action today" list, the day grid and the series the charts draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, require_role
from phongdich.accounts.models import Role
from phongdich.care import timing
from phongdich.care.models import Alert, AlertStatus, Enrolment, EnrolmentStatus, Report
from phongdich.care.rulesets import select_rule_set
from phongdich.lib.timeutil import local_date
from phongdich.tracing.models import Case, CaseStatus

CARE_ROLES = (Role.CLINICIAN, Role.WARD_OFFICER, Role.PROVINCE_OFFICER)
ENROL_ROLES = (Role.CLINICIAN, Role.WARD_OFFICER, Role.PROVINCE_OFFICER)


def enrolments_for(user: Any) -> QuerySet[Enrolment]:
    require_role(user, *CARE_ROLES)
    return Enrolment.objects.filter(area_q(user, "ward"))


def access_enrolment(user: Any, enrolment_id: int) -> Enrolment:
    enrolment = (
        enrolments_for(user)
        .select_related("person", "ward", "clinician", "case")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def access_alert(user: Any, alert_id: int) -> Alert:
    alert = (
        Alert.objects.filter(enrolment__in=enrolments_for(user), pk=alert_id)
        .select_related("enrolment")
        .first()
    )
    if alert is None:
        raise Http404
    return alert


def access_case_to_enrol(user: Any, case_id: int) -> Case:
    require_role(user, *ENROL_ROLES)
    case = (
        Case.objects.filter(area_q(user, "ward"), pk=case_id)
        .select_related("person", "ward")
        .first()
    )
    if case is None:
        raise Http404
    return case


def cases_to_assess(user: Any, limit: int = 50) -> list[Case]:
    """Open cases of the area not yet assessed for home care: the offer to enrol."""
    require_role(user, *ENROL_ROLES)
    return list(
        Case.objects.filter(area_q(user, "ward"), status=CaseStatus.OPEN, home_care__isnull=True)
        .select_related("person", "ward")
        .order_by("-confirmed_at")[:limit]
    )


@dataclass
class ActionItem:
    kind: str  # alert | missed | discharge
    enrolment: Enrolment
    alert: Alert | None = None
    day_number: int = 0


@dataclass
class ActionPage:
    """One page of the "needs action today" list and the size of each part of the whole list."""

    items: list[ActionItem]
    counts: dict[str, int]
    page: int
    per_page: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


PER_PAGE = 50


def own(user: Any, qs: QuerySet) -> QuerySet:
    """A clinician's list is their own patients; an officer's, the whole area."""
    if user.role == Role.CLINICIAN:
        return qs.filter(clinician=user)
    return qs


def open_alerts_for(user: Any) -> QuerySet[Alert]:
    """Open alerts of the caller's active patients (a clinician's own, an officer's area).
    Through the join, not "enrolment in (the clinician's patients)": SQLite answered that
    subquery by reading every enrolment of the ward."""
    require_role(user, *CARE_ROLES)
    alerts = Alert.objects.filter(
        area_q(user, "enrolment__ward"),
        status=AlertStatus.OPEN,
        enrolment__status=EnrolmentStatus.ACTIVE,
    )
    if user.role == Role.CLINICIAN:
        alerts = alerts.filter(enrolment__clinician=user)
    return alerts


def needs_action(user: Any, now: datetime, page: int = 1, per_page: int = PER_PAGE) -> ActionPage:
    """New warnings first (newest first), then missed reports (longest overdue first), then
    patients whose discharge is due by the rule set's minimum days; one page of them.

    Three counting queries (open alerts; missed reports and due discharges on the (clinician,
    status, due time / isolation start) indexes), then one query for each part the page
    overlaps: at most six whatever the number of patients. A patient with an open
    warning is listed under the warning only. The enrolments' JSON (the assessment) is left
    unread: the list never shows it. Rendering every row of a clinician with 2,000
    patients cost a second (benchmarks/care_load.py); a page costs milliseconds."""
    active = own(user, enrolments_for(user)).filter(status=EnrolmentStatus.ACTIVE)
    today = local_date(now)
    min_days = select_rule_set(today).discharge["min_days"]
    open_alerts = open_alerts_for(user)
    alerted = Alert.objects.filter(status=AlertStatus.OPEN).values("enrolment_id")
    missed_q = Q(next_report_due__lt=now) & ~Q(pk__in=alerted)
    discharge_q = Q(isolation_start__lte=today - timedelta(days=min_days))
    # Three counts, each a range on its own index: one pass with COUNT(…) FILTER read the
    # whole ward on SQLite (its planner took the ward index), ten times slower.
    counts = {
        "alert": open_alerts.count(),
        "missed": active.filter(missed_q).count(),
        "discharge": active.filter(discharge_q).count(),
    }
    page = max(1, page)
    start, end = (page - 1) * per_page, page * per_page
    items: list[ActionItem] = []
    offset = 0
    parts = (
        (
            "alert",
            lambda: (
                open_alerts.select_related("enrolment__person", "report")
                .defer("enrolment__assessment", "enrolment__discharge")
                .order_by("-raised_at", "-pk")
            ),
        ),
        (
            "missed",
            lambda: (
                active.filter(missed_q)
                .select_related("person")
                .defer("assessment", "discharge")
                .order_by("next_report_due", "pk")
            ),
        ),
        (
            "discharge",
            lambda: (
                active.filter(discharge_q)
                .select_related("person")
                .defer("assessment", "discharge")
                .order_by("isolation_start", "pk")
            ),
        ),
    )
    for kind, rows in parts:
        size = counts[kind]
        low, high = max(start, offset), min(end, offset + size)
        if low < high:
            for row in rows()[low - offset : high - offset]:
                if kind == "alert":
                    items.append(ActionItem(kind, row.enrolment, row, _day(row.enrolment, today)))
                else:
                    items.append(ActionItem(kind, row, None, _day(row, today)))
        offset += size
    return ActionPage(items, counts, page, per_page)


def _day(enrolment: Enrolment, today: date) -> int:
    return (today - enrolment.isolation_start).days + 1


@dataclass
class GridCell:
    day: date
    slot: int
    state: str  # green | red | grey | future
    report_id: int | None = None


def day_grid(enrolment: Enrolment, reports: list[Report], today: date) -> list[list[GridCell]]:
    """One row per day from the isolation start: morning and afternoon, green (reported, no
    warning), red (a warning sign), grey (no report), future."""
    end = (
        local_date(enrolment.discharged_at or enrolment.referred_at)
        if (enrolment.discharged_at or enrolment.referred_at)
        else today
    )
    by_slot: dict[tuple[date, int], Report] = {}
    for report in reports:
        key = timing.slot_of(report.measured_at)
        previous = by_slot.get(key)
        if previous is None or report.status == "alert":
            by_slot[key] = report
    rows = []
    day = enrolment.isolation_start
    while day <= max(end, enrolment.isolation_start):
        row = []
        for slot in (0, 1):
            report = by_slot.get((day, slot))
            if report is not None:
                state = "red" if report.status in ("alert", "remeasure") else "green"
            else:
                state = "grey" if day <= end else "future"
            row.append(GridCell(day, slot, state, report.pk if report else None))
        rows.append(row)
        day += timedelta(days=1)
    return rows
