"""How a campaign's message reaches people: a registry of channels.

A channel sends one batch of claimed recipients and says, for each, whether the message was
handed on (``Outcome.ok``) or why not (a stable error code). ``campaigns.sending`` does
everything around it the same for every channel: claiming (no duplicates across workers or
restarts), the opt-out list, quiet hours, the daily cap, recording outcomes.

**SMS** is built in (``core.sms.gateway()``, Kannel or the console, in parallel threads).

**A recorded call message** comes from the outreach app (robot calls), one layer below
campaigns: ``campaigns/call_channel.py`` registers ``ChannelSpec("call", ...)`` from
``CampaignsConfig.ready``; its ``send_batch`` asks outreach to plan each call (its call plans
do the retries, the call hours and the daily cap of calls, so ``counts_sms`` is False and the
SMS cap is left alone) and returns ``Outcome(ok=True)`` for each call queued; outreach's call
outcomes update ``Recipient`` through ``outreach.hooks.on_outcome``. ``cancel`` lets a
cancelled campaign withdraw what the channel queued.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from phongdich.core import sms
from phongdich.lib.sms import OutgoingSms


@dataclass(frozen=True)
class Claimed:
    """One recipient a worker holds: our message id and the number (memory only, never
    logged or stored here)."""

    pk: int
    message_id: str
    phone: str = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""


@dataclass(frozen=True)
class ChannelSpec:
    code: str
    label: object
    # send_batch(text, recipients, threads) -> {recipient pk: Outcome}
    send_batch: Callable[[str, list[Claimed], int], dict[int, Outcome]]
    counts_sms: bool = True  # spends the bulk-SMS daily cap per number (core.sms.reserve_sends)
    cancel: Callable[[int], int] | None = None  # cancel(campaign id): withdraw what was queued
    # The campaign is sent only once every message handed on has its outcome (a queued call is
    # still going), not as soon as the gateway took them all.
    waits_for_outcome: bool = False


_CHANNELS: dict[str, ChannelSpec] = {}


def register(spec: ChannelSpec) -> None:
    _CHANNELS[spec.code] = spec


def channel(code: str) -> ChannelSpec:
    return _CHANNELS[code]


def channel_codes() -> list[str]:
    return list(_CHANNELS)


def channel_choices() -> list[tuple[str, object]]:
    return [(c.code, c.label) for c in _CHANNELS.values()]


def _send_sms(text: str, recipients: list[Claimed], threads: int) -> dict[int, Outcome]:
    gateway = sms.gateway()

    def one(r: Claimed) -> tuple[int, Outcome]:
        result = gateway.send(OutgoingSms(to=r.phone, text=text, message_id=r.message_id))
        return r.pk, Outcome(result.ok, result.error.code if result.error else "")

    if threads <= 1 or len(recipients) <= 1:
        return dict(one(r) for r in recipients)
    return dict(_pool(threads).map(one, recipients))


_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOL_LOCK = threading.Lock()


def _pool(threads: int) -> ThreadPoolExecutor:
    """One pool per process and size, kept: its threads keep their gateway connections alive
    from one batch to the next."""
    with _POOL_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(threads, thread_name_prefix="campaign-sms")
        return _POOLS[threads]


register(ChannelSpec("sms", _("SMS"), _send_sms))
