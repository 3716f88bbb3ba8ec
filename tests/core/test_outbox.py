"""The transactional outbox: events commit with their change or not at all, reach each handler
at least once, and a handler whose work is in the database sees each event exactly once, even
when the worker dies between a delivery and its acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from phongdich.core import events
from phongdich.core.models import OutboxDelivery, OutboxEvent, Rule


class Crash(BaseException):
    """A worker killed mid-way: not an Exception, so nothing catches it."""


@pytest.fixture
def registered():
    names: list[str] = []

    def register(topic: str, name: str, func):
        events.handler(topic, name)(func)
        names.append(name)
        return func

    yield register
    for name in names:
        events.unregister(name)


def _count_seen(event: events.Event) -> None:
    """A database-only handler: counts how often it has seen the event, in a Rule row."""
    rule, _ = Rule.objects.get_or_create(key=f"seen:{event.id}", defaults={"value": 0})
    Rule.objects.filter(pk=rule.pk).update(value=rule.value + 1)


def _seen(event_id: int) -> int:
    return Rule.objects.get(key=f"seen:{event_id}").value


pytestmark = pytest.mark.django_db(transaction=True)


def test_an_event_commits_with_its_change():
    with transaction.atomic():
        event = events.emit("case.opened", case_id=1, ward_id=14797, source="test")
    assert OutboxEvent.objects.get(pk=event.pk).payload == {
        "case_id": 1,
        "ward_id": 14797,
        "source": "test",
    }


def test_a_rolled_back_change_leaves_no_event():
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit("case.opened", case_id=1)
        raise RuntimeError("the change failed")
    assert not OutboxEvent.objects.exists()


def test_emit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        events.emit("case.opened", case_id=1)
    assert not OutboxEvent.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{"name": "Nguyễn Văn An"}, {"phone": "0912 345 678"}, {"note": "x" * 41}, {"at": 1.5}],
)
def test_events_carry_ids_and_codes_never_personal_data(payload):
    with pytest.raises(ValueError), transaction.atomic():
        events.emit("case.opened", **payload)
    assert not OutboxEvent.objects.exists()


def test_unknown_topics_are_refused():
    with pytest.raises(ValueError), transaction.atomic():
        events.emit("case.opend", case_id=1)
    with pytest.raises(ValueError):
        events.handler("no.such.topic")


def test_each_handler_gets_each_event_once(registered):
    seen_a, seen_b = [], []
    registered("case.opened", "test.a", lambda e: seen_a.append(e.payload["case_id"]))
    registered("case.opened", "test.b", lambda e: seen_b.append(e.id))
    with transaction.atomic():
        first = events.emit("case.opened", case_id=7)
        events.emit("venue.registered", venue_id=3)
    assert events.deliver_pending() == 2
    assert events.deliver_pending() == 0
    assert seen_a == [7]
    assert seen_b == [first.pk]
    assert OutboxEvent.objects.filter(delivered_at__isnull=True).count() == 0
    assert set(OutboxDelivery.objects.values_list("handler", flat=True)) == {"test.a", "test.b"}


def test_exactly_once_across_a_crash_between_delivery_and_acknowledgement(registered, monkeypatch):
    registered("case.opened", "test.count", _count_seen)
    with transaction.atomic():
        event = events.emit("case.opened", case_id=1)

    real_finish = events._finish

    def crash(row, error):
        raise Crash  # the handler's work has committed; the event is not marked delivered

    monkeypatch.setattr(events, "_finish", crash)
    with pytest.raises(Crash):
        events.deliver_pending()
    assert _seen(event.pk) == 1
    row = OutboxEvent.objects.get(pk=event.pk)
    assert row.delivered_at is None
    assert row.locked_until is not None
    # Another worker does not take it while the dead worker's lease runs...
    monkeypatch.setattr(events, "_finish", real_finish)
    assert events.deliver_pending() == 0
    # ...and after it, delivers it again: the handler is not run a second time.
    later = timezone.now() + events.LEASE + timedelta(seconds=1)
    assert events.deliver_pending(now=later) == 1
    assert _seen(event.pk) == 1
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None
    assert OutboxDelivery.objects.filter(event_id=event.pk).count() == 1


def test_exactly_once_across_a_crash_inside_the_handler(registered):
    calls = []

    def dies_after_writing(event):
        _count_seen(event)
        calls.append(event.id)
        if len(calls) == 1:
            raise Crash  # killed before its transaction committed

    registered("case.opened", "test.dies", dies_after_writing)
    with transaction.atomic():
        event = events.emit("case.opened", case_id=1)
    with pytest.raises(Crash):
        events.deliver_pending()
    assert not Rule.objects.filter(key=f"seen:{event.pk}").exists()  # rolled back with it
    later = timezone.now() + events.LEASE + timedelta(seconds=1)
    assert events.deliver_pending(now=later) == 1
    assert _seen(event.pk) == 1
    assert len(calls) == 2


def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(registered):
    ok = []
    registered("case.opened", "test.ok", lambda e: ok.append(e.id))
    registered("case.opened", "test.fails", lambda e: 1 / 0)
    with transaction.atomic():
        event = events.emit("case.opened", case_id=1)
    now = timezone.now()
    for attempt in range(1, events.MAX_ATTEMPTS + 1):
        assert events.deliver_pending(now=now) == 1
        row = OutboxEvent.objects.get(pk=event.pk)
        assert row.attempts == attempt
        assert "ZeroDivisionError" in row.last_error
        assert events.deliver_pending(now=now) == 0  # not before its back-off
        now = row.available_at + timedelta(seconds=1)
    assert row.dead
    assert events.deliver_pending(now=now + timedelta(days=1)) == 0
    assert ok == [event.pk]  # the other handler ran once, not once per retry

    events.unregister("test.fails")
    assert events.retry_dead([event.pk]) == 1
    assert events.deliver_pending() == 1
    row = OutboxEvent.objects.get(pk=event.pk)
    assert row.delivered_at is not None
    assert not row.dead


def test_many_ids_are_split_into_chunks():
    ids = list(range(1, 2 * events.CHUNK + 2))
    with transaction.atomic():
        assert events.emit_many("contacts.found", "contact_ids", ids, case_id=5) == 3
    rows = OutboxEvent.objects.order_by("pk")
    assert [len(r.payload["contact_ids"]) for r in rows] == [events.CHUNK, events.CHUNK, 1]
    assert [i for r in rows for i in r.payload["contact_ids"]] == ids


def test_delivered_events_are_purged_after_thirty_days():
    with transaction.atomic():
        old = events.emit("case.opened", case_id=1)
        events.emit("case.opened", case_id=2)
    OutboxEvent.objects.filter(pk=old.pk).update(delivered_at=timezone.now() - timedelta(days=31))
    assert events.purge_delivered() == 1
    assert OutboxEvent.objects.count() == 1


def test_the_worker_delivers_events(registered):
    from django.core.management import call_command

    seen = []
    registered("venue.registered", "test.worker", lambda e: seen.append(e.payload["venue_id"]))
    with transaction.atomic():
        events.emit("venue.registered", venue_id=9)
    call_command("worker", "--once", "--jobs-only", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert seen == [9]


def test_the_worker_logs_a_job_only_when_it_did_something():
    from phongdich.core.management.commands.worker import _did_something

    assert not _did_something({"placed": 0, "recorded": 0})
    assert not _did_something(None) and not _did_something(0) and not _did_something({})
    assert _did_something({"placed": 1, "recorded": 0}) and _did_something(3)
