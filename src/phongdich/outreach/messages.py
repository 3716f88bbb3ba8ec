"""Recorded messages of information campaigns: the spoken text (one row per text), planning a
message call, cancelling a campaign's calls not yet placed, and an officer putting a person's
number on (or off) the opt-out list. The campaigns app calls these from
its call channel (``campaigns.call_channel``); the outcomes come back through ``hooks``."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.core import sms
from phongdich.lib.errors import InputErrors
from phongdich.outreach.actions import do_plan_call
from phongdich.outreach.models import CallPlan, PlanState, Reason, SpokenMessage
from phongdich.outreach.scripts import CAMPAIGN_SCRIPT
from phongdich.people.models import Person


def spoken_message(text: str) -> SpokenMessage:
    """The one row of a message text (the same text twice shares it, and its prompt)."""
    text = text.strip()
    digest = hashlib.sha256(text.encode()).hexdigest()
    try:
        with transaction.atomic():
            return SpokenMessage.objects.get_or_create(digest=digest, defaults={"text": text})[0]
    except IntegrityError:  # made at the same moment by another worker
        return SpokenMessage.objects.get(digest=digest)


def do_plan_message_call(
    person: Person, message: SpokenMessage, source_key: str, *, ward_id: int | None = None
) -> tuple[CallPlan | None, bool]:
    """Plan a recorded message (an information campaign's call); the same key plans once."""
    return do_plan_call(
        person, CAMPAIGN_SCRIPT, Reason.CAMPAIGN, source_key, ward_id=ward_id, message=message
    )


def do_cancel_plans(source_prefix: str, now: datetime | None = None) -> list[str]:
    """Cancel the plans not yet called whose key starts with ``source_prefix`` (a cancelled
    campaign) and say which (their keys); a call already running finishes and is recorded."""
    now = now or timezone.now()
    with transaction.atomic():
        waiting = CallPlan.objects.filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now),
            source_key__startswith=source_prefix,
            state=PlanState.PENDING,
        )
        # Locked as read: a dialler claiming one of them meanwhile either took it first (then it
        # is not listed here) or waits and finds it cancelled, so the keys said are exactly the
        # calls that will not be made.
        found = dict(waiting.select_for_update().values_list("pk", "source_key"))
        CallPlan.objects.filter(pk__in=list(found), state=PlanState.PENDING).update(
            state=PlanState.CANCELLED, finished_at=now, locked_until=None
        )
    return list(found.values())


def do_set_opt_out(person: Person, opted_out: bool, *, actor: Any, request: Any = None) -> bool:
    """An officer records that the person wants no information campaigns (or wants them again),
    asked on the phone or at the station; duty calls are not affected. Audited, no number kept
    but its keyed hash. Returns whether the list changed."""
    if not person.phone:
        raise InputErrors.one(
            "phone",
            "no_phone",
            "Người này không có số điện thoại.",
            "This person has no phone number.",
        )
    with transaction.atomic():
        changed = (
            sms.do_opt_out(person.phone, source="staff")
            if opted_out
            else sms.do_opt_in(person.phone)
        )
        audit.record(
            "opt_out" if opted_out else "opt_in",
            actor=actor,
            request=request,
            obj=person,
            ward=person.ward_id,
            detail={"changed": changed},
        )
    return changed
