"""Sending a short text to a phone: a small interface so an SMS adapter can plug in later.

``PHONGDICH_NOTIFIER`` names the adapter class (dotted path); the default is the console adapter,
which prints the message (phone masked) to the server's standard output and keeps the last ones in
memory, so the demo shows the one-time code and tests read it. An SMS adapter implements the same
``send(phone, text)``.
"""

from __future__ import annotations

import sys
from collections import deque
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Notifier(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleNotifier:
    """Prints instead of sending; the last 100 messages are kept in ``sent`` (phone, text)."""

    sent: deque[tuple[str, str]] = deque(maxlen=100)

    def send(self, phone: str, text: str) -> None:
        masked = "*" * max(len(phone) - 3, 0) + phone[-3:]
        sys.stdout.write(f"[SMS → {masked}] {text}\n")
        sys.stdout.flush()
        self.sent.append((phone, text))


def notifier() -> Notifier:
    return import_string(getattr(settings, "NOTIFIER", "phongdich.risk.notify.ConsoleNotifier"))()
