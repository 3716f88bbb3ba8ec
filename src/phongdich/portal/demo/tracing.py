"""Demo cases (F0) with their traced contacts in every follow-up status, and one cluster.

Cases are chosen from the demo's own visits and go through the real tracing actions, so the
contacts, evidence and chains shown are what the search finds, not invented rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count

from phongdich.checkpoints.models import VenueStatus, Visit
from phongdich.lib.timeutil import local_date
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.seeded import stream
from phongdich.tracing.actions import do_create_case, do_update_contact
from phongdich.tracing.errors import TracingError
from phongdich.tracing.models import Case, Contact, ContactStatus

WORKPLACES = ["office", "factory", "school", "hospital", "transport"]
FOLLOW_UP = ["identified", "notified", "quarantined", "tested", "released"]


@dataclass
class TracingSummary:
    cases: list[int] = field(default_factory=list)
    contacts: int = 0
    cluster_venue: str = ""


def _cluster_visits(now: datetime) -> list[tuple[int, datetime, int]]:
    """Visits at the busiest market, restaurant or shop of Hạc Thành in the last three days: recent cases, as an
    officer would be working on them (and their F1s' exposure windows stay short)."""
    since = now - timedelta(days=3)
    busy = (
        Visit.objects.filter(
            checked_in_at__gte=since,
            venue__status=VenueStatus.ACTIVE,
            venue__ward_id=geo.HAC_THANH,
            venue__kind__in=["market", "restaurant", "shop"],
        )
        .values("venue_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "venue_id")
    )
    # Retired people whose days are markets and pagodas: their contact lists stay readable,
    # unlike a factory worker's whole shift.
    workers = Visit.objects.filter(
        checked_in_at__gte=since - timedelta(days=2), venue__kind__in=WORKPLACES
    ).values("person_id")
    for row in busy:
        visits = list(
            Visit.objects.filter(
                venue_id=row["venue_id"],
                checked_in_at__gte=since,
                checked_in_at__lt=now - timedelta(hours=8),
            )
            .exclude(person_id__in=workers)
            .order_by("checked_in_at", "pk")
            .values_list("person_id", "checked_in_at", "venue_id")
        )
        if len({p for p, _, _ in visits}) >= 2:
            return visits
    return []


def _open_case(person_id: int, visited_at: datetime, now: datetime) -> Case | None:
    confirmed = min(visited_at + timedelta(days=1), now - timedelta(hours=1))
    onset = local_date(visited_at) + timedelta(days=1)
    try:
        from phongdich.people.models import Person

        return do_create_case(
            person=Person.objects.get(pk=person_id),
            confirmed_at=confirmed,
            sample_date=min(onset, local_date(confirmed)),
            onset_date=min(onset, local_date(confirmed)),
            notes="Ca bệnh minh họa (dữ liệu demo)",
        )
    except TracingError:
        return None


def _advance(contact: Contact, target: str) -> None:
    for status in FOLLOW_UP[1 : FOLLOW_UP.index(target) + 1]:
        contact = do_update_contact(
            contact,
            status,
            actor=None,
            quarantine_start=local_date(contact.created_at),
            test_result="negative",
        )


def load_tracing_demo(seed: int, now: datetime) -> TracingSummary:
    rng = stream(seed, "tracing")
    summary = TracingSummary()
    visits = _cluster_visits(now)
    if not visits:
        return summary
    first_person, first_at, venue_id = visits[rng.randrange(len(visits) // 3 + 1)]
    later = [v for v in visits if v[0] != first_person and v[1] - first_at >= timedelta(hours=12)]
    second_person, second_at, _ = (
        later[rng.randrange(len(later))]
        if later
        else next(v for v in visits if v[0] != first_person)
    )
    for person_id, at in ((first_person, first_at), (second_person, second_at)):
        case = _open_case(person_id, at, now)
        if case is not None:
            summary.cases.append(case.pk)
    if summary.cases:
        contacts = list(
            Contact.objects.filter(case_id__in=summary.cases, level="F1").order_by("case_id", "pk")[
                :12
            ]
        )
        # Furthest along first, so even a small demo shows every status.
        for n, contact in enumerate(contacts[:-1]):
            _advance(contact, FOLLOW_UP[::-1][n % len(FOLLOW_UP)])
        if contacts:  # one contact tested positive: the chain goes on
            first = contacts[-1]
            confirmed = now - timedelta(hours=1)
            do_update_contact(
                first,
                ContactStatus.BECAME_CASE,
                actor=None,
                confirmed_at=confirmed,
                sample_date=local_date(confirmed),
            )
            summary.cases.append(Case.objects.get(person=first.person_id, status="open").pk)
    from phongdich.checkpoints.models import Venue

    summary.cluster_venue = Venue.objects.get(pk=venue_id).name
    summary.contacts = Contact.objects.filter(case_id__in=summary.cases).count()
    return summary
