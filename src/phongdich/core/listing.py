"""Staff lists that scale: one page at a time, a search, filters, a sort, the total, and how
many rows the caller's jurisdiction hides. Views hand in a queryset already scoped by
``access_*``/``area_q``; this module only narrows and orders it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

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
) -> Listing:
    """Apply ``?q=`` (``search``), each filter whose parameter is set, ``?sort=`` (one of
    ``sorts``, the first is the default) and ``?page=``. A filter returns None for a value it
    does not know, which is ignored rather than an error page."""
    get = request.GET
    values: dict[str, str] = {}
    q = get.get("q", "").strip()[:100]
    if search is not None and q:
        queryset = queryset.filter(search(q))
        values["q"] = q
    for name, make_q in (filters or {}).items():
        raw = get.get(name, "").strip()[:100]
        condition = make_q(raw) if raw else None
        if condition is not None:
            queryset = queryset.filter(condition)
            values[name] = raw
    sort = get.get("sort", "")
    if sort not in sorts:
        sort = next(iter(sorts))
    queryset = queryset.order_by(*sorts[sort])
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(get.get("page"))
    return Listing(page=page, total=paginator.count, hidden=hidden, sort=sort, values=values)


def int_filter(field_name: str) -> Callable[[str], Q | None]:
    return lambda raw: Q(**{field_name: int(raw)}) if raw.isdigit() else None


def choice_filter(field_name: str, choices: Mapping[str, Any] | list) -> Callable[[str], Q | None]:
    allowed = {c[0] if isinstance(c, tuple) else c for c in choices}
    return lambda raw: Q(**{field_name: raw}) if raw in allowed else None
