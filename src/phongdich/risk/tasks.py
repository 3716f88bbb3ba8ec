"""The weekly computation of ward levels (docs/reference/risk.md §7): proposals for every ward
with a population, for the chairperson to approve. Idempotent: once per week (Monday, local)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from phongdich.core.schedule import periodic
from phongdich.lib.timeutil import local_date
from phongdich.places.models import Ward
from phongdich.risk.actions import do_propose_levels
from phongdich.risk.models import Assessment
from phongdich.vaccination.models import WardPopulation


def rated_wards() -> list[int]:
    """Wards that can be rated: a total population, or an 18+ population to estimate it from."""
    return list(
        Ward.objects.filter(
            Q(population__gt=0) | Q(pk__in=WardPopulation.objects.values("ward_id"))
        ).values_list("code", flat=True)
    )


def run_weekly(today: date | None = None) -> int:
    today = today or local_date(timezone.now())
    monday = today - timedelta(days=today.weekday())
    if Assessment.objects.filter(proposed_by__isnull=True, assessed_on__gte=monday).exists():
        return 0
    return len(do_propose_levels(rated_wards(), today))


@periodic("risk.weekly_levels", every_seconds=3600)
def weekly_levels() -> int:
    return run_weekly()


@periodic("risk.overdue_fixes", every_seconds=3600)
def overdue_fixes() -> int:
    """Required fixes past their deadline: one id-only event each (docs/reference/risk.md §9)."""
    from phongdich.risk.fixes import note_overdue

    return note_overdue()
