"""Tracing a case: the contact search's orchestration and the shape of its results.

``search`` finds who overlapped whom (``Group`` of ``Overlap``); this module turns that into the
case's contact list and evidence, written by ``store`` in one short transaction. It never runs
inside the transaction that created or changed the case: on SQLite every writer queues on one
lock, and a search at a busy market takes seconds, so the caller commits first (``actions``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from phongdich.checkpoints.models import Venue, Visit
from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.lib.timeutil import local_day_bounds
from phongdich.tracing import search, store
from phongdich.tracing.models import (
    Case,
    Contact,
    ContactOrigin,
    ContactStatus,
    Evidence,
    ExposureWindow,
    Level,
    MaterialiseStatus,
)
from phongdich.tracing.store import EvidenceRow

Found = dict[int, list[search.Group]]  # person id -> the groups that make them a contact


@dataclass
class TraceResult:
    f1: int = 0
    f2: int = 0
    evidence: int = 0
    removed: int = 0
    windows: int = 0  # exposure windows (crowded venues) recorded instead of their F2
    people: dict[int, str] = field(default_factory=dict)
    f2_pending: bool = False  # only the F1 were searched


def trace(case: Case, now: datetime, *, inline_f1: int | None) -> TraceResult:
    """The search; with ``inline_f1``, a case without contacts whose F1 outnumber it stops after
    storing them (the result says ``f2_pending``)."""
    max_visit = get_rule("tracing.max_visit_hours") * 3600 * search.US
    min_minutes = get_rule("tracing.f1_min_overlap_minutes")
    # Read before the search: a visit that arrives during it is above the watermark, so the
    # next periodic run sees it (tasks.retrace_open_cases).
    watermark = Visit.objects.order_by("-pk").values_list("pk", flat=True).first()
    existing = store.existing_contacts(case)
    window = (search.micros(case.window_start), search.micros(case.window_end))
    index0 = search.intervals_of({case.person_id: window}, max_visit)
    f1 = search.find(index0, max_visit, {case.person_id}, min_minutes)
    if inline_f1 is not None and not existing and len(f1) > inline_f1:
        return _store(case, f1, {}, [], existing, watermark, complete=False)

    spans = {}  # each F1's visits from their first exposure on
    for person_id, groups in f1.items():
        exposed = min(g.start for g in groups)
        until = _quarantine_start(existing.get(person_id)) or search.micros(now)
        if until > exposed:
            spans[person_id] = (exposed, until)
    index1 = search.intervals_of(spans, max_visit)
    crowd = get_rule("tracing.crowd_threshold")
    f2, windows = search.find_outside_crowds(
        search.blocks_of(index1), max_visit, case.person_id, min_minutes, crowd
    )
    return _store(case, f1, f2, windows, existing, watermark)


def first_trace(case: Case) -> None:
    """A new case's F1 list at once; its F2 in the worker when the F1 are many."""
    if trace(case, timezone.now(), inline_f1=settings.TRACING_INLINE_F1).f2_pending:
        queue_full_trace(case)


def queue_full_trace(case: Case) -> None:
    from phongdich.tracing.tasks import trace_case

    with transaction.atomic():  # the queue row commits with the flag
        Case.objects.filter(pk=case.pk).update(f2_pending=True)
        trace_case.enqueue(case.pk)
    case.f2_pending = True


def _quarantine_start(contact: store.Existing | None) -> int | None:
    if contact is None or contact.quarantine_start is None:
        return None
    return search.micros(local_day_bounds(contact.quarantine_start)[0])


def _shared_by_index(items: list[search.Overlap]) -> dict[int, int]:
    shared: dict[int, int] = defaultdict(int)
    for o in items:
        shared[o.index_person_id] += o.end - o.start
    return shared


def closest_via(groups: list[search.Group]) -> int:
    if len(groups) == 1 and len(groups[0].items) == 1:  # most F2: one overlap with one F1
        return groups[0].items[0].index_person_id
    shared = _shared_by_index([o for g in groups for o in g.items])
    return max(shared, key=lambda p: (shared[p], -p))


def evidence_rows(contact_id: int, level: str, groups: list[search.Group]) -> Iterator[EvidenceRow]:
    """F1 evidence keeps every pair of visits with the F0. F2 evidence is one row per venue and
    local day (the unit the rule counts in), naming the F1 they spent longest with: an F2 who
    shared a factory floor with dozens of F1s for a week would otherwise carry thousands of rows
    that say the same thing."""
    minute = search.MINUTE_US
    if level == Level.F1:
        for g in groups:
            for o in g.items:
                yield EvidenceRow(
                    contact_id,
                    g.venue_id,
                    o.index_visit_id,
                    o.visit_id,
                    o.index_person_id,
                    o.start,
                    o.end,
                    round((o.end - o.start) / minute),
                    level,
                )
        return
    for g in groups:
        items = g.items
        if len(items) == 1:
            first = items[0]
        else:
            shared = _shared_by_index(items)
            main = max(shared, key=lambda p: (shared[p], -p))
            first = min(
                (o for o in items if o.index_person_id == main),
                key=lambda o: (o.start, o.index_visit_id, o.visit_id),
            )
        yield EvidenceRow(
            contact_id,
            g.venue_id,
            first.index_visit_id,
            first.visit_id,
            first.index_person_id,
            g.start,
            g.end,
            round(g.union / minute),
            level,
        )


def _evidence(f1: Found, f2: Found, contact_ids: dict[int, int]) -> Iterator[EvidenceRow]:
    for level, found in ((Level.F1.value, f1), (Level.F2.value, f2)):
        for person_id, groups in found.items():
            if level == Level.F2.value and len(groups) == 1:
                # One F2 group gives one row: no pair to repeat (most F2 of a large case).
                yield from evidence_rows(contact_ids[person_id], level, groups)
                continue
            # One row per contact and pair of visits (the table's constraint). The search yields
            # each pair once; this keeps a duplicate from failing the whole trace if it ever did.
            seen: set[tuple[int, int]] = set()
            for row in evidence_rows(contact_ids[person_id], level, groups):
                pair = (row.index_visit_id, row.contact_visit_id)
                if pair not in seen:
                    seen.add(pair)
                    yield row


def _replace_evidence(case: Case, rows: Iterator[EvidenceRow]) -> Iterator[EvidenceRow]:
    """Evidence is derived data, replaced per case: the trace's rows go in after the old ones
    are deleted in one statement. Rows of a materialised exposure window stay (they are the
    window's, not the trace's); a pair of visits they already hold is not written twice."""
    store.delete_case_evidence(case)
    kept = set(
        Evidence.objects.filter(contact__case=case).values_list(
            "contact_id", "index_visit_id", "contact_visit_id"
        )
    )
    if not kept:
        return rows
    return (r for r in rows if (r.contact_id, r.index_visit_id, r.contact_visit_id) not in kept)


def _store_windows(
    case: Case, windows: list[search.Window], contact_ids: dict[int, int]
) -> list[int]:
    """Replace the case's exposure windows by the search's; a window whose people an officer
    had listed is kept (with its listing). Returns the ids of the windows added."""
    old = {
        (w.venue_id, search.micros(w.start), search.micros(w.end)): w
        for w in ExposureWindow.objects.filter(case=case)
    }
    found = {(w.venue_id, w.start, w.end): w for w in windows}
    gone = [
        w.pk
        for key, w in old.items()
        if key not in found and w.materialise_status == MaterialiseStatus.NONE
    ]
    if gone:
        ExposureWindow.objects.filter(pk__in=gone).delete()
    changed, new = [], []
    for key, w in found.items():
        via = contact_ids.get(w.first_person_id)
        before = old.get(key)
        if before is not None:
            if (before.present, before.via_id, before.f1_count) != (w.present, via, len(w.people)):
                before.present, before.via_id, before.f1_count = w.present, via, len(w.people)
                changed.append(before)
            continue
        new.append(
            ExposureWindow(
                case=case,
                venue_id=w.venue_id,
                start=search.from_micros(w.start),
                end=search.from_micros(w.end),
                present=w.present,
                via_id=via,
                f1_count=len(w.people),
            )
        )
    ExposureWindow.objects.bulk_update(changed, ["present", "via_id", "f1_count"])
    ExposureWindow.objects.bulk_create(new)
    if new and not connection.features.can_return_rows_from_bulk_insert:
        keys = {(w.venue_id, w.start, w.end) for w in new}
        return [
            w.pk
            for w in ExposureWindow.objects.filter(case=case)
            if (w.venue_id, w.start, w.end) in keys
        ]
    return [w.pk for w in new]


def _new_contacts(
    f1: Found, f2: Found, people: list[int], existing: dict[int, store.Existing]
) -> tuple[list[store.NewContact], dict[int, tuple[str, int, int]], dict[int, int]]:
    """Contacts to insert, exposures of contacts already listed, and each F2's closest F1."""
    via = {p: closest_via(f2[p]) for p in people if p not in f1}
    new_people = [p for p in people if p not in existing]
    wards = store.person_wards(new_people) if new_people else {}
    venue_wards: dict[int, int] = {}
    new, exposures = [], {}
    for person_id in people:
        level = Level.F1.value if person_id in f1 else Level.F2.value
        groups = f1.get(person_id, []) + f2.get(person_id, [])
        first = min(g.start for g in groups)
        last = max(g.end for g in groups)
        if person_id in existing:
            exposures[person_id] = (level, first, last)
            continue
        ward_id = wards.get(person_id)
        if not ward_id:
            venue_id = min(groups, key=lambda g: (g.start, g.venue_id)).venue_id
            if venue_id not in venue_wards:
                venue_wards[venue_id] = _venue_ward(venue_id)
            ward_id = venue_wards[venue_id]
        new.append(store.NewContact(person_id, level, ward_id, first, last, via.get(person_id)))
    return new, exposures, via


@transaction.atomic
def _store(
    case: Case,
    f1: Found,
    f2: Found,
    windows: list[search.Window],
    existing: dict[int, store.Existing],
    watermark: int | None,
    *,
    complete: bool = True,
) -> TraceResult:
    now = timezone.now()
    result = TraceResult()
    existing = _current(case, existing)
    people = list(f1) + [p for p in f2 if p not in f1]
    new, exposures, via = _new_contacts(f1, f2, people, existing)
    known = {p: c.pk for p, c in existing.items()}
    inserted = store.insert_contacts(case, new, known, now)
    contact_ids = {**known, **inserted}
    changed = []
    for person_id, (level, first, last) in exposures.items():
        contact = existing[person_id]
        level = min(contact.level, level)  # "F1" < "F2"
        via_id = contact_ids[via[person_id]] if person_id in via else contact.via_id
        if (level, first, last, via_id) != (
            contact.level,
            contact.first,
            contact.last,
            contact.via_id,
        ):
            changed.append(store.ContactUpdate(contact.pk, level, first, last, via_id))
    store.update_contacts(changed)
    stale = [
        c.pk
        for p, c in existing.items()
        if p not in exposures
        and c.origin == ContactOrigin.CHECKIN
        and c.status == ContactStatus.IDENTIFIED
    ]
    result.removed = _remove_stale(stale) if stale else 0
    evidence = _evidence(f1, f2, contact_ids)
    if existing:  # only contacts already on the list can have evidence
        evidence = _replace_evidence(case, evidence)
    result.evidence = store.insert_evidence(evidence)
    added = _store_windows(case, windows, contact_ids) if complete else []
    Case.objects.filter(pk=case.pk).update(
        traced_at=now, f2_pending=not complete, traced_visit_id=watermark
    )
    case.traced_at, case.traced_visit_id = now, watermark
    if inserted:
        events.emit_many(
            "contacts.found", "contact_ids", sorted(inserted.values()), case_id=case.pk
        )
    if added:
        events.emit_many("exposure_window.found", "window_ids", sorted(added), case_id=case.pk)
    result.windows = len(windows)
    case.f2_pending = result.f2_pending = not complete
    result.f1 = len(f1)
    result.f2 = len(people) - result.f1
    return result


def _current(case: Case, existing: dict[int, store.Existing]) -> dict[int, store.Existing]:
    """The case's contacts as this transaction may write them. Writers of one case's list take
    its lock first (``store.lock_list``), so two traces that searched at the same time write one
    after the other; the second re-reads the list when the first (or an officer) added or
    removed contacts since its search began, else it would insert the same people again or
    update contacts that are gone."""
    store.lock_list(case)
    count, last = store.contacts_fingerprint(case)
    if (count, last) == (len(existing), max((c.pk for c in existing.values()), default=None)):
        return existing
    return store.existing_contacts(case)


def _remove_stale(candidates: list[int]) -> int:
    """Take off the list the contacts the search no longer finds, unless someone acted on one
    since the search read it (an officer's follow-up move commits while the search runs): the
    condition is checked again on the locked rows. Returns how many contacts were removed."""
    still = list(
        Contact.objects.select_for_update()
        .filter(
            pk__in=candidates,
            origin=ContactOrigin.CHECKIN,
            status=ContactStatus.IDENTIFIED,
        )
        .values_list("pk", flat=True)
    )
    if not still:
        return 0
    return Contact.objects.filter(pk__in=still).delete()[1].get(Contact._meta.label, 0)


def _venue_ward(venue_id: int) -> int:
    return Venue.objects.values_list("ward_id", flat=True).get(pk=venue_id)
