"""The text a campaign sends: the officer's message, the opt-out footer (Decree 91/2020:
a message says how to refuse; docs/reference/sms.md), the ASCII fallback, and how many SMS
it takes (what the operator bills)."""

from __future__ import annotations

from django.conf import settings

from phongdich.campaigns import rules
from phongdich.core.rules import get_rule
from phongdich.lib.sms import count_parts, to_ascii


def footer() -> str:
    template = get_rule(rules.OPT_OUT_FOOTER.key)
    return template.replace("{sender}", settings.SMS_SENDER) if template else ""


def final_text(text: str, ascii_only: bool) -> str:
    """What the person receives."""
    full = f"{text.strip()} {footer()}".strip()
    return to_ascii(full) if ascii_only or settings.SMS_ASCII_ONLY else full


def parts(text: str, ascii_only: bool) -> int:
    return count_parts(final_text(text, ascii_only))
