"""What every SMS gateway adapter speaks: one outgoing message, one submit result, one
delivery report.

An adapter never raises for a refusal or an outage: it returns a :class:`SendResult` whose
``error`` carries a stable code and a message in Vietnamese and English, so a bulk send can
record each message's fate and go on. Phone numbers stay out of ``repr`` (and so out of
tracebacks and logs); see ``docs/reference/sms.md``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Protocol

__all__ = [
    "DeliveryReport",
    "DeliveryStatus",
    "OutgoingSms",
    "SendResult",
    "SmsError",
    "SmsGateway",
    "SubmitStatus",
    "new_message_id",
]


def new_message_id() -> str:
    """Our own id for a message: it goes into the delivery-report URL, so reports can be
    matched without trusting anything the gateway or the operator numbers."""
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class OutgoingSms:
    """One message to one number. ``to`` is E.164 (``+84912345678``); it is left out of
    ``repr`` because phone numbers must never reach a log."""

    to: str = field(repr=False)
    text: str
    message_id: str = field(default_factory=new_message_id)


class SubmitStatus(StrEnum):
    ACCEPTED = "accepted"  # the gateway took it and handed it on (Kannel "0: Accepted")
    QUEUED = "queued"  # the gateway took it but has no operator link now (Kannel "3: Queued")
    FAILED = "failed"  # the gateway refused it or could not be reached; see ``error``


@dataclass(frozen=True, slots=True)
class SmsError:
    """Why a message was not taken. ``code`` is stable for callers and audit rows."""

    code: str
    message_vi: str
    message_en: str
    detail: str = ""  # what the gateway said, for operators; never contains the number

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en}


@dataclass(frozen=True, slots=True)
class SendResult:
    message_id: str
    status: SubmitStatus
    error: SmsError | None = None

    @property
    def ok(self) -> bool:
        return self.status is not SubmitStatus.FAILED


class DeliveryStatus(IntEnum):
    """Kannel's delivery-report types: the bits of ``dlr-mask``, and the ``%d`` value of
    one report (Kannel user guide, "Delivery reports"; docs/reference/sms.md)."""

    DELIVERED = 1  # delivered to the phone
    FAILED = 2  # not deliverable (the SMSC gave up)
    BUFFERED = 4  # the SMSC holds it, e.g. the phone is off; more reports follow
    SMSC_SUBMIT = 8  # the operator's SMSC accepted it
    SMSC_REJECT = 16  # the operator's SMSC refused it

    @property
    def is_final(self) -> bool:
        return self in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.SMSC_REJECT)

    @property
    def is_success(self) -> bool:
        return self is DeliveryStatus.DELIVERED


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """One delivery report, matched to our ``message_id``."""

    message_id: str
    status: DeliveryStatus
    reported_at: datetime | None = None  # when the gateway got the report (aware, UTC)
    smsc_answer: str = ""  # the operator's own words, e.g. "NACK/0x00000045/..."
    smsc_message_id: str = ""  # the operator's id for the message, if it gave one


class SmsGateway(Protocol):
    """Anything that can send one SMS. ``send`` must not raise for gateway failures."""

    sender: str

    def send(self, message: OutgoingSms) -> SendResult: ...
