"""Sending SMS from the platform: the configured gateway (Kannel, or the console for the demo),
a daily cap per number, the opt-out list, and no phone number in any log (lib/sms,
docs/reference/sms.md).

Bulk senders (campaigns by SMS or recorded call) share three things here: ``is_opted_out`` /
``opted_out_keys`` (a number that replied "TC" or "STOP", pressed 9 in a campaign call or was
entered by an officer gets no bulk message or campaign call; individual duty calls and one-time
codes are not bulk and ignore it, docs/reference/outreach.md "Opt-out"), ``reserve_sends``
(the daily cap, counted for many numbers in one transaction), and the report registry:
``on_delivery_report(func)`` receives every verified delivery report that Kannel sends to
``/sms/dlr`` (core.sms_inbound), ``on_incoming(func)`` every reply that is not a keyword.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from phongdich.core.models import SmsDailyCount, SmsOptOut
from phongdich.lib.sms import (
    ConsoleGateway,
    DeliveryReport,
    KannelConfig,
    KannelGateway,
    OutgoingSms,
    SendResult,
    SmsError,
    SubmitStatus,
)
from phongdich.lib.sms.encoding import to_ascii
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
                    dlr_url=dlr_url(),
                    dlr_secret=dlr_secret(),
                )
            )
        else:
            _gateway = ConsoleGateway(settings.SMS_SENDER, ascii_only=settings.SMS_ASCII_ONLY)
    return _gateway


def dlr_url() -> str:
    """Where Kannel calls back with delivery reports (``PHONGDICH_SMS_DLR_URL``, or the site's
    own ``/sms/dlr``)."""
    return settings.SMS_DLR_URL or f"{str(settings.BASE_URL).rstrip('/')}/sms/dlr"


def _derived(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).digest()


def dlr_secret() -> bytes:
    """The key that signs each message's report URL (derived from ``SECRET_KEY``)."""
    return _derived("sms-dlr")


def incoming_token() -> str:
    """The token Kannel's ``sms-service`` puts in its ``post-url`` for replies
    (``/sms/mo?token=…``; docs/reference/sms.md shows the Kannel group)."""
    return _derived("sms-mo").hex()[:32]


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


def reserve_sends(keys: Iterable[str], day: date, cap: int) -> set[str]:
    """Count one message for each number key (``number_key``) that has fewer than ``cap`` on
    ``day``; return the keys counted. One transaction; concurrent senders never let a number
    pass its cap (the increment is conditional on the count in the same statement). Numbers
    not counted yet today (most of a campaign) are inserted in one statement."""
    keys = list(dict.fromkeys(keys))
    allowed: set[str] = set()
    with transaction.atomic():
        known = set(
            SmsDailyCount.objects.filter(number__in=keys, day=day).values_list("number", flat=True)
        )
        fresh = [k for k in keys if k not in known]
        if fresh and cap >= 1:
            try:
                with transaction.atomic():
                    SmsDailyCount.objects.bulk_create(
                        [SmsDailyCount(number=k, day=day, count=1) for k in fresh]
                    )
                allowed.update(fresh)
                fresh = []
            except IntegrityError:  # another sender counted one of them a moment ago
                pass
        for key in [k for k in keys if k in known] + fresh:
            rows = SmsDailyCount.objects.filter(number=key, day=day, count__lt=cap)
            if rows.update(count=F("count") + 1):
                allowed.add(key)
                continue
            if SmsDailyCount.objects.filter(number=key, day=day).exists():
                continue  # at its cap
            try:
                with transaction.atomic():
                    SmsDailyCount.objects.create(number=key, day=day, count=1)
                allowed.add(key)
            except IntegrityError:
                if rows.update(count=F("count") + 1):
                    allowed.add(key)
    return allowed


# Replies that take a number off bulk messages, and that put it back (docs/reference/sms.md):
# "TC" (từ chối, refuse) is what Vietnamese operators' own services use.
OPT_OUT_KEYWORDS = frozenset({"TC", "TUCHOI", "STOP", "HUY"})
OPT_IN_KEYWORDS = frozenset({"DK", "DANGKY", "START"})


def keyword(text: str) -> str:
    """The first word of a reply, upper case without diacritics ("từ chối" → "TUCHOI")."""
    words = to_ascii(text).upper().split()
    if not words:
        return ""
    if len(words) > 1 and words[0] + words[1] in OPT_OUT_KEYWORDS | OPT_IN_KEYWORDS:
        return words[0] + words[1]
    return words[0].strip(".!,")


def is_opted_out(phone: str) -> bool:
    """Whether the number asked for no bulk messages (campaigns, by SMS or recorded call)."""
    return SmsOptOut.objects.filter(number=number_key(phone)).exists()


def opted_out_keys(keys: Iterable[str]) -> set[str]:
    """Which of these number keys are on the opt-out list (in chunks: one query a thousand)."""
    keys = list(keys)
    found: set[str] = set()
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        found.update(SmsOptOut.objects.filter(number__in=chunk).values_list("number", flat=True))
    return found


def do_opt_out(phone: str, source: str = "sms") -> bool:
    """Put the number on the opt-out list; False when it was already there."""
    _, created = SmsOptOut.objects.get_or_create(
        number=number_key(phone), defaults={"created_at": timezone.now(), "source": source}
    )
    return created


def do_opt_in(phone: str) -> bool:
    """Take the number off the opt-out list; False when it was not on it."""
    return bool(SmsOptOut.objects.filter(number=number_key(phone)).delete()[0])


_REPORT_HANDLERS: dict[str, Callable[[DeliveryReport], bool]] = {}
_INCOMING_HANDLERS: dict[str, Callable[[str, str], str | None]] = {}


def on_delivery_report(name: str) -> Callable:
    """Register ``func(report) -> bool`` (True when the report was one of its messages) for
    every verified delivery report. An app registers it in ``AppConfig.ready``."""

    def register(func: Callable[[DeliveryReport], bool]) -> Callable[[DeliveryReport], bool]:
        _REPORT_HANDLERS[name] = func
        return func

    return register


def on_incoming(name: str) -> Callable:
    """Register ``func(phone, text) -> reply or None`` for replies that are not an opt-out or
    opt-in keyword (a robot call's "1" answered by SMS, say). The number must not be logged."""

    def register(func: Callable[[str, str], str | None]) -> Callable[[str, str], str | None]:
        _INCOMING_HANDLERS[name] = func
        return func

    return register


def dispatch_report(report: DeliveryReport) -> bool:
    """Hand a verified report to every registered handler; True when one knew the message."""
    matched = False
    for func in list(_REPORT_HANDLERS.values()):
        matched = bool(func(report)) or matched
    return matched


def dispatch_incoming(phone: str, text: str) -> str | None:
    for func in list(_INCOMING_HANDLERS.values()):
        reply = func(phone, text)
        if reply:
            return reply
    return None
