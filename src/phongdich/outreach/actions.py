"""Every write of the robot calls: plans, the dialler's claims, each call's answers written back
at once, manual calls by a call operator, and the officers' follow-ups.

Rules (retries, spacing, hours, daily cap, the announcing SMS) are in ``rules.py``; facts and
sources in docs/reference/outreach.md.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Q, When
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.core import sms
from phongdich.core.rules import get_rule
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.sms.policy import QuietHours, is_quiet, next_allowed_time
from phongdich.lib.telephony import CallOutcome, CallResult, Script, ScriptStatus
from phongdich.lib.timeutil import local_date, local_day_bounds
from phongdich.outreach import hooks
from phongdich.outreach.models import (
    OPEN,
    CallAttempt,
    CallPlan,
    FollowUp,
    FollowUpKind,
    Outcome,
    PlanState,
    Reason,
    SpokenMessage,
)
from phongdich.outreach.scripts import (
    CAMPAIGN_SCRIPT,
    all_scripts,
    script_for,
    ward_title,
)
from phongdich.people.models import Person
from phongdich.tracing.models import Contact, ContactStatus

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=15)  # longer than any call (SIP max duration 300 s) plus its set-up
STALE_CONTACT = {ContactStatus.BECAME_CASE, ContactStatus.RELEASED}
RETRIED = {Outcome.BUSY, Outcome.NO_ANSWER, Outcome.FAILED, Outcome.HUNG_UP}


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def call_hours() -> QuietHours:
    return QuietHours(_hhmm(get_rule("outreach.call_from")), _hhmm(get_rule("outreach.call_until")))


# -- plans -------------------------------------------------------------------------------------


def do_plan_call(
    person: Person,
    script: str,
    reason: str,
    source_key: str,
    *,
    contact: Contact | None = None,
    ward_id: int | None = None,
    message: SpokenMessage | None = None,
    actor: Any = None,
    request: Any = None,
    now: datetime | None = None,
) -> tuple[CallPlan | None, bool]:
    """Plan a call to ``person`` with ``script``; the same ``source_key`` plans once. A person
    without a phone number goes straight to the officer's manual list."""
    if script not in all_scripts() and not (script == CAMPAIGN_SCRIPT and message is not None):
        raise InputErrors.one(
            "script", "unknown", "Kịch bản gọi không tồn tại.", "Unknown call script."
        )
    if reason not in Reason.values:
        raise InputErrors.one("reason", "unknown", "Lý do gọi không hợp lệ.", "Unknown reason.")
    ward_id = ward_id or (contact.ward_id if contact else None) or person.ward_id
    if ward_id is None:
        return None, False  # nobody's area: no officer could follow it up
    now = now or timezone.now()
    existing = CallPlan.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            plan = CallPlan.objects.create(
                person=person,
                contact=contact,
                ward_id=ward_id,
                script=script,
                message=message,
                reason=reason,
                source_key=source_key,
                next_attempt_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            if not person.phone:
                plan.state, plan.finished_at = PlanState.UNREACHABLE, now
                plan.save(update_fields=["state", "finished_at"])
                _unreachable(plan, now)
            if actor is not None:
                audit.record(
                    "plan_call",
                    actor=actor,
                    request=request,
                    obj=plan,
                    ward=ward_id,
                    detail={"script": script, "reason": reason},
                )
    except IntegrityError:  # planned at the same moment by another delivery
        return CallPlan.objects.get(source_key=source_key), False
    return plan, True


def do_plan_case_contacts(case: Any, contacts: list[Contact], script: str, *, actor, request=None):
    """The officer's list: call every listed contact of a case with ``script`` (once a day)."""
    if script not in all_scripts():
        raise InputErrors.one(
            "script", "unknown", "Kịch bản gọi không tồn tại.", "Unknown call script."
        )
    day = local_date(timezone.now()).isoformat()
    created = 0
    for contact in contacts:
        _plan, new = do_plan_call(
            contact.person,
            script,
            Reason.OFFICER,
            f"officer:{case.pk}:{contact.pk}:{script}:{day}",
            contact=contact,
            actor=actor,
            request=request,
        )
        created += int(new)
    return created


# -- the dialler's side ------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    plan_id: int
    number: str
    number_key: str
    script: Script


def _announce(plan: CallPlan, now: datetime) -> bool:
    """The SMS that announces the call; False when the script has none (a recorded message)."""
    texts = script_for(plan).filled(ward_title(plan.ward))
    if not texts["sms"]:
        return False
    result = sms.send_sms(plan.person.phone, texts["sms"])
    if not result.ok:
        log.warning("announcing SMS for call plan %s not sent", plan.pk)
    return True


def _calls_today(number_key: str, now: datetime) -> int:
    start, end = local_day_bounds(local_date(now))
    return CallAttempt.objects.filter(
        number_key=number_key, started_at__gte=start, started_at__lt=end, operator__isnull=True
    ).count()


def claim_due(now: datetime | None = None, limit: int = 50) -> list[Claimed]:
    """Plans due a call now, leased to this dialler. Outside the call hours nothing is claimed and
    due plans move to the next opening; the announcing SMS goes first; the daily cap per number
    moves a plan to the next day. A campaign's call to a number on the opt-out list is cancelled;
    duty calls (F1 notice, result ready, home-care check) go out whatever the list says, and
    come before campaign calls."""
    now = now or timezone.now()
    hours = call_hours()
    # Claimable: due, and not held by a live dialler (a lease run out is a crashed dialler's).
    due = CallPlan.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now),
        state__in=[PlanState.PENDING, PlanState.CALLING],
        next_attempt_at__lte=now,
    )
    if is_quiet(now, hours):
        due.filter(state=PlanState.PENDING).update(next_attempt_at=next_allowed_time(now, hours))
        return []
    claimed: list[Claimed] = []
    lead = timedelta(minutes=get_rule("outreach.announce_minutes"))
    cap = get_rule("outreach.daily_cap")
    ordered = due.annotate(bulk=Case(When(reason=Reason.CAMPAIGN, then=1), default=0)).order_by(
        "bulk", "next_attempt_at", "pk"
    )
    for plan_id in list(ordered.values_list("pk", flat=True)[: limit * 2]):
        if len(claimed) >= limit:
            break
        # The list is seconds old by now (each announcing SMS is sent in this loop): the claim
        # checks again that the plan is still due and free, so a plan cancelled with its
        # campaign or done by an operator's own call meanwhile is not called.
        if not due.filter(pk=plan_id).update(locked_until=now + LEASE, state=PlanState.CALLING):
            continue  # another dialler took it, or it is no longer due
        # Read after the claim, so the contact's status and the number are today's.
        plan = CallPlan.objects.select_related("person", "ward", "contact", "message").get(
            pk=plan_id
        )
        if plan.contact is not None and plan.contact.status in STALE_CONTACT:
            # Became a case or was released since: an F1 notice would be wrong now.
            CallPlan.objects.filter(pk=plan.pk).update(
                state=PlanState.CANCELLED, finished_at=now, locked_until=None
            )
            continue
        if not plan.person.phone:  # the number was removed since the plan was made
            with transaction.atomic():
                CallPlan.objects.filter(pk=plan.pk).update(
                    state=PlanState.UNREACHABLE, finished_at=now, locked_until=None
                )
                _unreachable(plan, now)
            continue
        if plan.reason == Reason.CAMPAIGN and sms.is_opted_out(plan.person.phone):
            with transaction.atomic():  # opted out since the campaign queued the call
                CallPlan.objects.filter(pk=plan.pk).update(
                    state=PlanState.CANCELLED, finished_at=now, locked_until=None
                )
                hooks.notify(plan, hooks.OPTED_OUT)
            continue
        if plan.announced_at is None:
            announced = _announce(plan, now)
            CallPlan.objects.filter(pk=plan.pk).update(announced_at=now)
            if lead and announced:
                _release(plan.pk, now + lead)
                continue
        key = sms.number_key(plan.person.phone)
        if _calls_today(key, now) >= cap:
            tomorrow = local_day_bounds(local_date(now))[1]
            _release(plan.pk, next_allowed_time(tomorrow, hours))
            continue
        number = plan.person.phone
        claimed.append(Claimed(plan.pk, number, key, script_for(plan).ivr(ward_title(plan.ward))))
    return claimed


def _release(plan_id: int, next_at: datetime) -> None:
    CallPlan.objects.filter(pk=plan_id).update(
        locked_until=None, state=PlanState.PENDING, next_attempt_at=next_at
    )


def outcome_of(result: CallResult) -> str:
    if result.outcome is CallOutcome.ANSWERED:
        if result.script_status is ScriptStatus.REMOTE_HANGUP:
            return Outcome.HUNG_UP
        return Outcome.ANSWERED
    return Outcome(result.outcome.value)


def do_record_result(
    claimed: Claimed, result: CallResult, now: datetime | None = None
) -> CallAttempt:
    """One call's result, written back at once: the attempt on the person's call log, the answers'
    follow-ups, and the plan's next step (retry, done, or the officer's manual list)."""
    now = now or timezone.now()
    keys = {q.question_id: q.keys for q in result.questions}
    answers = {q.question_id: q.answer for q in result.questions if q.answer is not None}
    detail = result.script_status.value if result.outcome is CallOutcome.ANSWERED else result.reason
    with transaction.atomic():
        # Only the plan's row is locked (its message and person are read after, not joined:
        # PostgreSQL refuses FOR UPDATE on the nullable side of an outer join).
        plan = CallPlan.objects.select_for_update().get(pk=claimed.plan_id)
        attempt = CallAttempt.objects.create(
            plan=plan,
            number_key=claimed.number_key,
            started_at=result.started_at,
            outcome=outcome_of(result),
            sip_status=result.status_code,
            detail=(detail or "")[:40],
            keys=keys,
            answers=answers,
            duration_seconds=round(result.duration_seconds, 1),
        )
        plan.attempts += 1
        plan.locked_until = None
        _write_back(plan, attempt, now, fallback=result.script_status is ScriptStatus.FALLBACK)
        plan.save()
    return attempt


def _unreachable(plan: CallPlan, now: datetime) -> None:
    """Not reached: a duty call goes on the officer's manual list; a campaign's call does not
    (nobody calls a campaign's audience by hand), it only reports its outcome."""
    if plan.reason == Reason.CAMPAIGN:
        hooks.notify(plan, "failed")
    else:
        _follow_up(plan, FollowUpKind.UNREACHABLE, now)


def _write_back(plan: CallPlan, attempt: CallAttempt, now: datetime, fallback: bool) -> None:
    if plan.reason == Reason.CAMPAIGN:
        hooks.write_back_message(plan, attempt, now)
        return
    script = script_for(plan)
    effects = {script.effect(q, k) for q, k in attempt.answers.items()} - {None}
    for kind in effects:
        _follow_up(plan, kind, now)
    if attempt.outcome == Outcome.ANSWERED:
        if fallback:  # picked up but never answered: an officer calls back (never dropped)
            _follow_up(plan, FollowUpKind.CALL_BACK, now)
        plan.state, plan.finished_at = PlanState.DONE, now
        FollowUp.objects.filter(OPEN, plan=plan, kind=FollowUpKind.UNREACHABLE).update(done_at=now)
        if attempt.answers.get("identity") == "1":  # the right person heard the notice
            _mark_notified(plan, now)
    elif attempt.outcome in RETRIED and plan.attempts < get_rule("outreach.max_attempts"):
        plan.state = PlanState.PENDING
        plan.next_attempt_at = now + timedelta(minutes=get_rule("outreach.retry_minutes"))
    else:
        plan.state, plan.finished_at = PlanState.UNREACHABLE, now
        _follow_up(plan, FollowUpKind.UNREACHABLE, now)


def _follow_up(plan: CallPlan, kind: str, now: datetime) -> None:
    FollowUp.objects.get_or_create(
        plan=plan,
        kind=kind,
        defaults={
            "person_id": plan.person_id,
            "contact_id": plan.contact_id,
            "ward_id": plan.ward_id,
            "created_at": now,
        },
    )


def _mark_notified(plan: CallPlan, now: datetime) -> None:
    """A contact who heard the F1/F2 notice is notified (tracing's own workflow step)."""
    if plan.contact_id is None or plan.script not in {"f1_notice", "f2_advice"}:
        return
    from phongdich.tracing.actions import do_update_contact

    # Locked before its status is read: an officer moving the contact meanwhile waits for this
    # call's record to commit (else the move to "notified" would be refused and the whole call
    # record rolled back, and the person called again when the lease runs out). A contact
    # already moved on (quarantined, tested...) is past "notified": nothing to do.
    contact = (
        Contact.objects.select_for_update()
        .filter(pk=plan.contact_id, status=ContactStatus.IDENTIFIED)
        .first()
    )
    if contact is not None:
        do_update_contact(contact, ContactStatus.NOTIFIED, actor=None)


# -- people: call operators and officers ---------------------------------------------------------


def do_manual_outcome(
    plan: CallPlan,
    data: dict[str, Any],
    *,
    actor: Any,
    request: Any = None,
    now: datetime | None = None,
) -> CallAttempt:
    """A call operator's own call, entered by hand: the outcome, the answers, a note."""
    now = now or timezone.now()
    script = script_for(plan)
    errors: list[FieldError] = []
    outcome = str(data.get("outcome", ""))
    if outcome not in Outcome.values:
        errors.append(
            FieldError(
                "outcome",
                "required",
                "Chọn kết quả cuộc gọi.",
                f"outcome must be one of {', '.join(Outcome.values)}.",
            )
        )
    answers: dict[str, str] = {}
    asked = {f"answer_{q['id']}" for q in script.questions}
    for name in sorted(k for k in data if str(k).startswith("answer_") and k not in asked):
        errors.append(
            FieldError(
                name, "unknown", "Kịch bản không có câu hỏi này.", f"{name}: no such question."
            )
        )
    for question in script.questions:
        value = str(data.get(f"answer_{question['id']}", "") or "")
        if not value:
            continue
        if value not in question["keys"]:
            errors.append(
                FieldError(
                    f"answer_{question['id']}",
                    "not_allowed",
                    "Câu trả lời không hợp lệ.",
                    f"answer_{question['id']} must be one of {', '.join(question['keys'])}.",
                )
            )
        answers[question["id"]] = value
    note = str(data.get("note", "") or "").strip()
    if len(note) > 300:
        errors.append(
            FieldError("note", "too_long", "Ghi chú quá dài (tối đa 300).", "note: at most 300.")
        )
    if outcome != Outcome.ANSWERED and answers and not errors:
        errors.append(
            FieldError(
                "outcome",
                "answers_need_answered",
                "Chỉ ghi câu trả lời khi người nghe đã trả lời máy.",
                "Answers need the outcome 'answered'.",
            )
        )
    if errors:
        raise InputErrors(errors)
    with transaction.atomic():
        plan = CallPlan.objects.select_for_update().get(pk=plan.pk)
        attempt = CallAttempt.objects.create(
            plan=plan,
            number_key=sms.number_key(plan.person.phone) if plan.person.phone else "",
            started_at=now,
            outcome=outcome,
            keys={q: [k] for q, k in answers.items()},
            answers=answers,
            operator=actor,
            note=note,
            detail="manual",
        )
        if outcome == Outcome.ANSWERED or plan.reason == Reason.CAMPAIGN:
            plan.locked_until = None
            plan.attempts += int(plan.reason == Reason.CAMPAIGN)
            _write_back(plan, attempt, now, fallback=False)
            plan.save()
        audit.record(
            "manual_call",
            actor=actor,
            request=request,
            obj=plan,
            ward=plan.ward_id,
            detail={"outcome": outcome, "answers": answers},
        )
    return attempt


def do_close_follow_up(follow_up: FollowUp, *, actor: Any, request: Any = None) -> FollowUp:
    with transaction.atomic():
        FollowUp.objects.filter(OPEN, pk=follow_up.pk).update(done_at=timezone.now(), done_by=actor)
        follow_up.refresh_from_db()
        audit.record(
            "close_follow_up",
            actor=actor,
            request=request,
            obj=follow_up,
            ward=follow_up.ward_id,
            detail={"kind": follow_up.kind},
        )
    return follow_up


def do_call_again(plan: CallPlan, *, actor: Any, request: Any = None) -> CallPlan:
    """Put a plan back in the robot's queue now (an operator's button), one more attempt allowed."""
    with transaction.atomic():
        plan = CallPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.state in {PlanState.CALLING}:
            return plan
        plan.state, plan.next_attempt_at, plan.finished_at = PlanState.PENDING, timezone.now(), None
        plan.attempts = min(plan.attempts, get_rule("outreach.max_attempts") - 1)
        plan.save()
        audit.record("call_again", actor=actor, request=request, obj=plan, ward=plan.ward_id)
    return plan
