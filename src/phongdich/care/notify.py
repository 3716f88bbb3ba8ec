"""Sending messages to patients and staff through the SMS library (``lib.sms``).

Any ``lib.sms.SmsGateway`` plugs in: ``PHONGDICH_SMS_BACKEND`` names a function that returns one
(for example one building ``KannelGateway(KannelConfig(...))``); the default is the library's
console gateway, which logs each text with the number masked. ``send`` records every message
under a unique key first, so a retried job or a redelivered event never sends twice. Texts
carry no name or diagnosis: only what the recipient needs to act.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from phongdich.care.models import Notification
from phongdich.lib.sms import ConsoleGateway, OutgoingSms, SmsGateway

log = logging.getLogger(__name__)


def console_gateway() -> SmsGateway:
    """The development and demo gateway: texts go to the log, numbers masked."""
    return ConsoleGateway(sender="PhongDich", logger=logging.getLogger("phongdich.care.sms"))


@cache
def sender() -> SmsGateway:
    path = getattr(settings, "SMS_BACKEND", "") or "phongdich.care.notify.console_gateway"
    return import_string(path)()


def send(
    key: str,
    to: str,
    text: str,
    *,
    kind: str,
    enrolment: Any = None,
    recipient: Any = None,
) -> bool:
    """Send ``text`` to ``to`` once per ``key``; False when it was already sent or no number."""
    if not to:
        return False
    backend = sender()
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
            result = backend.send(OutgoingSms(to=to, text=text))
            if not result.ok:
                raise _Refused(result.error.code if result.error else "failed")
    except IntegrityError:
        return False
    except _Refused as refused:
        log.warning("SMS %s not sent (%s)", key, refused)
        return False
    Notification.objects.filter(key=key).update(provider_id=result.message_id)
    return True


class _Refused(Exception):
    pass
