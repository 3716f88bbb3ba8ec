"""The dialler: places the due calls through the configured adapter, many at once in one process.

The calls run as asyncio tasks on an event loop in a helper thread (one UDP socket for all SIP
signalling, docs/reference/telephony.md); each finished call is handed through a queue to the
calling thread, which writes its answers to the database at once. The database is only touched
from the calling thread, so the ORM needs no async support and a result is never dropped: a call
whose recording fails is logged with its plan id and the plan's lease runs out, so it is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from phongdich.core.rules import get_rule
from phongdich.lib.telephony import (
    CallOutcome,
    CallResult,
    ConsoleAdapter,
    PromptCache,
    SipAdapter,
    SipTrunk,
    TelephonyAdapter,
)
from phongdich.outreach.actions import Claimed, claim_due, do_record_result

log = logging.getLogger(__name__)
AdapterFactory = Callable[[], contextlib.AbstractAsyncContextManager[TelephonyAdapter]]


@dataclass
class DialReport:
    placed: int = 0
    recorded: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    errors: int = 0


def dialable(number: str) -> str:
    """The number as the trunk wants it (E.164 by default, or national with a prefix)."""
    prefix = settings.SIP_NATIONAL_PREFIX
    if prefix and number.startswith("+84"):
        return prefix + number[3:]
    return number


def prompt_cache() -> PromptCache:
    return PromptCache(Path(settings.DATA_DIR) / "prompts")


@contextlib.asynccontextmanager
async def configured_adapter() -> AsyncIterator[TelephonyAdapter]:
    """The adapter the settings name: the console (demo) or the SIP trunk."""
    if settings.CALL_ADAPTER == "sip":
        trunk = SipTrunk(
            host=settings.SIP_HOST,
            port=settings.SIP_PORT,
            domain=settings.SIP_DOMAIN or None,
            from_user=settings.SIP_FROM_USER,
            username=settings.SIP_USERNAME or None,
            password=settings.SIP_PASSWORD or None,
            local_host=settings.SIP_LOCAL_HOST,
            local_port=settings.SIP_LOCAL_PORT,
            ring_timeout=float(settings.SIP_RING_TIMEOUT),
            max_duration=float(settings.SIP_MAX_DURATION),
        )
        async with SipAdapter(trunk, prompt_cache()) as adapter:
            yield adapter
    else:
        # The demo's phones: the person confirms, is well, has understood, hears a campaign's
        # message to its end (silence after it).
        yield ConsoleAdapter(
            {"identity": ["1"], "symptoms": ["2"], "understood": ["1"], "message": [None]}
        )


async def _place_all(
    claims: list[Claimed], factory: AdapterFactory, out: queue.Queue, concurrency: int
) -> None:
    limit = asyncio.Semaphore(concurrency)

    async def one(adapter: TelephonyAdapter, claim: Claimed) -> None:
        async with limit:
            try:
                result = await adapter.place_call(dialable(claim.number), claim.script)
            except Exception as error:
                log.warning("call plan %s: the call failed: %s", claim.plan_id, error)
                result = CallResult(CallOutcome.FAILED, datetime.now(UTC), reason="error")
            out.put((claim, result))

    try:
        async with factory() as adapter:
            await asyncio.gather(*(one(adapter, c) for c in claims))
    except Exception:  # the adapter could not start: every claimed call failed
        log.exception("the call adapter failed")
        for claim in claims:
            out.put((claim, CallResult(CallOutcome.FAILED, datetime.now(UTC), reason="adapter")))


def place_calls(
    claims: list[Claimed],
    factory: AdapterFactory | None = None,
    concurrency: int | None = None,
    now: datetime | None = None,
) -> DialReport:
    """Place ``claims`` concurrently and record each result as soon as it comes in."""
    report = DialReport(placed=len(claims))
    if not claims:
        return report
    out: queue.Queue = queue.Queue()
    worker = threading.Thread(
        target=asyncio.run,
        args=(
            _place_all(
                claims,
                factory or configured_adapter,
                out,
                concurrency or get_rule("outreach.concurrent_calls"),
            ),
        ),
        name="outreach-calls",
        daemon=True,
    )
    worker.start()
    for _ in claims:
        claim, result = out.get()
        try:
            attempt = do_record_result(claim, result, now)
        except Exception:
            report.errors += 1
            log.exception("call plan %s: the answers could not be recorded", claim.plan_id)
            continue
        report.recorded += 1
        report.outcomes[attempt.outcome] = report.outcomes.get(attempt.outcome, 0) + 1
    worker.join()
    return report


def dial_due(
    factory: AdapterFactory | None = None, now: datetime | None = None, limit: int | None = None
) -> DialReport:
    """Claim the due plans (after their announcing SMS) and call them."""
    claims = claim_due(now, limit=limit or get_rule("outreach.concurrent_calls") * 4)
    return place_calls(claims, factory, now=now)
