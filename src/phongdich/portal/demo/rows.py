"""Visit rows straight into ``INSERT … VALUES``, for the one table with hundreds of thousands of rows.

``bulk_create`` builds a model instance per row and runs every field's preparation for every
value: about 100 µs of CPU a visit on the 2-core development machine, against 22 µs here, which
is what keeps ``phongdich demo --people 20000`` well under a minute. Here the values are made in
the database's own format (through the connection's adapters, the ones ``bulk_create`` ends up
calling; repeated JSON values once) and sent with ``executemany``. Columns the demo does not know about get their
model default, so a new nullable or defaulted field does not break the demo; a new required
field without a default stops it with a clear message.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from phongdich.checkpoints.models import Visit
from phongdich.portal.demo.seeded import client_uuid

VISIT_COLUMNS = (
    "client_id", "venue_id", "person_id", "source", "checked_in_at", "received_at",
    "expected_out_at", "checked_out_at", "checkout_received_at", "checkout_kind",
    "form_version", "symptoms", "exposures", "conditions", "travel", "flagged",
)  # fmt: skip
PERSON, VENUE, CHECKED_OUT, CHECKOUT_KIND, FLAGGED = (
    VISIT_COLUMNS.index(c)
    for c in ("person_id", "venue_id", "checked_out_at", "checkout_kind", "flagged")
)


class Adapt:
    """Python values → the database's format, as Django's field preparation would give them."""

    def __init__(self) -> None:
        self.ops = connection.ops
        self.native_uuid = connection.features.has_native_uuid_field
        self.json_cache: dict[tuple[str, ...], Any] = {}
        self.minute_cache: dict[datetime, list[str]] = {}
        self.naive_utc_text = connection.vendor == "sqlite" and bool(settings.USE_TZ)

    def at(self, value: datetime) -> Any:
        return self.ops.adapt_datetimefield_value(value)

    def clock(self, midnight: datetime) -> Callable[[int], Any]:
        """Whole seconds after ``midnight`` (aware; at most two days after) → a stored datetime.

        On SQLite Django stores the text of the naive UTC time, "2026-11-25 03:30:07"; the text
        of every minute of the two days is made once and the seconds appended, several times
        faster than adapting an aware datetime per value, with the same result.
        """
        if not self.naive_utc_text:
            adapt = self.ops.adapt_datetimefield_value
            return lambda seconds: adapt(midnight + timedelta(seconds=seconds))
        minutes = self.minute_cache.get(midnight)
        if minutes is None:
            base = midnight.astimezone(UTC).replace(tzinfo=None)
            minutes = [str(base + timedelta(minutes=m))[:17] for m in range(2 * 24 * 60)]
            self.minute_cache = {midnight: minutes}

        def text(seconds: int) -> str:
            minute, second = divmod(seconds, 60)
            return f"{minutes[minute]}{second:02d}"

        return text

    def client_id(self, rng: random.Random) -> Any:
        """``seeded.client_uuid(rng)`` as stored; on SQLite its hex made straight from the bits
        (the same version and variant bits ``uuid.UUID(int=…, version=4)`` sets)."""
        if self.native_uuid:
            return client_uuid(rng)
        bits = rng.getrandbits(128) & ~(0xC000 << 48) | 0x8000 << 48
        return f"{bits & ~(0xF000 << 64) | 4 << 76:032x}"

    def json(self, value: Sequence[str]) -> Any:
        """The demo's JSON values are short lists from small menus: adapt each list once."""
        key = tuple(value)
        adapted = self.json_cache.get(key)
        if adapted is None:
            adapted = self.json_cache[key] = self.ops.adapt_json_value(list(value), None)
        return adapted


class RowWriter:
    """``INSERT`` of prepared rows with ``executemany``: one statement stepped per row on SQLite,
    pipelined by psycopg on PostgreSQL (measured faster there than multi-row ``VALUES``)."""

    def __init__(self, model: type[Model], columns: Sequence[str]) -> None:
        given = set(columns)
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in given and not f.primary_key
        ]
        self.constants = tuple(_default(model, f) for f in rest)
        quote = connection.ops.quote_name
        names = ", ".join(
            quote(c) for c in [*(_column(model, c) for c in columns), *(f.column for f in rest)]
        )
        marks = ", ".join(["%s"] * (len(columns) + len(rest)))
        self.sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.constants:
            rows = [row + self.constants for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


def visit_row(**values: Any) -> tuple:
    """A row in ``VISIT_COLUMNS`` order from named values (the hot path builds tuples itself)."""
    if values.keys() != set(VISIT_COLUMNS):
        raise TypeError(f"visit columns differ: {sorted(values.keys() ^ set(VISIT_COLUMNS))}")
    return tuple(values[column] for column in VISIT_COLUMNS)


def visit_writer() -> RowWriter:
    return RowWriter(Visit, VISIT_COLUMNS)


def _column(model: type[Model], attname: str) -> str:
    return next(f.column for f in model._meta.concrete_fields if f.attname == attname)


def _default(model: type[Model], field: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = timezone.now()
    else:
        value = field.get_default()
    if value is None and not field.null:
        raise RuntimeError(
            f"{model.__name__}.{field.name} is required and has no default: "
            "the demo (portal/demo/visits.py) must fill it in."
        )
    return field.get_db_prep_save(value, connection)
