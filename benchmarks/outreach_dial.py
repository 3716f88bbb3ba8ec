"""The whole robot-call loop under load: due plans → the dialler → SIP calls to sipp → answers
written back, from one process, beside the same calls placed by the SIP adapter alone.

* **ours**: ``--calls`` call plans (home-care check: greeting, one question, closing) are claimed
  and placed by ``outreach.dialer`` at most ``--concurrency`` at a time to a sipp UAS that answers
  and presses 1 (RFC 2833, Debian's recording). Every answer is written back as it arrives
  (attempt + follow-up). An answer is **lost** when a plan has no attempt with ``symptoms=1``
  and no "call back today" follow-up afterwards.
* **baseline**: the same script through ``SipAdapter`` with no database, same concurrency, a
  fresh sipp: what the loop costs on top of the calls themselves.

Runs on a fresh SQLite database in a temporary folder unless DATABASE_URL is set. Needs sipp,
espeak-ng and sox. Example::

    python benchmarks/outreach_dial.py --calls 200 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from calls import _start_uas, _stop


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["PHONGDICH_DATA_DIR"] = tempfile.mkdtemp(prefix="phongdich-bench-")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _plans(calls: int) -> list[int]:
    from phongdich.core.models import Rule
    from phongdich.core.rules import reset_cache
    from phongdich.lib.codes import new_token
    from phongdich.outreach.actions import do_plan_call
    from phongdich.people.models import Person

    Rule.objects.update_or_create(key="outreach.announce_minutes", defaults={"value": 0})
    Rule.objects.update_or_create(key="outreach.concurrent_calls", defaults={"value": 500})
    reset_cache()
    ids = []
    for n in range(calls):
        person = Person.objects.create(
            full_name=f"Người {n}", name_folded=f"nguoi {n}", birth_year=1980, gender="female",
            phone=f"+8491{n:07d}", ward_id=14797, token=new_token(),
        )  # fmt: skip
        plan, _ = do_plan_call(person, "care_check", "officer", f"bench:{n}")
        ids.append(plan.pk)
    return ids


def _in_hours():
    from datetime import datetime, time, timedelta

    from phongdich.lib.timeutil import VN_TZ

    return datetime.combine(datetime.now(VN_TZ).date() + timedelta(days=1), time(10), tzinfo=VN_TZ)


def _ours(workdir: Path, calls: int, concurrency: int, prompts) -> dict:
    from phongdich.core import sms
    from phongdich.lib.sms import ConsoleGateway
    from phongdich.lib.telephony import SipAdapter, SipTrunk
    from phongdich.outreach.actions import claim_due
    from phongdich.outreach.dialer import place_calls
    from phongdich.outreach.models import CallAttempt, FollowUp

    sms.use(ConsoleGateway("PhongDich", logger=_quiet()))
    plan_ids = _plans(calls)
    now = _in_hours()
    claims = claim_due(now, limit=calls)  # the announcing SMS go out here, before the clock
    uas, port = _start_uas(workdir, calls)
    trunk = SipTrunk(host="127.0.0.1", port=port, ring_timeout=10, response_timeout=10)

    @contextlib.asynccontextmanager
    async def factory():
        async with SipAdapter(trunk, prompts) as adapter:
            yield adapter

    try:
        start = time.perf_counter()
        report = place_calls(claims, factory, concurrency=concurrency, now=now)
        wall = time.perf_counter() - start
    finally:
        _stop(uas)
    answered = set(
        CallAttempt.objects.filter(plan_id__in=plan_ids, answers__symptoms="1").values_list(
            "plan_id", flat=True
        )
    )
    flagged = set(
        FollowUp.objects.filter(plan_id__in=plan_ids, kind="symptoms").values_list(
            "plan_id", flat=True
        )
    )
    lost = len(set(plan_ids) - (answered & flagged))
    return {"wall": wall, "lost": lost, "outcomes": dict(report.outcomes), "claimed": len(claims)}


def _quiet():
    import logging

    logger = logging.getLogger("bench.sms")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger


def _baseline(workdir: Path, calls: int, concurrency: int, prompts) -> dict:
    from phongdich.lib.telephony import SipAdapter, SipTrunk
    from phongdich.outreach.scripts import get_script

    script = get_script("care_check").ivr("Phường Hạc Thành")
    uas, port = _start_uas(workdir, calls)
    trunk = SipTrunk(host="127.0.0.1", port=port, ring_timeout=10, response_timeout=10)

    async def run():
        limit = asyncio.Semaphore(concurrency)
        async with SipAdapter(trunk, prompts) as adapter:

            async def one(i):
                async with limit:
                    return await adapter.place_call(f"+8492{i:07d}", script)

            start = time.perf_counter()
            results = await asyncio.gather(*(one(i) for i in range(calls)))
            return time.perf_counter() - start, results

    try:
        wall, results = asyncio.run(run())
    finally:
        _stop(uas)
    lost = sum(1 for r in results if r.answers.get("symptoms") != "1")
    return {"wall": wall, "lost": lost}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    for tool in ("sipp", "espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    _setup()
    from phongdich.lib.telephony import PromptCache
    from phongdich.outreach.scripts import get_script

    workdir = Path(tempfile.mkdtemp(prefix="outreach-bench-"))
    prompts = PromptCache(workdir / "prompts")
    asyncio.run(prompts.prepare(get_script("care_check").ivr("Phường Hạc Thành").prompts()))
    for sub in ("baseline", "ours"):
        (workdir / sub).mkdir()
    try:
        baseline = _baseline(workdir / "baseline", args.calls, args.concurrency, prompts)
        ours = _ours(workdir / "ours", args.calls, args.concurrency, prompts)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    ours_rate, base_rate = args.calls / ours["wall"], args.calls / baseline["wall"]
    print(f"{args.calls} calls, at most {args.concurrency} at a time, loopback sipp")
    print(f"{'':<30} {'calls/s':>8} {'lost':>6} {'wall s':>7}")
    print(f"{'outreach loop (DB write-back)':<30} {ours_rate:>8.1f} {ours['lost']:>6} {ours['wall']:>7.1f}")  # fmt: skip
    print(f"{'baseline SipAdapter alone':<30} {base_rate:>8.1f} {baseline['lost']:>6} {baseline['wall']:>7.1f}")  # fmt: skip
    print(f"ratio loop/baseline: {ours_rate / base_rate:.2f}; outcomes {ours['outcomes']}")
    return 0 if ours["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
