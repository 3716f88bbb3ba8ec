"""Sending SMS from the platform: the configured gateway (Kannel, or the console for the demo),
a daily cap per number, and no phone number in any log (lib/sms, docs/reference/sms.md)."""

from __future__ import annotations

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from phongdich.core.models import SmsDailyCount
from phongdich.lib.sms import (
    ConsoleGateway,
    KannelConfig,
    KannelGateway,
    OutgoingSms,
    SendResult,
    SmsError,
    SubmitStatus,
)
from phongdich.lib.timeutil import local_date

log = logging.getLogger(__name__)
_gateway = None


def gateway():
    """The gateway the settings name (built once per process; tests replace it with ``use``)."""
    global _gateway
    if _gateway is None:
        if settings.SMS_GATEWAY == "kannel":
            _gateway = KannelGateway(
                KannelConfig(
                    sendsms_url=settings.KANNEL_SENDSMS_URL,
                    username=settings.KANNEL_USERNAME,
                    password=settings.KANNEL_PASSWORD,
                    sender=settings.SMS_SENDER,
                    ascii_only=settings.SMS_ASCII_ONLY,
                )
            )
        else:
            _gateway = ConsoleGateway(settings.SMS_SENDER, ascii_only=settings.SMS_ASCII_ONLY)
    return _gateway


def use(new_gateway) -> None:
    """Send through ``new_gateway`` from now on (``None``: back to the settings)."""
    global _gateway
    _gateway = new_gateway


def number_key(phone: str) -> str:
    """What the daily counts are kept under: a keyed hash, never the number."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()


def _count_one(phone: str, day: date) -> int:
    key = number_key(phone)
    with transaction.atomic():
        updated = SmsDailyCount.objects.filter(number=key, day=day).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    SmsDailyCount.objects.create(number=key, day=day, count=1)
            except IntegrityError:  # created at the same moment elsewhere
                SmsDailyCount.objects.filter(number=key, day=day).update(count=F("count") + 1)
    return SmsDailyCount.objects.get(number=key, day=day).count


def send_sms(phone: str, text: str) -> SendResult:
    """Send ``text`` to ``phone`` (E.164), at most ``SMS_DAILY_CAP`` messages a number a day."""
    message = OutgoingSms(to=phone, text=text)
    if _count_one(phone, local_date(timezone.now())) > settings.SMS_DAILY_CAP:
        return SendResult(
            message.message_id,
            SubmitStatus.FAILED,
            SmsError(
                "daily_cap",
                "Số này đã nhận đủ số tin nhắn cho phép trong ngày.",
                "This number has had its messages for today.",
            ),
        )
    result = gateway().send(message)
    if not result.ok:
        log.warning("SMS %s not sent: %s", message.message_id, result.error and result.error.code)
    return result


def purge_counts(before: date) -> int:
    return SmsDailyCount.objects.filter(day__lt=before).delete()[0]
