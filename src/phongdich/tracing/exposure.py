"""Exposure windows: listing the people of a crowded venue on an officer's request.

The trace records a crowded block as an exposure window (``search.find_outside_crowds``) instead of listing
its hundreds or thousands of people as F2 (docs/reference/tracing.md, "Exposure windows"). An
officer who needs them one by one (a factory floor, a wedding) asks for the list: the background
worker runs the F2 search for that window alone and writes the people in pages, each page its own
short transaction, so the list grows while the officer watches and nothing holds a lock for long.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.checkpoints.models import Venue
from phongdich.core import events
from phongdich.core.rules import get_rule
from phongdich.tracing import search, store
from phongdich.tracing.models import (
    Contact,
    ContactOrigin,
    Evidence,
    ExposureWindow,
    Level,
    MaterialiseStatus,
)
from phongdich.tracing.trace import closest_via, evidence_rows

PAGE = 1000  # people per transaction


def do_materialise_window(window: ExposureWindow, *, actor: Any, request: Any = None) -> bool:
    """Queue the listing of a window's people; returns False when it was already asked for
    (repeated or concurrent requests queue it once: the status changes conditionally)."""
    from phongdich.tracing.tasks import materialise_window

    with transaction.atomic():
        queued = ExposureWindow.objects.filter(
            pk=window.pk, materialise_status=MaterialiseStatus.NONE
        ).update(materialise_status=MaterialiseStatus.QUEUED)
        if queued:
            materialise_window.enqueue(window.pk)
            audit.record(
                "materialise",
                actor=actor,
                request=request,
                obj=window,
                ward=window.case.ward_id,
                detail={"present": window.present},
            )
    window.refresh_from_db()
    return bool(queued)


def _window_index(window: ExposureWindow, max_visit: int) -> list[search.Interval]:
    """The F1's visits at the window's venue, clipped to the window: the index intervals whose
    block the trace found crowded."""
    f1 = Contact.objects.filter(case=window.case, level=Level.F1).values_list(
        "person_id", flat=True
    )
    span = (search.micros(window.start), search.micros(window.end))
    return [
        iv
        for iv in search.intervals_of(dict.fromkeys(f1, span), max_visit)
        if iv.venue_id == window.venue_id
    ]


def materialise(window_id: int) -> int:
    """The F2 search for one window; its people not yet on the case's list are added as F2
    (origin "window", with evidence naming the window), ``PAGE`` at a time. Returns how many."""
    window = ExposureWindow.objects.select_related("case").filter(pk=window_id).first()
    if window is None or window.materialise_status == MaterialiseStatus.DONE:
        return 0
    case = window.case
    ExposureWindow.objects.filter(pk=window.pk).update(materialise_status=MaterialiseStatus.RUNNING)
    max_visit = get_rule("tracing.max_visit_hours") * 3600 * search.US
    min_minutes = get_rule("tracing.f1_min_overlap_minutes")
    index = _window_index(window, max_visit)
    found = search.find(index, max_visit, {case.person_id}, min_minutes, attribute=True)
    listed = set(Contact.objects.filter(case=case).values_list("person_id", flat=True))
    people = sorted(p for p in found if p not in listed)
    added = window.materialised
    for begin in range(0, len(people), PAGE):
        added += _write_page(window, people[begin : begin + PAGE], found)
        ExposureWindow.objects.filter(pk=window.pk).update(materialised=added)
    ExposureWindow.objects.filter(pk=window.pk).update(
        materialise_status=MaterialiseStatus.DONE, materialised=added
    )
    return added


@transaction.atomic
def _write_page(
    window: ExposureWindow, people: list[int], found: dict[int, list[search.Group]]
) -> int:
    case = window.case
    store.lock_list(case)  # a trace of the case may be writing its list at the same time
    # A re-run after a stopped worker (or a trace meanwhile): people already listed are skipped.
    done = set(
        Contact.objects.filter(case=case, person_id__in=people).values_list("person_id", flat=True)
    )
    people = [p for p in people if p not in done]
    if not people:
        return 0
    known = dict(Contact.objects.filter(case=case, level=Level.F1).values_list("person_id", "pk"))
    wards = store.person_wards(people)
    venue_ward = Venue.objects.values_list("ward_id", flat=True).get(pk=window.venue_id)
    rows = []
    for person_id in people:
        groups = found[person_id]
        rows.append(
            store.NewContact(
                person_id,
                Level.F2.value,
                wards.get(person_id) or venue_ward,
                min(g.start for g in groups),
                max(g.end for g in groups),
                closest_via(groups),
            )
        )
    ids = store.insert_contacts(case, rows, known, timezone.now(), origin=ContactOrigin.WINDOW)
    evidence = [
        Evidence(
            contact_id=row.contact_id,
            venue_id=row.venue_id,
            index_visit_id=row.index_visit_id,
            contact_visit_id=row.contact_visit_id,
            index_person_id=row.index_person_id,
            overlap_start=search.from_micros(row.start),
            overlap_end=search.from_micros(row.end),
            overlap_minutes=row.minutes,
            level=row.level,
            window=window,
        )
        for person_id in people
        for row in evidence_rows(ids[person_id], Level.F2.value, found[person_id])
    ]
    Evidence.objects.bulk_create(evidence, batch_size=store.BATCH)
    events.emit_many("contacts.found", "contact_ids", sorted(ids.values()), case_id=case.pk)
    return len(ids)
