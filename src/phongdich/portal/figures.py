"""Live figures from the platform for the public pages: cases confirmed this week, people in
quarantine, vaccination coverage (adults fully vaccinated). Counted for a ward or a province,
cached for a few minutes, and small counts (1–4) shown as "< 5" so that nobody in a small ward is
singled out (docs/reference/portal.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone

from phongdich.core.rules import define, get_rule
from phongdich.lib.timeutil import VN_TZ

CACHE_SECONDS = 300
SMALL_COUNT = define(
    "portal.small_count",
    5,
    "Live figures on the public portal between 1 and this value minus one are shown as "
    "'< value' so that a small ward's figure cannot point at a household.",
    "unconfirmed: common small-cell suppression in public health statistics, no Vietnamese "
    "text found (docs/reference/portal.md)",
    check=lambda v: 1 <= v <= 100,
)


@dataclass(frozen=True)
class Figures:
    cases_week: int
    in_quarantine: int
    coverage_percent: int | None

    @staticmethod
    def shown(count: int) -> str:
        small = get_rule(SMALL_COUNT.key)
        return f"< {small}" if 0 < count < small else f"{count:,}".replace(",", ".")

    @property
    def cases_text(self) -> str:
        return self.shown(self.cases_week)

    @property
    def quarantine_text(self) -> str:
        return self.shown(self.in_quarantine)


def _count(ward_code: int | None, province_code: int | None) -> Figures:
    from phongdich.tracing.models import Case, Contact, ContactStatus
    from phongdich.vaccination.coverage import coverage_by_ward

    today = timezone.localdate()
    week_start = datetime.combine(today - timedelta(days=today.weekday()), time(), tzinfo=VN_TZ)
    area = {"ward_id": ward_code} if ward_code else {"ward__province_id": province_code}
    cases = Case.objects.filter(confirmed_at__gte=week_start, **area).count()
    quarantined = (
        Contact.objects.filter(status=ContactStatus.QUARANTINED, **area)
        .values("person_id")
        .distinct()
        .count()
    )
    coverage = None
    if ward_code:
        item = coverage_by_ward([ward_code]).get(ward_code)
        band = item.bands.get(18) if item else None
        rate = band.rate("fully") if band else None
        coverage = None if rate is None else round(100 * rate)
    return Figures(cases, quarantined, coverage)


def live_figures(ward_code: int | None, province_code: int | None) -> Figures | None:
    if not ward_code and not province_code:
        return None
    key = f"portal:figures:{ward_code}:{province_code}"
    figures = cache.get(key)
    if figures is None:
        figures = _count(ward_code, province_code)
        cache.set(key, figures, CACHE_SECONDS)
    return figures
