"""Visitor counters as the seed page shows them (Hôm nay / Hôm qua / Tuần này / Tháng này /
Tất cả), kept privacy-friendly: one integer per page per day, nothing about the visitor (no
address, cookie or user agent is stored). A view adds one with a single upsert, so parallel
views never lose a count (docs/reference/portal.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A simple rule: crawlers, link previews and command-line fetchers announce themselves.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|zalo|preview|curl|wget|python-|httpx|"
    r"go-http|java/|libwww|scrapy|monitor|uptime",
    re.IGNORECASE,
)


class PageViewDay(models.Model):
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "day"], name="one_counter_per_page_per_day")
        ]
        verbose_name = _("page views on a day")

    def __str__(self) -> str:
        return f"{self.page_id} {self.day}: {self.views}"


def is_bot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    purpose = request.META.get("HTTP_SEC_PURPOSE", "") or request.META.get("HTTP_PURPOSE", "")
    return not agent or bool(BOT_RE.search(agent)) or "prefetch" in purpose


def count_view(page_id: int, today: date | None = None) -> None:
    """One more view of ``page_id`` today: INSERT … ON CONFLICT DO UPDATE SET views = views + 1,
    the same statement on SQLite (≥ 3.24) and PostgreSQL, atomic in one round trip."""
    day = today or timezone.localdate()
    table = PageViewDay._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (page_id, day, views) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (page_id, day) DO UPDATE SET views = {table}.views + 1",
            [page_id, connection.ops.adapt_datefield_value(day)],
        )


@dataclass(frozen=True)
class Visits:
    today: int
    yesterday: int
    week: int
    month: int
    total: int


def visits(section_path: str | None = None, today: date | None = None) -> Visits:
    """Views of the pages under ``section_path`` (a Wagtail tree path; None = every page)."""
    day = today or timezone.localdate()
    week_start = day - timedelta(days=day.weekday())
    month_start = day.replace(day=1)
    rows = PageViewDay.objects.all()
    if section_path:
        rows = rows.filter(page__path__startswith=section_path)
    sums = rows.aggregate(
        today=Sum("views", filter=Q(day=day), default=0),
        yesterday=Sum("views", filter=Q(day=day - timedelta(days=1)), default=0),
        week=Sum("views", filter=Q(day__gte=week_start, day__lte=day), default=0),
        month=Sum("views", filter=Q(day__gte=month_start, day__lte=day), default=0),
        total=Sum("views", default=0),
    )
    return Visits(**sums)


def page_total(page_id: int) -> int:
    return PageViewDay.objects.filter(page_id=page_id).aggregate(n=Sum("views", default=0))["n"]
