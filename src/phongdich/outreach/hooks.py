"""Who hears how a call plan ended: an app above outreach registers a function for a plan
reason (``campaigns.call_channel`` for ``Reason.CAMPAIGN``), the way ``core.sms`` hands
delivery reports on. The function gets the plan and its final outcome code (busy or no answer
only once the retries are used up), inside the transaction that records the call, so the
campaign's recipient and the call log never disagree.

``write_back_message`` is what a recorded message's call does to its plan (``actions`` calls
it for ``Reason.CAMPAIGN`` plans instead of the duty scripts' follow-ups).

Outcome codes of a recorded message (``message_outcome``): ``answered`` (picked up, hung up
before the end), ``listened`` (heard to the end), ``busy``, ``no_answer``, ``failed``,
``opted_out`` (pressed 9, or on the opt-out list when the call came due), ``cancelled``. Only
ids travel: the number stays in the person's record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from phongdich.core import sms
from phongdich.core.rules import get_rule
from phongdich.outreach.models import CallAttempt, CallPlan, Outcome, PlanState
from phongdich.outreach.scripts import OPT_OUT_KEY

RETRIED = {Outcome.BUSY, Outcome.NO_ANSWER, Outcome.FAILED}

ANSWERED, LISTENED, OPTED_OUT, CANCELLED = "answered", "listened", "opted_out", "cancelled"
_BY_CALL = {
    Outcome.BUSY: "busy",
    Outcome.NO_ANSWER: "no_answer",
    Outcome.REJECTED: "failed",
    Outcome.FAILED: "failed",
}

_HANDLERS: dict[str, list[Callable[[Any, str], None]]] = {}


def on_outcome(reason: str) -> Callable:
    """Register ``func(plan, outcome)`` for the plans of ``reason`` (from ``AppConfig.ready``)."""

    def register(func: Callable[[Any, str], None]) -> Callable[[Any, str], None]:
        handlers = _HANDLERS.setdefault(reason, [])
        if func not in handlers:
            handlers.append(func)
        return func

    return register


def notify(plan: Any, outcome: str) -> None:
    for func in _HANDLERS.get(plan.reason, []):
        func(plan, outcome)


def message_outcome(attempt: CallAttempt) -> str:
    """What one attempt of a recorded message came to."""
    if attempt.answers.get("message") == OPT_OUT_KEY:
        return OPTED_OUT
    if attempt.outcome in (Outcome.ANSWERED, Outcome.HUNG_UP):
        heard = attempt.detail == "completed" or None in attempt.keys.get("message", [])
        return LISTENED if heard else ANSWERED
    return _BY_CALL.get(attempt.outcome, "failed")


def write_back_message(plan: CallPlan, attempt: CallAttempt, now: datetime) -> None:
    """A recorded message: no follow-ups; picked up is done (hung up early too: calling again
    someone who hung up on an information message is a nuisance); 9 puts the number on the
    opt-out list; busy, no answer and failed are retried like any plan."""
    outcome = message_outcome(attempt)
    if attempt.answers.get("message") == OPT_OUT_KEY and plan.person.phone:
        sms.do_opt_out(plan.person.phone, source="call")
    if attempt.outcome in (Outcome.ANSWERED, Outcome.HUNG_UP):
        plan.state, plan.finished_at = PlanState.DONE, now
    elif attempt.outcome in RETRIED and plan.attempts < get_rule("outreach.max_attempts"):
        plan.state = PlanState.PENDING
        plan.next_attempt_at = now + timedelta(minutes=get_rule("outreach.retry_minutes"))
    else:
        plan.state, plan.finished_at = PlanState.UNREACHABLE, now
    if plan.state != PlanState.PENDING:  # the call's final outcome, not a retry's
        notify(plan, outcome)
