"""The SIP adapter: places calls through a SIP trunk or PBX and runs the IVR script on them.

One UDP socket carries the signalling of every call; each call has its own RTP socket. Prompts are
rendered before dialling. See docs/reference/telephony.md for why this is written here rather than
taken from a library.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import socket
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime

from .base import CallEnded, CallOutcome, CallResult, Script, check_number
from .ivr import run_script
from .prompts import PromptCache
from .rtp import RtpStream
from .sdp import SdpError, build_offer, parse_answer
from .sip_dialog import SipCall, SipEndpoint

logger = logging.getLogger(__name__)

_SIP_RECEIVE_BUFFER = 2 * 1024 * 1024  # capped by net.core.rmem_max


@dataclass(frozen=True)
class SipTrunk:
    """Where calls go and how long to wait. Timings are settings (docs/reference/telephony.md)."""

    host: str
    port: int = 5060
    from_user: str = "phongdich"
    domain: str | None = None  # in the Request-URI and From/To; defaults to ``host``
    username: str | None = None  # digest credentials, if the trunk challenges with 401/407
    password: str | None = None
    local_host: str = "127.0.0.1"  # the address the trunk reaches us at (Via, Contact, SDP)
    local_port: int = 0
    ring_timeout: float = 30.0
    response_timeout: float = 32.0  # RFC 3261 Timer B = 64·T1
    max_duration: float = 300.0
    t1: float = 0.5
    user_agent: str = "PhongDich"


class SipCallSession:
    """An answered SIP call as the IVR runner sees it: prompts out, keys in, barge-in."""

    def __init__(self, prompts: PromptCache) -> None:
        self._prompts = prompts
        self._keys: deque[str] = deque()
        self._changed = asyncio.Event()
        self._rtp: RtpStream | None = None
        self.remote_hangup = False
        self.keys_received: list[str] = []

    def attach(self, rtp: RtpStream) -> None:
        self._rtp = rtp

    def on_key(self, key: str) -> None:
        self.keys_received.append(key)
        self._keys.append(key)
        self._changed.set()

    def on_remote_bye(self) -> None:
        self.remote_hangup = True
        self._changed.set()

    async def play(self, text: str, interruptible: bool = True) -> None:
        if self._rtp is None:
            raise RuntimeError("no media stream attached")
        if self.remote_hangup:
            raise CallEnded
        if interruptible and self._keys:
            return  # the answer is already in: do not make the person listen again
        audio = await self._prompts.encoded(text, self._rtp.payload_type)
        finished = self._rtp.play(audio)
        finished.add_done_callback(lambda _: self._changed.set())
        try:
            while not finished.done():
                self._changed.clear()
                if self.remote_hangup:
                    raise CallEnded
                if interruptible and self._keys:
                    return
                if finished.done():
                    return
                await self._changed.wait()
        finally:
            self._rtp.stop_playing()

    async def next_key(self, timeout: float, question_id: str | None = None) -> str | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            if self._keys:
                return self._keys.popleft()
            if self.remote_hangup:
                raise CallEnded
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)


class SipAdapter:
    """``async with SipAdapter(trunk, prompts) as adapter: await adapter.place_call(...)``."""

    def __init__(self, trunk: SipTrunk, prompts: PromptCache) -> None:
        self.trunk = trunk
        self.prompts = prompts
        self._endpoint: SipEndpoint | None = None

    async def __aenter__(self) -> SipAdapter:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, self._endpoint = await loop.create_datagram_endpoint(
            SipEndpoint,
            local_addr=(self.trunk.local_host, self.trunk.local_port),
            remote_addr=(self.trunk.host, self.trunk.port),
        )
        # Many calls answered at once arrive as a burst of 180s and 200s; the default buffer
        # (about 90 small datagrams on Linux) drops some, which costs a 500 ms retransmission.
        sock = transport.get_extra_info("socket")
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _SIP_RECEIVE_BUFFER)

    def close(self) -> None:
        if self._endpoint is not None and self._endpoint.transport is not None:
            self._endpoint.transport.close()

    async def place_call(self, number: str, script: Script) -> CallResult:
        """Dial ``number``, run ``script`` if answered, hang up; never raises for call outcomes."""
        check_number(number)
        if self._endpoint is None:
            raise RuntimeError("use 'async with SipAdapter(...)' or call start()")
        await self.prompts.prepare(script.prompts())
        loop = asyncio.get_running_loop()
        session = SipCallSession(self.prompts)
        _, rtp = await loop.create_datagram_endpoint(
            lambda: RtpStream(session.on_key), local_addr=(self.trunk.local_host, 0)
        )
        offer = build_offer(self.trunk.local_host, rtp.local_port, secrets.randbelow(2**31))
        call = SipCall(
            self._endpoint, self.trunk, number, offer, session.on_key, session.on_remote_bye
        )
        self._endpoint.calls[call.call_id] = call
        result = CallResult(CallOutcome.FAILED, datetime.now(UTC))
        dialled_at = loop.time()
        try:
            dial = await call.dial()
            result.outcome, result.status_code, result.reason = (
                dial.outcome,
                dial.status_code,
                dial.reason,
            )
            if dial.outcome is CallOutcome.ANSWERED:
                result.setup_seconds = loop.time() - dialled_at
                await self._converse(call, rtp, session, script, result)
        finally:
            rtp.close()
            self._endpoint.calls.pop(call.call_id, None)
        # The number is personal data: the log names the call only by its Call-ID.
        logger.info("call %s: %s %s", call.call_id, result.outcome, result.script_status)
        return result

    async def _converse(
        self,
        call: SipCall,
        rtp: RtpStream,
        session: SipCallSession,
        script: Script,
        result: CallResult,
    ) -> None:
        loop = asyncio.get_running_loop()
        answered_at = loop.time()
        try:
            media = parse_answer(call.answer_body)
        except SdpError:
            result.outcome, result.reason = CallOutcome.FAILED, "bad_sdp"
            await call.hangup()
            return
        rtp.start((media.address, media.port), media.payload_type, media.telephone_event)
        session.attach(rtp)
        await run_script(session, script, result, self.trunk.max_duration)
        if session.remote_hangup:
            result.hung_up_by = "remote"
        else:
            await call.hangup()
            result.hung_up_by = "local"
        result.duration_seconds = loop.time() - answered_at
