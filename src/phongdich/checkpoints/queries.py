"""Reads for checkpoints, each permission-checked (``access_*``) or scoped to the caller."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from phongdich.accounts.jurisdiction import area_q, can_see_ward
from phongdich.accounts.models import Role
from phongdich.checkpoints.models import Venue, Visit
from phongdich.lib.timeutil import local_date, local_day_bounds


def get_venue_by_code(code: str) -> Venue | None:
    return Venue.objects.select_related("ward").filter(code=code.strip().upper()).first()


def can_staff_venue(user: Any, venue: Venue) -> bool:
    """Venue staff of that venue, or an officer (or admin) whose area holds it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.VENUE_STAFF:
        return venue.staff.filter(pk=user.pk).exists()
    if user.role in {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER}:
        return can_see_ward(user, venue.ward)
    return False


def access_venue(user: Any, code: str) -> Venue:
    venue = get_venue_by_code(code)
    if venue is None or not can_staff_venue(user, venue):
        raise Http404
    return venue


def list_venues_for(user: Any) -> QuerySet[Venue]:
    qs = Venue.objects.select_related("ward")
    if user.role == Role.VENUE_STAFF:
        return qs.filter(staff=user)
    if user.role in {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER}:
        return qs.filter(area_q(user, "ward"))
    return qs.none()


def inside_visits(venue: Venue) -> QuerySet[Visit]:
    """People inside now, flagged declarations first."""
    return (
        Visit.objects.filter(venue=venue, checked_out_at__isnull=True)
        .select_related("person")
        .order_by("-flagged", "-checked_in_at")
    )


def today_counts(venue: Venue, now: datetime | None = None) -> dict[str, int]:
    start, end = local_day_bounds(local_date(now or timezone.now()))
    return Visit.objects.filter(
        venue=venue, checked_in_at__gte=start, checked_in_at__lt=end
    ).aggregate(
        checkins=Count("pk"),
        checkouts=Count("pk", filter=Q(checked_out_at__isnull=False)),
        flagged=Count("pk", filter=Q(flagged=True)),
        paper=Count("pk", filter=Q(source="paper")),
    )


def visits_between(venue: Venue, start: datetime, end: datetime) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(venue=venue, checked_in_at__gte=start, checked_in_at__lt=end)
        .select_related("person", "person__ward")
        .order_by("checked_in_at")
    )


def open_visit_of(person_id: int, venue: Venue) -> Visit | None:
    return Visit.objects.filter(
        person_id=person_id, venue=venue, checked_out_at__isnull=True
    ).first()


def seen_at_own_venue(user: Any, person: Any, context: dict) -> bool:
    """Venue staff reach the people who checked in at a venue they staff; other staff reach a
    person with no ward yet who checked in at a venue of their area (people.identity)."""
    if getattr(user, "role", None) == Role.VENUE_STAFF:
        return Visit.objects.filter(person=person, venue__staff=user).exists()
    if person.ward_id is not None:
        return False
    return Visit.objects.filter(area_q(user, "venue__ward"), person=person).exists()
