"""The worker's sending: approval, opt-outs, quiet hours, the daily cap, and no message twice
(a second round, two workers at once, a worker that stopped mid-batch)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import close_old_connections
from django.utils import timezone

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign, Recipient, RecipientStatus, Status
from phongdich.campaigns.reports import results
from phongdich.core import sms
from phongdich.core.models import Rule
from phongdich.core.rules import _cache
from phongdich.lib.errors import InputErrors
from phongdich.lib.timeutil import VN_TZ
from tests.campaigns.conftest import campaign_data, make_person


def _set_rule(key, value):
    import phongdich.core.rules as rules

    Rule.objects.update_or_create(key=key, defaults={"value": value})
    _cache.clear()
    rules._loaded_at = 0.0


def _sent_to(console) -> list[str]:
    return [m.to for m in console.outbox]


@pytest.mark.django_db
def test_a_due_campaign_goes_to_everyone_once_with_the_opt_out_footer(
    ward_officer, console, daytime
):
    people = [make_person() for _ in range(5)]
    refused = make_person()
    sms.do_opt_out(refused.phone)
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    assert campaign.status == Status.SCHEDULED and campaign.estimated == 5

    totals = sending.run()
    again = sending.run()

    assert sorted(_sent_to(console)) == sorted(p.phone for p in people)
    assert totals["sent"] == 5 and again.get("sent", 0) == 0
    assert console.outbox[0].text.endswith("Tra loi TC de tu choi nhan tin.")
    campaign.refresh_from_db()
    assert campaign.status == Status.SENT
    table = results(campaign)
    assert (table["sent"], table["opted_out"], table["waiting"], table["total"]) == (5, 1, 0, 6)


@pytest.mark.django_db
def test_a_later_opt_out_is_honoured_at_sending(ward_officer, console, daytime):
    person = make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    sending.start_due(timezone.now())
    sms.do_opt_out(person.phone)
    sending.run()
    assert console.outbox == type(console.outbox)(maxlen=console.outbox.maxlen)
    assert results(campaign)["opted_out"] == 1


@pytest.mark.django_db
def test_scheduled_later_waits_and_cancelled_never_goes(ward_officer, console, daytime):
    make_person()
    later = actions.do_create_campaign(
        ward_officer, campaign_data(scheduled_at=(timezone.now() + timedelta(hours=2)).isoformat())
    )
    sending.run()
    assert not console.outbox and Campaign.objects.get(pk=later.pk).status == Status.SCHEDULED
    actions.do_cancel_campaign(ward_officer, later)
    sending.run(now=timezone.now() + timedelta(hours=3))
    assert not console.outbox
    assert Campaign.objects.get(pk=later.pk).status == Status.CANCELLED


@pytest.mark.django_db
def test_nothing_is_sent_in_quiet_hours(ward_officer, console, time_machine):
    time_machine.move_to(datetime(2026, 3, 10, 22, 30, tzinfo=VN_TZ), tick=True)
    make_person()
    actions.do_create_campaign(ward_officer, campaign_data())
    totals = sending.run()
    assert totals.get("quiet") == 1 and not console.outbox
    time_machine.move_to(datetime(2026, 3, 11, 7, 1, tzinfo=VN_TZ), tick=True)
    assert sending.run()["sent"] == 1


@pytest.mark.django_db
def test_the_daily_cap_defers_to_tomorrow(ward_officer, console, daytime):
    _set_rule("campaigns.daily_cap", 1)
    person = make_person()
    first = actions.do_create_campaign(ward_officer, campaign_data(title="Một"))
    sending.run()
    second = actions.do_create_campaign(ward_officer, campaign_data(title="Hai"))
    totals = sending.run()
    assert totals["deferred"] == 1 and _sent_to(console) == [person.phone]
    row = Recipient.objects.get(campaign=second)
    assert row.status == RecipientStatus.PENDING
    assert row.not_before.astimezone(VN_TZ).hour == 7
    assert Campaign.objects.get(pk=second.pk).status == Status.SENDING
    assert Campaign.objects.get(pk=first.pk).status == Status.SENT


@pytest.mark.django_db
def test_a_large_campaign_waits_for_a_second_persons_approval(
    ward_officer, chairperson, console, daytime
):
    _set_rule("campaigns.approval_above", 2)
    for _ in range(3):
        make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    assert campaign.status == Status.AWAITING_APPROVAL
    sending.run()
    assert not console.outbox
    with pytest.raises(Exception):  # the author is not an approver  # noqa: B017
        actions.do_approve_campaign(ward_officer, campaign)
    actions.do_approve_campaign(chairperson, campaign)
    with pytest.raises(InputErrors):
        actions.do_approve_campaign(chairperson, campaign)  # once only
    assert sending.run()["sent"] == 3


@pytest.mark.django_db
def test_a_worker_that_stopped_mid_batch_never_sends_those_again(ward_officer, console, daytime):
    for _ in range(3):
        make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    sending.start_due(timezone.now())
    _token, rows = sending.claim_batch(2, timezone.now())  # …and the worker dies here
    assert len(rows) == 2
    sending.run()
    assert len(console.outbox) == 1
    sending.run(now=timezone.now() + sending.LEASE + timedelta(seconds=1))
    assert len(console.outbox) == 1
    table = results(campaign)
    assert (table["uncertain"], table["sent"]) == (2, 1)
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(ward_officer, console, daytime):

    for _ in range(60):
        make_person()
    _set_rule("campaigns.batch_size", 7)
    actions.do_create_campaign(ward_officer, campaign_data())
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            sending.run()
        except Exception as exc:  # pragma: no cover - shown below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    sent = _sent_to(console)
    assert len(sent) == 60 and len(set(sent)) == 60
    assert Recipient.objects.filter(status=RecipientStatus.ACCEPTED).count() == 60


@pytest.mark.django_db
def test_reserve_sends_counts_fresh_and_known_numbers_up_to_the_cap():
    from datetime import date

    day = date(2026, 3, 10)
    a, b, c = (sms.number_key(p) for p in ("+84981000001", "+84981000002", "+84981000003"))
    assert sms.reserve_sends([a, b], day, 2) == {a, b}  # both fresh: one insert
    assert sms.reserve_sends([a, b, c, c], day, 2) == {a, b, c}  # a key twice counts once
    assert sms.reserve_sends([a, b, c], day, 2) == {c}
    assert sms.reserve_sends([a, b, c], day, 2) == set()
    assert sms.reserve_sends([a], date(2026, 3, 11), 2) == {a}  # a new day


@pytest.mark.django_db
def test_the_worker_command_runs_the_campaign_job(ward_officer, console, daytime):
    import io

    from django.core.management import call_command

    person = make_person()
    actions.do_create_campaign(ward_officer, campaign_data())
    out = io.StringIO()
    call_command("worker", once=True, jobs_only=True, stdout=out)
    assert "campaigns.send" in out.getvalue()
    assert _sent_to(console) == [person.phone]
