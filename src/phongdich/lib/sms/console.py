"""A gateway for the demo and for development: it writes each message to a logger instead
of sending it, so a one-time code can be read off the console.

The text is logged (that is the point) but the number is masked: ``09xx…678``. Phone
numbers never reach a log (docs/reference/sms.md).
"""

from __future__ import annotations

import logging
from collections import deque

from phongdich.lib.phones import InvalidPhone, parse_phone
from phongdich.lib.sms.encoding import to_ascii
from phongdich.lib.sms.gateway import OutgoingSms, SendResult, SmsError, SubmitStatus

__all__ = ["ConsoleGateway", "mask_phone"]

_MASK = "xx…"


def mask_phone(phone: str) -> str:
    """Enough of a number for a person to recognise their own, too little to dial it:
    ``"+84912345678"`` → ``"09xx…678"``. Anything unparseable is masked completely."""
    try:
        national = parse_phone(phone).national
    except InvalidPhone:
        return "…"
    return f"{national[:2]}{_MASK}{national[-3:]}"


class ConsoleGateway:
    """Logs messages at INFO on ``logger`` and keeps the last ``keep`` in :attr:`outbox`."""

    def __init__(
        self,
        sender: str = "PhongDich",
        logger: logging.Logger | None = None,
        *,
        ascii_only: bool = False,
        keep: int = 100,
    ) -> None:
        self.sender = sender
        self.ascii_only = ascii_only
        self.logger = logger or logging.getLogger("phongdich.sms")
        self.outbox: deque[OutgoingSms] = deque(maxlen=keep)

    def send(self, message: OutgoingSms) -> SendResult:
        try:
            parse_phone(message.to)
        except InvalidPhone as exc:
            error = SmsError("invalid_recipient", exc.message_vi, exc.message_en, exc.code)
            return SendResult(message.message_id, SubmitStatus.FAILED, error)
        text = to_ascii(message.text) if self.ascii_only else message.text
        self.outbox.append(message)
        self.logger.info(
            "SMS %s from %s to %s: %s",
            message.message_id,
            self.sender,
            mask_phone(message.to),
            text,
        )
        return SendResult(message.message_id, SubmitStatus.ACCEPTED)
