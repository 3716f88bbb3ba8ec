"""Sending home-care messages through the platform's SMS channel (``core.sms``: the gateway the
settings name, Kannel or the console; docs/reference/sms.md).

Messages to patients (the personal link, reminders) go through ``core.sms.send_sms`` and its daily
cap per number, like every message to a citizen. Alerts to staff (the clinician, the ward's
officers) go straight to the gateway: an urgent warning must not be dropped because a clinician
already had ten today. ``send`` records every message under a unique key first, so a retried
job or a redelivered event never sends twice. Texts carry no name or diagnosis.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.care.models import Notification
from phongdich.core import sms
from phongdich.lib.sms import OutgoingSms

log = logging.getLogger(__name__)
STAFF_KINDS = {"alert", "escalation"}


class _Refused(Exception):
    pass


def send(
    key: str,
    to: str,
    text: str,
    *,
    kind: str,
    enrolment: Any = None,
    recipient: Any = None,
) -> bool:
    """Send ``text`` to ``to`` once per ``key``; False when it was already sent, refused, or
    there is no number."""
    if not to:
        return False
    try:
        with transaction.atomic():
            Notification.objects.create(
                key=key,
                channel="sms",
                enrolment=enrolment,
                recipient=recipient,
                kind=kind,
                sent_at=timezone.now(),
            )
            if kind in STAFF_KINDS:
                result = sms.gateway().send(OutgoingSms(to=to, text=text))
            else:
                result = sms.send_sms(to, text)
            if not result.ok:
                raise _Refused(result.error.code if result.error else "failed")
    except IntegrityError:
        return False
    except _Refused as refused:
        log.warning("SMS %s not sent (%s)", key, refused)
        return False
    Notification.objects.filter(key=key).update(provider_id=result.message_id)
    return True
