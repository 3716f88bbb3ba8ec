"""Sending messages to patients and staff through one small interface.

``SmsSender`` is what an SMS gateway adapter implements (the Kannel library plugs in here by
naming its class in ``PHONGDICH_SMS_BACKEND``); ``ConsoleSms`` is the adapter used until then and in
development: it writes the message to the log with the number masked. ``send`` records every
message under a unique key first, so a retried job or a redelivered event never sends twice.
Texts carry no name or diagnosis: only what the recipient needs to act.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from phongdich.care.models import Notification

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    provider_id: str = ""


class SmsSender(Protocol):
    channel: str

    def send(self, to: str, text: str) -> SendResult: ...


def mask(phone: str) -> str:
    return f"…{phone[-3:]}" if len(phone) > 3 else "…"


class ConsoleSms:
    """Writes the message to the log (number masked); what runs until a gateway is set."""

    channel = "console"
    outbox: list[tuple[str, str]] = []  # the last messages, for the development console

    def send(self, to: str, text: str) -> SendResult:
        log.info("SMS to %s: %s", mask(to), text)
        self.outbox.append((to, text))
        del self.outbox[:-200]
        return SendResult(True, "")


@cache
def sender() -> SmsSender:
    path = getattr(settings, "SMS_BACKEND", "") or "phongdich.care.notify.ConsoleSms"
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
                channel=backend.channel,
                enrolment=enrolment,
                recipient=recipient,
                kind=kind,
                sent_at=timezone.now(),
            )
            result = backend.send(to, text)
            if not result.accepted:
                raise _Refused
    except IntegrityError:
        return False
    except _Refused:
        log.warning("SMS %s refused by %s", key, backend.channel)
        return False
    if result.provider_id:
        Notification.objects.filter(key=key).update(provider_id=result.provider_id)
    return True


class _Refused(Exception):
    pass
