"""Domain events through a transactional outbox.

An app that changes something other apps may care about calls ``emit`` inside the transaction
that makes the change: the event row commits with the change or not at all. The worker
(``deliver_pending``) hands each event to the handlers registered for its topic, at least once,
with retries and a dead letter after ``MAX_ATTEMPTS``. A handler's work and its acknowledgement
(``OutboxDelivery``) commit together, so a handler that only writes to the database sees each
event exactly once, even when the worker dies between a delivery and marking the event done;
a handler with effects outside the database (an SMS) dedupes on ``event.id`` itself.

Lower apps publish; higher apps subscribe (``@handler("case.opened")`` in their
``AppConfig.ready``). Events carry ids and codes, never personal data: ``emit`` refuses
anything else.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from phongdich.core.models import OutboxDelivery, OutboxEvent

log = logging.getLogger(__name__)

# Every topic an app may emit; a typo fails at once instead of publishing to nobody.
TOPICS = frozenset(
    {
        "case.opened",
        "contacts.found",
        "exposure_window.found",
        "contact.status_changed",
        "result.released",
        "dose.recorded",
        "certificate.issued",
        "venue.registered",
        "care.enrolled",
        "care.alert_raised",
        "care.report_missed",
        "care.closed",
        "risk_level.changed",
        "inspection_fix.done",
        "inspection_fix.overdue",
    }
)
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a worker that died holding an event frees it after this
CHUNK = 1000  # ids per event for events that list many (contacts.found)


@dataclass(frozen=True)
class Event:
    id: int
    topic: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Handler:
    topic: str
    name: str
    func: Callable[[Event], object]


_HANDLERS: dict[str, list[Handler]] = {}


def handler(topic: str, name: str | None = None) -> Callable:
    """Register ``func(event)`` for ``topic``. ``name`` identifies its acknowledgements: keep it
    stable (renaming a handler makes it see the undelivered events again)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown event topic {topic!r}")

    def register(func: Callable[[Event], object]) -> Callable[[Event], object]:
        key = name or f"{func.__module__}.{func.__qualname__}"
        handlers = _HANDLERS.setdefault(topic, [])
        handlers[:] = [h for h in handlers if h.name != key] + [Handler(topic, key, func)]
        return func

    return register


def handlers_for(topic: str) -> list[Handler]:
    return list(_HANDLERS.get(topic, ()))


def unregister(name: str) -> None:
    for topic, handlers in _HANDLERS.items():
        _HANDLERS[topic] = [h for h in handlers if h.name != name]


def _check_payload(payload: dict[str, Any]) -> None:
    for key, value in payload.items():
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            if v is None or isinstance(v, bool | int):
                continue
            if (
                isinstance(v, str)
                and len(v) <= 40
                and v.replace("_", "").replace("-", "").isalnum()
            ):
                continue  # codes (a status, a venue code), never free text
            raise ValueError(
                f"event payload {key!r} must hold ids or codes, not {type(v).__name__}"
            )


def emit(topic: str, **payload: Any) -> OutboxEvent:
    """Record an event in the caller's transaction (it commits or rolls back with the change)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown event topic {topic!r}")
    _check_payload(payload)
    if not connection.in_atomic_block:
        raise RuntimeError("emit() belongs inside the transaction that makes the change")
    now = timezone.now()
    return OutboxEvent.objects.create(
        topic=topic, payload=_jsonable(payload), created_at=now, available_at=now
    )


def emit_many(topic: str, key: str, ids: list[int], **payload: Any) -> int:
    """One event per ``CHUNK`` ids (a case at a market finds thousands of contacts)."""
    count = 0
    for start in range(0, len(ids), CHUNK):
        emit(topic, **payload, **{key: list(ids[start : start + CHUNK])})
        count += 1
    return count


def _jsonable(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in payload.items()}


def _claim(limit: int, now: datetime) -> list[OutboxEvent]:
    """Claim due events with a conditional UPDATE each (a lease), so two workers never deliver
    the same event at once and a dead worker's events come back after ``LEASE``."""
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    due = OutboxEvent.objects.filter(
        free, delivered_at__isnull=True, dead=False, available_at__lte=now
    )
    claimed = []
    for pk in due.order_by("available_at", "pk").values_list("pk", flat=True)[:limit]:
        if OutboxEvent.objects.filter(free, pk=pk, delivered_at__isnull=True).update(
            locked_until=now + LEASE
        ):
            claimed.append(pk)
    return list(OutboxEvent.objects.filter(pk__in=claimed).order_by("pk"))


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** (attempts - 1)))


def deliver(row: OutboxEvent) -> bool:
    """Run every handler of the event that has not acknowledged it; True when all have."""
    event = Event(row.pk, row.topic, dict(row.payload), row.created_at)
    done = set(OutboxDelivery.objects.filter(event_id=row.pk).values_list("handler", flat=True))
    errors = []
    for h in handlers_for(row.topic):
        if h.name in done:
            continue
        try:
            with transaction.atomic():
                h.func(event)
                OutboxDelivery.objects.create(event_id=row.pk, handler=h.name)
        except Exception as error:  # one failing handler must not stop the others
            log.exception("event %s #%s: handler %s failed", row.topic, row.pk, h.name)
            errors.append(f"{h.name}: {type(error).__name__}: {error}")
    _finish(row, "\n".join(errors)[:4000])
    return not errors


def _finish(row: OutboxEvent, error: str) -> None:
    now = timezone.now()
    attempts = row.attempts + 1
    if not error:
        OutboxEvent.objects.filter(pk=row.pk).update(
            delivered_at=now, locked_until=None, attempts=attempts, last_error=""
        )
        return
    OutboxEvent.objects.filter(pk=row.pk).update(
        attempts=attempts,
        last_error=error,
        locked_until=None,
        dead=attempts >= MAX_ATTEMPTS,
        available_at=now + _backoff(attempts),
    )


def deliver_pending(limit: int = 200, now: datetime | None = None) -> int:
    """Deliver due events (the worker calls this every second); returns how many were handled."""
    rows = _claim(limit, now or timezone.now())
    for row in rows:
        deliver(row)
    return len(rows)


def retry_dead(ids: list[int]) -> int:
    """Give dead letters another round (the admin's action, after the cause is fixed)."""
    return OutboxEvent.objects.filter(pk__in=ids, delivered_at__isnull=True).update(
        dead=False, attempts=0, available_at=timezone.now(), locked_until=None
    )


def purge_delivered(older_than: timedelta = timedelta(days=30)) -> int:
    cutoff = timezone.now() - older_than
    return OutboxEvent.objects.filter(delivered_at__lt=cutoff).delete()[0]
