"""Telephony tests: sipp (Debian ``sip-tester``) plays the far end on loopback, espeak-ng and sox
render the prompts.

A missing tool skips the tests that need it, unless ``PHONGDICH_REQUIRE_TOOLS=1`` (as in CI), where
it is a failure: a green run must not hide that the SIP tests never ran.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from phongdich.lib.telephony import PromptCache, Question, Script, SipTrunk

SCENARIOS = Path(__file__).parent / "sipp"
# Where Debian's sip-tester ships the RFC 2833 DTMF recordings (dtmf_2833_0.pcap … _pound.pcap).
SIPP_PCAP_DIR = Path("/usr/share/sip-tester")


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        reason = f"{name} is not installed"
        if os.environ.get("PHONGDICH_REQUIRE_TOOLS") == "1":
            pytest.fail(f"{reason}; PHONGDICH_REQUIRE_TOOLS=1 makes this a failure", pytrace=False)
        pytest.skip(f"{reason} (set PHONGDICH_REQUIRE_TOOLS=1 to fail instead)")
    return path


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_bound(port: int, process: subprocess.Popen, timeout: float = 5.0) -> None:
    """sipp is ready once its SIP port is taken; our INVITE would meet ICMP unreachable before."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return
        time.sleep(0.02)
    raise RuntimeError(f"sipp did not bind port {port}")


class SippFarEnd:
    """One sipp UAS process running one scenario file from tests/telephony/sipp."""

    def __init__(
        self,
        scenario: str,
        workdir: Path,
        calls: int = 1,
        directory: Path = SCENARIOS,
        **replacements: str,
    ) -> None:
        self.port = free_udp_port()
        self.media_port = free_udp_port()
        text = (directory / scenario).read_text()
        for key, value in {"PCAP_DIR": str(SIPP_PCAP_DIR), **replacements}.items():
            text = text.replace(f"@{key}@", value)
        self.workdir = workdir
        self.scenario = workdir / scenario
        self.scenario.write_text(text)
        self.calls = calls
        self.process: subprocess.Popen | None = None

    def start(self) -> SippFarEnd:
        sipp = require_tool("sipp")
        command = [
            sipp, "-sf", str(self.scenario), "-i", "127.0.0.1", "-p", str(self.port),
            "-mi", "127.0.0.1", "-mp", str(self.media_port), "-m", str(self.calls),
            "-nostdin", "-timeout", "30s", "-timeout_error", "-trace_err", "-trace_msg",
        ]  # fmt: skip
        self.process = subprocess.Popen(  # noqa: S603 — fixed arguments, no shell
            command,
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        _wait_until_bound(self.port, self.process)
        return self

    def finish(self, timeout: float = 15.0) -> int:
        """Wait for sipp to end its calls; its exit status is 0 when every call followed the scenario."""
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -1

    def log(self, kind: str = "errors") -> str:
        return "\n".join(p.read_text(errors="replace") for p in self.workdir.glob(f"*_{kind}.log"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def far_end(tmp_path: Path) -> Iterator:
    started: list[SippFarEnd] = []

    def start(scenario: str, calls: int = 1, **replacements: str) -> SippFarEnd:
        end = SippFarEnd(scenario, tmp_path, calls, **replacements).start()
        started.append(end)
        return end

    yield start
    for end in started:
        end.stop()


@pytest.fixture(scope="session")
def prompt_cache(tmp_path_factory: pytest.TempPathFactory) -> PromptCache:
    require_tool("espeak-ng")
    require_tool("sox")
    return PromptCache(tmp_path_factory.mktemp("prompts"))


@pytest.fixture
def prompts(prompt_cache: PromptCache) -> PromptCache:
    # A fresh in-memory layer over the session's disk cache: each test's event loop gets its own locks.
    return PromptCache(prompt_cache.directory)


def trunk_for(end: SippFarEnd, **options) -> SipTrunk:
    settings = {"ring_timeout": 5.0, "response_timeout": 3.0, "max_duration": 20.0}
    settings.update(options)
    return SipTrunk(host="127.0.0.1", port=end.port, **settings)


def two_questions(key_timeout: float = 3.0) -> Script:
    # Short prompts keep the calls short; the words are real Vietnamese, spoken by espeak-ng.
    return Script(
        name="test",
        questions=(
            Question("symptoms", "Bạn có sốt không? Bấm một hoặc hai.", ("1", "2")),
            Question("contact", "Bạn có tiếp xúc không? Bấm một hoặc hai.", ("1", "2")),
        ),
        closing="Cảm ơn.",
        fallback="Cán bộ sẽ gọi lại.",
        invalid_key="Phím sai.",
        key_timeout=key_timeout,
    )


def run(coroutine):
    return asyncio.run(coroutine)
