"""Keyset pages of the tracing API's lists: ``limit`` rows after an opaque ``cursor``.

A cursor names the last row of the previous page by its sort key and primary key
(``F1.1234``: level and pk; ``1732953600000000.77``: a window's start in microseconds and pk),
so a page costs the same at the start of a list of 80,000 contacts as at its end, and a
contact added meanwhile neither repeats nor shifts a row. Bad values are field errors (422).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import F, Field, Func, Value
from django.db.models.lookups import GreaterThan

from phongdich.lib.errors import InputErrors
from phongdich.tracing.models import Level

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputErrors.one(
            "limit",
            "out_of_range",
            f"Trường limit phải từ 1 đến {MAX_LIMIT}.",
            f"Field limit must be between 1 and {MAX_LIMIT}.",
        )
    return limit


def _bad_cursor() -> InputErrors:
    return InputErrors.one(
        "cursor",
        "bad_cursor",
        "Trường cursor không hợp lệ: dùng giá trị next_cursor của trang trước.",
        "Field cursor is not valid: pass the next_cursor of the previous page.",
    )


def _digits(raw: str, signed: bool = False) -> int:
    body = raw[1:] if signed and raw.startswith("-") else raw
    # ASCII digits a 64-bit column holds ("²".isdigit() is true; twenty digits overflow it).
    if not (body.isascii() and body.isdigit() and len(body) <= 18):
        raise _bad_cursor()
    return int(raw)


def _split(cursor: str) -> tuple[str, int]:
    key, dot, pk = cursor.rpartition(".")
    if not dot:
        raise _bad_cursor()
    return key, _digits(pk)


class Row(Func):
    """``(a, b)``: a row value, compared as a whole by both databases. ``(level, id) > (L, n)``
    is one range of the (case, level, id) index on PostgreSQL and SQLite, where the equivalent
    ``level > L OR (level = L AND id > n)`` is a filter on every row before the cursor."""

    template = "(%(expressions)s)"
    output_field = Field()


def after(fields: tuple[str, str], values: tuple[Any, int]) -> GreaterThan:
    return GreaterThan(Row(*(F(f) for f in fields)), Row(*(Value(v) for v in values)))


def contact_after(cursor: str) -> GreaterThan:
    """Contacts after the cursor in the order (level, pk)."""
    level, pk = _split(cursor)
    if level not in Level.values:
        raise _bad_cursor()
    return after(("level", "id"), (level, pk))


def contact_cursor(contact: dict[str, Any]) -> str:
    return f"{contact['level']}.{contact['pk']}"


def window_after(cursor: str) -> GreaterThan:
    """Exposure windows after the cursor in the order (start, pk)."""
    start, pk = _split(cursor)
    try:
        at = EPOCH + timedelta(microseconds=_digits(start, signed=True))
    except OverflowError:
        raise _bad_cursor() from None
    return after(("start", "id"), (at, pk))


def window_cursor(window: Any) -> str:
    delta = window.start - EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{window.pk}"


def page_of(
    queryset: Any,
    order: tuple[str, ...],
    limit: int,
    cursor: str,
    after: Callable[[str], Any],
    key: Callable[[Any], str],
    values: tuple[str, ...] = (),
) -> tuple[int, list[Any], str | None]:
    """(total, rows of this page, next cursor or None): one count, one page query. With
    ``values`` the rows are dicts of those fields (their joins stay out of the count)."""
    check_limit(limit)
    condition = after(cursor) if cursor else None
    total = queryset.count()
    if condition is not None:
        queryset = queryset.filter(condition)
    queryset = queryset.order_by(*order)
    if values:
        queryset = queryset.values(*values)
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return total, rows, key(rows[-1]) if more else None
