"""Reads for tracing, scoped to the caller's jurisdiction (404 outside it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, can_see_ward, require_role
from phongdich.accounts.models import Role
from phongdich.checkpoints.models import Venue, Visit
from phongdich.core.rules import get_rule
from phongdich.lib.text import vi_sort_key
from phongdich.lib.timeutil import local_day_bounds
from phongdich.places.models import Ward
from phongdich.tracing.models import (
    Case,
    CaseStatus,
    Contact,
    ContactStatus,
    Evidence,
    ExposureWindow,
)

TRACING_ROLES = (Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.CALL_OPERATOR, Role.CLINICIAN)


def cases_for(user: Any) -> QuerySet[Case]:
    """Cases of the user's area, plus cases elsewhere that have contacts in the user's area."""
    require_role(user, *TRACING_ROLES)
    own = area_q(user, "ward")
    if not own.children:  # administrator
        return Case.objects.all()
    with_contacts = Contact.objects.filter(area_q(user, "ward")).values("case_id")
    return Case.objects.filter(own | Q(pk__in=with_contacts))


def access_case(user: Any, case_id: int) -> Case:
    case = cases_for(user).select_related("person", "ward").filter(pk=case_id).first()
    if case is None:
        raise Http404
    return case


def contacts_for(user: Any, case: Case | None = None) -> QuerySet[Contact]:
    """A ward-level account sees the contacts living in its ward only; a province one its province."""
    require_role(user, *TRACING_ROLES)
    qs = Contact.objects.filter(area_q(user, "ward")).select_related("person", "ward", "case")
    return qs.filter(case=case) if case is not None else qs


def access_contact(user: Any, contact_id: int) -> Contact:
    contact = contacts_for(user).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact


def windows_of(case: Case) -> QuerySet[ExposureWindow]:
    """The exposure windows of a case the caller may see (``access_case`` first): a venue, a
    time and a count, no personal data besides the F1 it came through (``via``)."""
    return ExposureWindow.objects.filter(case=case).select_related("venue", "via__person")


def windows_for(case: Case) -> list[ExposureWindow]:
    return list(windows_of(case).order_by("start", "venue_id"))


def access_window(user: Any, window_id: int) -> ExposureWindow:
    window = (
        ExposureWindow.objects.filter(pk=window_id, case__in=cases_for(user))
        .select_related("case", "venue")
        .first()
    )
    if window is None:
        raise Http404
    return window


IDS_PER_QUERY = (
    5000  # a case at a busy market lists more contacts than a statement takes parameters
)


def evidence_by_contact(contact_ids: list[int]) -> dict[int, list[Evidence]]:
    out: dict[int, list[Evidence]] = defaultdict(list)
    for begin in range(0, len(contact_ids), IDS_PER_QUERY):
        for ev in (
            Evidence.objects.filter(contact_id__in=contact_ids[begin : begin + IDS_PER_QUERY])
            .select_related("venue")
            .order_by("overlap_start", "pk")
        ):
            out[ev.contact_id].append(ev)
    return out


def evidence_out(contact_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The API's evidence of a page of contacts, as plain rows (no model instances: a page of
    a thousand contacts reads about two thousand), with the two visits' times while they are
    retained (evidence has no keys to visits, so a purged visit is simply absent)."""
    rows = list(
        Evidence.objects.filter(contact_id__in=contact_ids)
        .order_by("overlap_start", "pk")
        .values_list(
            "contact_id",
            "venue__code",
            "venue__name",
            "index_person_id",
            "index_visit_id",
            "contact_visit_id",
            "overlap_start",
            "overlap_end",
            "overlap_minutes",
            "level",
        )
    )
    visits = visit_times({v for row in rows for v in (row[4], row[5])})
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for contact, code, name, person, index, own, start, end, minutes, level in rows:
        out[contact].append(
            {
                "venue": code,
                "venue_name": name,
                "index_person_id": person,
                "index_visit": visits.get(index),
                "contact_visit": visits.get(own),
                "overlap": [start, end],
                "overlap_minutes": minutes,
                "level": level,
            }
        )
    return out


def visit_times(ids: set[int]) -> dict[int, list[datetime]]:
    """[check-in, end] of the visits evidence names that are still retained."""
    if not ids:
        return {}
    return {
        pk: [start, out or expected]
        for pk, start, out, expected in Visit.objects.filter(pk__in=list(ids)).values_list(
            "pk", "checked_in_at", "checked_out_at", "expected_out_at"
        )
    }


WORK_TASKS = ("call", "test", "release")
# Most urgent first: the longest waiting for a call, the earliest end of quarantine.
WORK_ORDER = {
    "call": ("level", "created_at", "pk"),
    "test": ("quarantine_end", "pk"),
    "release": ("quarantine_end", "pk"),
}


# Higher apps add contacts to a task of the work list (outreach: a contact who told the robot
# call of symptoms is due a test now). Each provider returns a Q on Contact.
WORK_SOURCES: dict[str, list[Callable[[], Q]]] = {}


def register_work_source(task: str, provider: Callable[[], Q]) -> None:
    if task not in WORK_TASKS:
        raise ValueError(f"unknown work list task {task!r}")
    WORK_SOURCES.setdefault(task, []).append(provider)


def _extra(task: str) -> Q:
    found = Q(pk__in=[])
    for provider in WORK_SOURCES.get(task, ()):
        found |= provider()
    return found


def work_querysets(user: Any, day: date) -> dict[str, QuerySet[Contact]]:
    """Who is due a call, a test, or release on ``day``, in the user's area: every one of
    them (the pages show them a page at a time, the exports all)."""
    qs = contacts_for(user).exclude(status__in=[ContactStatus.RELEASED, ContactStatus.BECAME_CASE])
    return {
        "call": qs.filter(status=ContactStatus.IDENTIFIED).order_by(*WORK_ORDER["call"]),
        "test": qs.filter(
            Q(status=ContactStatus.QUARANTINED, quarantine_end__lte=day + timedelta(days=1))
            | _extra("test")
        ).order_by(*WORK_ORDER["test"]),
        "release": qs.filter(
            Q(status=ContactStatus.TESTED, test_result="negative")
            | Q(status=ContactStatus.QUARANTINED, quarantine_end__lte=day)
        ).order_by(*WORK_ORDER["release"]),
    }


def work_list(user: Any, day: date, limit: int = 500) -> dict[str, list[Contact]]:
    """The first ``limit`` of each task (the JSON API's answer)."""
    return {k: list(qs[:limit]) for k, qs in work_querysets(user, day).items()}


def contact_wards(user: Any, case: Case) -> tuple[list[tuple[int, str]], int, int]:
    """For the case page's ward filter and counts, one aggregate over the case's contacts by
    ward (an index-only scan of (case, ward); the wards are joined after, a few dozen rows)
    instead of a count, a count of those hidden and a DISTINCT: the wards of the contacts the
    caller sees, by name; how many they see; how many live outside their area."""
    require_role(user, *TRACING_ROLES)
    by_ward = dict(
        Contact.objects.filter(case=case)
        .order_by()
        .values("ward_id")
        .annotate(n=Count("pk"))
        .values_list("ward_id", "n")
    )
    wards, seen, hidden = [], 0, 0
    for code, name, province in Ward.objects.filter(code__in=list(by_ward)).values_list(
        "code", "name", "province_id"
    ):
        if can_see_ward(user, SimpleNamespace(code=code, province_id=province)):
            wards.append((code, name))
            seen += by_ward[code]
        else:
            hidden += by_ward[code]
    wards.sort(key=lambda w: vi_sort_key(w[1]))
    return wards, seen, hidden


def clusters(user: Any, since: date, until: date | None = None) -> list[dict[str, Any]]:
    """Venues where two or more cases had infectious visits within ``tracing.cluster_days``."""
    days = timedelta(days=get_rule("tracing.cluster_days"))
    start = local_day_bounds(since)[0]
    end = local_day_bounds(until)[1] if until else None
    cases = list(cases_for(user).filter(window_end__gte=start).select_related("person"))
    by_venue: dict[int, list[tuple[datetime, Case]]] = defaultdict(list)
    for case in cases:
        visits = Visit.objects.filter(
            person_id=case.person_id,
            checked_in_at__lt=case.window_end,
            checked_in_at__gte=max(case.window_start, start) - timedelta(days=1),
        )
        if end:
            visits = visits.filter(checked_in_at__lt=end)
        for venue_id, at in visits.values_list("venue_id", "checked_in_at"):
            by_venue[venue_id].append((at, case))
    found = []
    venues = Venue.objects.select_related("ward").in_bulk(list(by_venue))
    for venue_id, items in by_venue.items():
        items.sort(key=lambda x: x[0])
        members: dict[int, Case] = {}
        for i, (at, case) in enumerate(items):
            for later_at, other in items[i + 1 :]:
                if later_at - at > days:
                    break
                if other.pk != case.pk:
                    members[case.pk], members[other.pk] = case, other
        if len(members) >= 2:
            exposed = (
                Evidence.objects.filter(venue_id=venue_id, contact__case_id__in=list(members))
                .values("contact_id")
                .distinct()
                .count()
            )
            found.append(
                {
                    "venue": venues[venue_id],
                    "cases": sorted(members.values(), key=lambda c: c.pk),
                    "first": items[0][0],
                    "last": items[-1][0],
                    "exposed": exposed,
                }
            )
    return sorted(found, key=lambda c: (-len(c["cases"]), c["venue"].pk))


def chain_graph(
    user: Any,
    ward_code: int | None = None,
    since: date | None = None,
    until: date | None = None,
    depth: int = 2,
) -> dict[str, list[dict[str, Any]]]:
    """Cases, contacts and venues as nodes; exposure and infection links as edges."""
    cases = _chain_cases(user, ward_code, since, until)
    contacts_qs = contacts_for(user).filter(case__in=cases)
    if depth < 2:
        contacts_qs = contacts_qs.filter(level="F1")
    contacts = list(contacts_qs[:3000])
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []
    for case in cases:
        nodes[f"case-{case.pk}"] = {
            "id": f"case-{case.pk}",
            "kind": "F0",
            "label": case.person.full_name,
            "case_id": case.pk,
            "status": case.status,
        }
        if case.infected_via_id:
            via = (
                Contact.objects.filter(pk=case.infected_via_id)
                .values_list("case_id", flat=True)
                .first()
            )
            if via:
                edges.append(
                    {"source": f"case-{via}", "target": f"case-{case.pk}", "kind": "infected"}
                )
    evidence = evidence_by_contact([c.pk for c in contacts])
    by_person = {c.person_id: c for c in contacts}
    for contact in contacts:
        node_id = f"contact-{contact.pk}"
        if contact.became_case_id:
            continue  # drawn as its case
        nodes[node_id] = {
            "id": node_id,
            "kind": contact.level,
            "label": contact.person.full_name,
            "status": contact.status,
            "contact_id": contact.pk,
        }
        sources = {ev.venue_id: ev for ev in evidence.get(contact.pk, [])}
        if not sources:
            parent = f"contact-{contact.via_id}" if contact.via_id else f"case-{contact.case_id}"
            edges.append({"source": parent, "target": node_id, "kind": "named"})
        for venue_id, ev in sources.items():
            vid = f"venue-{venue_id}"
            nodes.setdefault(
                vid, {"id": vid, "kind": "venue", "label": ev.venue.name, "code": ev.venue.code}
            )
            index = by_person.get(ev.index_person_id)
            parent = (
                f"contact-{index.pk}" if index and ev.level == "F2" else f"case-{contact.case_id}"
            )
            if not any(e["source"] == parent and e["target"] == vid for e in edges):
                edges.append({"source": parent, "target": vid, "kind": "visited"})
            edges.append(
                {"source": vid, "target": node_id, "kind": "exposed", "minutes": ev.overlap_minutes}
            )
    _chain_windows(cases, nodes, edges)
    return {"nodes": list(nodes.values()), "edges": edges}


def _chain_windows(
    cases: list[Case], nodes: dict[str, dict[str, Any]], edges: list[dict[str, Any]]
) -> None:
    """Exposure windows as nodes (a venue, a time, a count), linked from the F1 they came
    through when that F1 is drawn, else from the case."""
    windows = ExposureWindow.objects.filter(case__in=cases).select_related("venue")
    for w in windows[:1000]:
        node_id = f"window-{w.pk}"
        nodes[node_id] = {
            "id": node_id,
            "kind": "window",
            "label": f"{w.venue.name} ({w.present})",
            "present": w.present,
            "case_id": w.case_id,
            "start": w.start.isoformat(),
            "end": w.end.isoformat(),
        }
        via = f"contact-{w.via_id}"
        parent = via if via in nodes else f"case-{w.case_id}"
        edges.append({"source": parent, "target": node_id, "kind": "crowd"})


def _chain_cases(
    user: Any, ward_code: int | None, since: date | None, until: date | None
) -> list[Case]:
    cases = cases_for(user).select_related("person", "ward")
    if ward_code:
        cases = cases.filter(ward_id=ward_code)
    if since:
        cases = cases.filter(confirmed_at__gte=local_day_bounds(since)[0])
    if until:
        cases = cases.filter(confirmed_at__lt=local_day_bounds(until)[1])
    return list(cases[:300])


def chain_list(
    user: Any, ward_code: int | None, since: date | None, until: date | None
) -> list[Case]:
    """The chain as a list (readable at any size): each case with its F1 and F2 counts in the
    caller's area and the case it came from."""
    cases = _chain_cases(user, ward_code, since, until)
    visible = contacts_for(user).filter(case__in=cases)
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for case_id, level in visible.values_list("case_id", "level"):
        counts[case_id, level] += 1
    via = dict(
        Contact.objects.filter(
            pk__in=[c.infected_via_id for c in cases if c.infected_via_id]
        ).values_list("pk", "case_id")
    )
    for case in cases:
        case.f1, case.f2 = counts[case.pk, "F1"], counts[case.pk, "F2"]
        case.source_case = via.get(case.infected_via_id)
    return sorted(cases, key=lambda c: (c.confirmed_at, c.pk))


def open_cases_count(user: Any) -> int:
    return cases_for(user).filter(status=CaseStatus.OPEN).count()
