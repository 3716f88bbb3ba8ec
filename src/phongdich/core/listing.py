"""Staff lists that scale: one page at a time, a search, filters, a sort, the total, and how
many rows the caller's jurisdiction hides. Views hand in a queryset already scoped by
``access_*``/``area_q``; this module only narrows and orders it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse

from phongdich.lib.exports import CellValue, iter_csv, write_xlsx
from phongdich.lib.text import fold
from phongdich.lib.timeutil import local_day_bounds

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

PER_PAGE = 50


@dataclass
class Listing:
    page: Page
    total: int
    hidden: int = 0
    sort: str = ""
    values: dict[str, str] = field(default_factory=dict)  # the search and filters as typed

    @property
    def rows(self) -> list[Any]:
        return list(self.page.object_list)

    def query(self, **changes: Any) -> str:
        """The list's query string with ``changes`` (``page=2``, ``sort="name"``)."""
        params = {**self.values, "sort": self.sort, **changes}
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})

    @property
    def filtered(self) -> bool:
        return any(v for k, v in self.values.items() if k != "sort")


def make_listing(
    request: Any,
    queryset: QuerySet,
    *,
    sorts: Mapping[str, tuple[str, ...]],
    filters: Mapping[str, Callable[[str], Q | None]] | None = None,
    search: Callable[[str], Q] | None = None,
    hidden: int = 0,
    per_page: int = PER_PAGE,
    total: int | None = None,
) -> Listing:
    """Apply ``?q=`` (``search``), each filter whose parameter is set, ``?sort=`` (one of
    ``sorts``, the first is the default) and ``?page=``. A filter returns None for a value it
    does not know, which is ignored rather than an error page. ``total``: the size of the
    unfiltered list when the caller has already counted it (no second count then)."""
    get = request.GET
    values: dict[str, str] = {}
    # NUL: PostgreSQL refuses it in any text parameter (a 500); no one searches for it.
    q = get.get("q", "").replace("\x00", "").strip()[:100]
    if search is not None and q:
        queryset = queryset.filter(search(q))
        values["q"] = q
    for name, make_q in (filters or {}).items():
        raw = get.get(name, "").replace("\x00", "").strip()[:100]
        condition = make_q(raw) if raw else None
        if condition is not None:
            queryset = queryset.filter(condition)
            values[name] = raw
    sort = get.get("sort", "")
    if sort not in sorts:
        sort = next(iter(sorts))
    queryset = queryset.order_by(*sorts[sort])
    paginator = Paginator(queryset, per_page)
    if total is not None and not values:
        paginator.count = total  # a cached_property: the instance's value stands in for it
    page = paginator.get_page(get.get("page"))
    return Listing(page=page, total=paginator.count, hidden=hidden, sort=sort, values=values)


def int_filter(field_name: str) -> Callable[[str], Q | None]:
    # ASCII digits a 64-bit column holds: "²".isdigit() and twenty digits gave 500s.
    return lambda raw: (
        Q(**{field_name: int(raw)}) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
    )


def choice_filter(field_name: str, choices: Mapping[str, Any] | list) -> Callable[[str], Q | None]:
    allowed = {c[0] if isinstance(c, tuple) else c for c in choices}
    return lambda raw: Q(**{field_name: raw}) if raw in allowed else None


def parse_date(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        return None


def day_filter(lookup: str, end: bool = False) -> Callable[[str], Q | None]:
    """``?since=``/``?until=`` on a timestamp: the Vietnamese calendar day's start (or end)."""

    def make(raw: str) -> Q | None:
        day = parse_date(raw)
        if day is None:
            return None
        try:
            return Q(**{lookup: local_day_bounds(day)[1 if end else 0]})
        except OverflowError:  # 0001-01-01 or 9999-12-31: no such moment in UTC
            return None

    return make


def date_filter(lookup: str) -> Callable[[str], Q | None]:
    """``?since=``/``?until=`` on a date field (``date__gte``, ``date__lte``)."""
    return lambda raw: Q(**{lookup: day}) if (day := parse_date(raw)) else None


def person_search(prefix: str, q: str) -> Q:
    """A name typed with or without diacritics, or a phone number in any spelling."""
    digits = "".join(ch for ch in q if ch.isdigit())
    found = Q(**{f"{prefix}name_folded__contains": fold(q)})
    if len(digits) >= 4:
        found |= Q(**{f"{prefix}phone__contains": digits.removeprefix("84").lstrip("0")})
    return found


def export_response(
    rows: Iterable[Sequence[CellValue]], headers: Sequence[str], name: str, fmt: str
) -> HttpResponse:
    """Every row of a list, never its first page: CSV streams as the rows are read, XLSX is
    built from the same iterator in openpyxl's write-only mode. The caller audits."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    if fmt == "xlsx":
        response: HttpResponse = HttpResponse(write_xlsx(rows, headers), content_type=XLSX_TYPE)
    else:
        response = StreamingHttpResponse(
            iter_csv(rows, headers), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
