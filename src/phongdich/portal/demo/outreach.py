"""Demo robot calls: the demo's traced F1 and F2 get their calls through the console adapter
(no network), with a seeded mix of answers — most are well, some report symptoms, one is the
wrong person, a few are busy — so the officers' lists and the call console have something to show.

Everything goes through the real path: the outbox plans the calls, the dialler claims them
(announcing SMS to the log first) and writes each answer back.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from phongdich.core.events import deliver_pending
from phongdich.lib.telephony import CallOutcome, CallResult, ConsoleAdapter
from phongdich.lib.timeutil import VN_TZ, local_date
from phongdich.outreach.actions import claim_due
from phongdich.outreach.dialer import place_calls
from phongdich.outreach.models import CallPlan, PlanState
from phongdich.portal.demo.seeded import stream

WELL = {"identity": ["1"], "symptoms": ["2"], "understood": ["1"]}
SICK = {"identity": ["1"], "symptoms": ["1"], "understood": ["1"]}
WRONG = {"identity": ["2"], "symptoms": ["2"]}
SILENT = {"identity": [None, None, None]}


@dataclass
class OutreachSummary:
    planned: int = 0
    waiting: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class DemoPhones:
    """Each number answers as the seeded draw says (or is busy); the same seed, the same day."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    async def place_call(self, number: str, script):
        draw = stream(self.seed, "outreach", number).random()
        if draw < 0.1:
            return CallResult(CallOutcome.BUSY, datetime.now(UTC), status_code=486)
        table = SICK if draw < 0.25 else WRONG if draw < 0.3 else SILENT if draw < 0.35 else WELL
        return await ConsoleAdapter(table).place_call(number, script)


def load_outreach_demo(seed: int, now: datetime) -> OutreachSummary:
    deliver_pending(limit=5000)
    # The calls happen inside the call hours of the demo's day (10:00), whatever the hour now.
    today = local_date(now)
    at = datetime.combine(today, time(10), tzinfo=VN_TZ)
    if at > now:
        at -= timedelta(days=1)
    pending = CallPlan.objects.filter(state=PlanState.PENDING)
    summary = OutreachSummary(planned=pending.count())
    # About half are called now; the others wait in the console's queue for tomorrow morning,
    # the first F1 still to be notified among them (the work list keeps someone to call).
    waiting = [
        plan.pk
        for plan in pending.select_related("contact").order_by("pk")
        if stream(seed, "outreach-wait", plan.pk).random() < 0.5
    ]
    first = pending.filter(contact__status="identified").order_by("pk").first()
    waiting += [first.pk] if first else []
    tomorrow = datetime.combine(today + timedelta(days=1), time(8), tzinfo=VN_TZ)
    pending.filter(pk__in=waiting).update(next_attempt_at=tomorrow)
    pending.exclude(pk__in=waiting).update(next_attempt_at=at - timedelta(minutes=30))
    summary.waiting = len(set(waiting))
    claim_due(at - timedelta(minutes=30), limit=5000)  # the announcing SMS
    phones = DemoPhones(seed)

    @contextlib.asynccontextmanager
    async def factory():
        yield phones

    report = place_calls(claim_due(at, limit=5000), factory, now=at)
    summary.outcomes = {str(k): v for k, v in report.outcomes.items()}
    return summary
