"""The SMS gateway one-time codes go through (``phongdich.lib.sms``, docs/reference/sms.md).

``PHONGDICH_NOTIFIER`` names the gateway class (dotted path, built without arguments); the
default is the library's console gateway, which logs each message with the phone masked (the
demo's console shows the code) and keeps the last ones in ``outbox``. A gateway that needs
configuration (Kannel) plugs in here once the project has a setting for it.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from phongdich.lib.sms import OutgoingSms, SendResult, SmsGateway


@cache
def notifier() -> SmsGateway:
    return import_string(settings.NOTIFIER)()


def send_sms(phone: str, text: str) -> SendResult:
    return notifier().send(OutgoingSms(to=phone, text=text))
