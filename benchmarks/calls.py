"""Concurrent IVR calls from one process against sipp on loopback, beside sipp calling sipp.

* **ours**: ``--calls`` calls placed by ``SipAdapter`` from one asyncio process, at most
  ``--concurrency`` at a time, to a sipp UAS that answers, waits 200 ms and presses 1 as RFC 2833
  RTP events (Debian's recorded press). Each call plays a one-question script (Vietnamese prompts
  by espeak-ng, cached before the clock starts), hears the key, says the closing prompt and hangs
  up. An answer is lost when a call is not answered or the key does not arrive as its answer.
* **baseline**: a sipp UAC against the same UAS scenario, at the same concurrency, holding each
  call for our mean call length — the fastest these calls can go on this machine with C code on
  both ends.

Printed: calls/s, answers lost, setup latency (INVITE sent → 200 OK) p50/p95, our CPU time per
call and the RTP frames that were sent late. Needs ``sipp`` (Debian ``sip-tester``), ``espeak-ng``
and ``sox``. Example::

    python benchmarks/calls.py --calls 300 --concurrency 50
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from phongdich.lib.telephony import CallOutcome, PromptCache, Question, Script, SipAdapter, SipTrunk
from phongdich.lib.telephony import rtp as rtp_module

PCAP_DIR = Path("/usr/share/sip-tester")  # Debian's sip-tester ships the RFC 2833 recordings here

_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="answer and press 1">
  <recv request="INVITE" crlf="true"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

  ]]></send>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:[local_ip]:[local_port];transport=[transport]>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000

  ]]></send>
  <!-- A retransmitted INVITE (its 200 was slow to come) is absorbed; sipp keeps resending the 200. -->
  <recv request="INVITE" optional="true"/>
  <recv request="ACK" crlf="true"/>
  <pause milliseconds="200"/>
  <nop><action><exec play_pcap_audio="@PCAP@"/></action></nop>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

  ]]></send>
</scenario>
"""

_CALL = """<?xml version="1.0" encoding="UTF-8"?>
<scenario name="call and hold">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:bench@[local_ip]:[local_port]>
Max-Forwards: 70
Content-Type: application/sdp
Content-Length: [len]

v=0
o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
s=-
c=IN IP[media_ip_type] [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 101
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000

  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rtd="true"/>
  <send><![CDATA[
ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <pause milliseconds="@HOLD_MS@"/>
  <send retrans="500"><![CDATA[
BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:bench@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 BYE
Max-Forwards: 70
Content-Length: 0

  ]]></send>
  <recv response="200" crlf="true"/>
</scenario>
"""

SCRIPT = Script(
    name="benchmark",
    questions=(Question("ready", "Bạn có khỏe không? Bấm một.", ("1",)),),
    closing="Cảm ơn.",
    key_timeout=5.0,
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_bound(port: int) -> None:
    for _ in range(250):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.02)
    raise SystemExit(f"sipp did not bind port {port}")


def _start_uas(workdir: Path, calls: int) -> tuple[subprocess.Popen, int]:
    scenario = workdir / "answer.xml"
    scenario.write_text(_ANSWER.replace("@PCAP@", str(PCAP_DIR / "dtmf_2833_1.pcap")))
    port = _free_port()
    process = subprocess.Popen(
        ["sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1",
         "-mp", str(_free_port()), "-m", str(calls), "-nostdin", "-timeout", "600s", "-buff_size", "4194304", "-trace_err"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_bound(port)
    return process, port


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _ours(port: int, calls: int, concurrency: int, prompts: PromptCache) -> dict:
    trunk = SipTrunk(
        host="127.0.0.1", port=port, ring_timeout=10, response_timeout=10, max_duration=30
    )
    limit = asyncio.Semaphore(concurrency)
    late_before = _late_frames()

    async def one(adapter: SipAdapter, index: int):
        async with limit:
            return await adapter.place_call(f"09{index:08d}", SCRIPT)

    async with SipAdapter(trunk, prompts) as adapter:
        await prompts.prepare(SCRIPT.prompts())  # rendering is not what is measured
        cpu = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter()
        results = await asyncio.gather(*(one(adapter, i) for i in range(calls)))
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
    setups = [r.setup_seconds * 1000 for r in results if r.setup_seconds is not None]
    lost = [
        r for r in results if r.outcome is not CallOutcome.ANSWERED or r.answers.get("ready") != "1"
    ]
    kinds = Counter(
        f"{r.outcome}/{r.reason or r.script_status}/{r.questions[0].keys if r.questions else '-'}"
        for r in lost
    )
    return {
        "wall": wall,
        "lost": len(lost),
        "lost_kinds": dict(kinds),
        "setups": setups,
        "durations": [r.duration_seconds for r in results if r.outcome is CallOutcome.ANSWERED],
        "cpu": (after.ru_utime + after.ru_stime) - (cpu.ru_utime + cpu.ru_stime),
        "late_frames": _late_frames() - late_before,
    }


_LATE = [0]


def _late_frames() -> int:
    return _LATE[0]


def _count_late_frames() -> None:
    # Count frames sent more than one frame late in every stream, without changing the library.
    original = rtp_module.RtpStream.close

    def close(self):
        _LATE[0] += self.late_frames
        original(self)

    rtp_module.RtpStream.close = close


def _baseline(workdir: Path, port: int, calls: int, concurrency: int, hold_ms: int) -> dict:
    scenario = workdir / "call.xml"
    scenario.write_text(_CALL.replace("@HOLD_MS@", str(hold_ms)))
    start = time.perf_counter()
    subprocess.run(
        ["sipp", "-sf", str(scenario), "-i", "127.0.0.1", "-p", str(_free_port()), "-mi", "127.0.0.1",
         "-mp", str(_free_port()), "-m", str(calls), "-l", str(concurrency), "-r", "1000", "-nostdin",
         "-timeout", "600s", "-buff_size", "4194304", "-trace_rtt", "-rtt_freq", "1", "-trace_stat", "-fd", "1",
         f"127.0.0.1:{port}"],
        cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - start
    with next(workdir.glob("call_*_rtt.csv")).open() as rtt:
        setups = [float(row["response_time_ms"]) for row in csv.DictReader(rtt, delimiter=";")]
    with next(workdir.glob("call_*_.csv")).open() as stats:
        last = list(csv.DictReader(stats, delimiter=";"))[-1]
    return {"wall": wall, "lost": int(last["FailedCall(C)"]), "setups": setups}


def _row(name: str, calls: int, figures: dict) -> str:
    setups = figures["setups"]
    return (
        f"{name:<22} {calls / figures['wall']:>8.1f} {figures['lost']:>6} "
        f"{_percentile(setups, 0.5):>9.1f} {_percentile(setups, 0.95):>9.1f}"
    )


def _run_both(workdir: Path, calls: int, concurrency: int) -> tuple[dict, dict, int]:
    prompts = PromptCache(workdir / "prompts")
    uas, port = _start_uas(workdir, calls)
    try:
        ours = asyncio.run(_ours(port, calls, concurrency, prompts))
    finally:
        _stop(uas)
    hold_ms = round(statistics.mean(ours["durations"]) * 1000) if ours["durations"] else 1000
    uas, port = _start_uas(workdir, calls)
    try:
        baseline = _baseline(workdir, port, calls, concurrency, hold_ms)
    finally:
        _stop(uas)
    return ours, baseline, hold_ms


def _stop(process: subprocess.Popen) -> None:
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep sipp's logs (printed path)")
    args = parser.parse_args()
    for tool in ("sipp", "espeak-ng", "sox"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    _count_late_frames()
    workdir = Path(tempfile.mkdtemp(prefix="calls-bench-"))
    try:
        ours, baseline, hold_ms = _run_both(workdir, args.calls, args.concurrency)
    finally:
        if args.keep:
            print(f"sipp logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(
        f"{args.calls} calls, at most {args.concurrency} at a time, loopback; mean call {hold_ms} ms"
    )
    print(f"{'':<22} {'calls/s':>8} {'lost':>6} {'setup p50':>9} {'setup p95':>9}  (ms)")
    print(_row("phongdich SipAdapter", args.calls, ours))
    print(_row("baseline sipp->sipp", args.calls, baseline))
    print(
        f"our CPU: {ours['cpu']:.2f} s ({ours['cpu'] / args.calls * 1000:.1f} ms per call); "
        f"RTP frames sent late: {ours['late_frames']}; sipp's setup times are whole milliseconds"
    )
    if ours["lost"]:
        print(f"lost answers (outcome/reason/keys per attempt): {ours['lost_kinds']}")
    return 0 if ours["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
