"""Sending campaigns in the worker (``campaigns.tasks``): start the due ones, claim batches of
recipients, send them through the campaign's channel, record what happened.

**No message twice.** Recipients are rows with a unique message id and a unique number per
campaign. A worker claims a batch with one conditional UPDATE (``pending`` → ``sending``, a
claim token and a lease; on PostgreSQL the candidates are read ``FOR UPDATE SKIP LOCKED``, on
SQLite writers queue anyway), so two workers never hold the same row. A worker that stops
after claiming leaves rows ``sending``; when the lease has run out they become ``uncertain``,
never ``pending`` again: the gateway may have taken them, and sending once is worth more than
sending surely (a delivery report still marks them delivered).

**Rules kept for every message:** the opt-out list at the moment of sending; quiet hours
(nothing is claimed outside them); the daily cap per number (``core.sms.reserve_sends``: a
number at its cap waits for tomorrow's opening).
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from phongdich.campaigns import rules, texts
from phongdich.campaigns.channels import Claimed, channel
from phongdich.campaigns.models import Campaign, Recipient, RecipientStatus, Status
from phongdich.campaigns.segments import Segment, audience
from phongdich.core import sms
from phongdich.core.rules import get_rule
from phongdich.lib.sms.gateway import new_message_id
from phongdich.lib.sms.policy import QuietHours, is_quiet, next_allowed_time
from phongdich.lib.timeutil import local_date

LEASE = timedelta(minutes=2)
CHUNK = 2000


def quiet_hours() -> QuietHours:
    from datetime import time as clock

    return QuietHours(
        clock(get_rule(rules.QUIET_FROM.key)), clock(min(get_rule(rules.QUIET_UNTIL.key), 23))
    )


def materialise(campaign: Campaign) -> int:
    """Turn the segment into recipients (idempotent: a second run adds nobody); numbers on the
    opt-out list are recorded as such and never sent to."""
    people = audience(Segment.from_dict(campaign.segment), campaign.started_at)
    seen: set[str] = set()
    added = 0
    batch: list[tuple[int, str]] = []

    def flush() -> int:
        opted = sms.opted_out_keys(k for _, k in batch)
        rows = [
            Recipient(
                campaign=campaign,
                person_id=pk,
                number_key=key,
                message_id=new_message_id(),
                status=RecipientStatus.OPTED_OUT if key in opted else RecipientStatus.PENDING,
            )
            for pk, key in batch
        ]
        Recipient.objects.bulk_create(rows, ignore_conflicts=True)
        batch.clear()
        return len(rows)

    for pk, phone in people.order_by("pk").values_list("pk", "phone").iterator(chunk_size=CHUNK):
        key = sms.number_key(phone)
        if key in seen:
            continue
        seen.add(key)
        batch.append((pk, key))
        if len(batch) >= CHUNK:
            added += flush()
    if batch:
        added += flush()
    Campaign.objects.filter(pk=campaign.pk).update(estimated=len(seen), listed_at=timezone.now())
    return added


def start_due(now: datetime) -> list[int]:
    """Move due scheduled campaigns to ``sending`` (one worker wins each) and list their
    recipients; a campaign whose listing was interrupted is listed again (adds nobody twice)."""
    started = []
    for pk in Campaign.objects.filter(status=Status.SCHEDULED, scheduled_at__lte=now).values_list(
        "pk", flat=True
    ):
        if Campaign.objects.filter(pk=pk, status=Status.SCHEDULED).update(
            status=Status.SENDING, started_at=now
        ):
            started.append(pk)
    for campaign in Campaign.objects.filter(status=Status.SENDING, listed_at__isnull=True):
        materialise(campaign)
    return started


def release_stale(now: datetime) -> int:
    """Rows a stopped worker held past their lease: ``uncertain``, never sent again."""
    return Recipient.objects.filter(status=RecipientStatus.SENDING, claimed_until__lt=now).update(
        status=RecipientStatus.UNCERTAIN, claim=""
    )


def claim_batch(size: int, now: datetime) -> tuple[str, list[Recipient]]:
    token = uuid.uuid4().hex
    due = Q(status=RecipientStatus.PENDING) & (Q(not_before__isnull=True) | Q(not_before__lte=now))
    with transaction.atomic():
        candidates = Recipient.objects.filter(due, campaign__status=Status.SENDING).order_by("pk")
        if connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:size])
        if not ids:
            return token, []
        Recipient.objects.filter(pk__in=ids, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.SENDING, claim=token, claimed_until=now + LEASE
        )
    rows = list(
        Recipient.objects.filter(claim=token, status=RecipientStatus.SENDING).select_related(
            "campaign", "person"
        )
    )
    return token, rows


def _set(ids: list[int], token: str, **values) -> None:
    for start in range(0, len(ids), 500):
        Recipient.objects.filter(
            pk__in=ids[start : start + 500], claim=token, status=RecipientStatus.SENDING
        ).update(**values)


def send_batch(token: str, rows: list[Recipient], now: datetime) -> dict[str, int]:
    """Apply the opt-out list and the daily cap, send the rest, record every outcome."""
    counts = {"sent": 0, "failed": 0, "opted_out": 0, "deferred": 0}
    opted = sms.opted_out_keys(r.number_key for r in rows)
    out_ids = [r.pk for r in rows if r.number_key in opted]
    _set(out_ids, token, status=RecipientStatus.OPTED_OUT, claim="")
    counts["opted_out"] = len(out_ids)
    rows = [r for r in rows if r.number_key not in opted]
    # Calls keep their own daily cap (outreach's call plans): only SMS spend the SMS cap.
    capped = [r for r in rows if channel(r.campaign.channel).counts_sms]
    allowed = sms.reserve_sends(
        [r.number_key for r in capped], local_date(now), get_rule(rules.DAILY_CAP.key)
    )
    allowed |= {r.number_key for r in rows if not channel(r.campaign.channel).counts_sms}
    later = [r.pk for r in rows if r.number_key not in allowed]
    if later:
        tomorrow = next_allowed_time(
            timezone.localtime(now).replace(hour=23, minute=59), quiet_hours()
        )
        _set(later, token, status=RecipientStatus.PENDING, claim="", not_before=tomorrow)
        counts["deferred"] = len(later)
    rows = [r for r in rows if r.number_key in allowed]
    by_campaign: dict[int, list[Recipient]] = {}
    for r in rows:
        by_campaign.setdefault(r.campaign_id, []).append(r)
    threads = get_rule(rules.THREADS.key)
    for group in by_campaign.values():
        campaign = group[0].campaign
        text = texts.final_text(campaign.text, campaign.ascii_only)
        claimed = [Claimed(r.pk, r.message_id, r.person.phone) for r in group]
        outcomes = channel(campaign.channel).send_batch(text, claimed, threads)
        sent_at = timezone.now()
        ok = [pk for pk, o in outcomes.items() if o.ok]
        _set(ok, token, status=RecipientStatus.ACCEPTED, submitted_at=sent_at)
        counts["sent"] += len(ok)
        failed: dict[str, list[int]] = {}
        for pk, o in outcomes.items():
            if not o.ok:
                failed.setdefault(o.error or "failed", []).append(pk)
        for code, ids in failed.items():
            _set(ids, token, status=RecipientStatus.FAILED, error=code[:40])
            counts["failed"] += len(ids)
        # Reports can come back before the outcome above is written: they already moved the
        # row on; record the submit time there too.
        Recipient.objects.filter(
            pk__in=[r.pk for r in group], claim=token, submitted_at__isnull=True
        ).exclude(status=RecipientStatus.FAILED).update(submitted_at=sent_at)
    return counts


def finish_done(now: datetime) -> int:
    """Listed campaigns with nothing left to send are ``sent`` (a call campaign: every call
    has its outcome)."""
    done = 0
    busy = [RecipientStatus.PENDING, RecipientStatus.SENDING]
    for pk, code in Campaign.objects.filter(
        status=Status.SENDING, listed_at__isnull=False
    ).values_list("pk", "channel"):
        going = busy + [RecipientStatus.ACCEPTED] * channel(code).waits_for_outcome
        if not Recipient.objects.filter(campaign_id=pk, status__in=going).exists():
            done += Campaign.objects.filter(pk=pk, status=Status.SENDING).update(
                status=Status.SENT, finished_at=now
            )
    return done


def run(budget_seconds: float = 20.0, now: datetime | None = None) -> dict[str, int]:
    """One round of the worker: start due campaigns, release stale claims, then send batches
    until nothing is due or ``budget_seconds`` have passed (so other jobs get their turn)."""
    now = now or timezone.now()
    totals = {"started": len(start_due(now)), "uncertain": release_stale(now)}
    if is_quiet(now, quiet_hours()):
        totals["quiet"] = 1
        return totals
    deadline = time.monotonic() + budget_seconds
    size = get_rule(rules.BATCH.key)
    while time.monotonic() < deadline:
        token, rows = claim_batch(size, timezone.now())
        if not rows:
            break
        for key, value in send_batch(token, rows, timezone.now()).items():
            totals[key] = totals.get(key, 0) + value
    totals["finished"] = finish_done(timezone.now())
    return totals
