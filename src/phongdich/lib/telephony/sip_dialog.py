"""One outbound SIP call as a user agent client (RFC 3261): INVITE with retransmission, digest
auth on 401/407, CANCEL on ring timeout, ACK, BYE both ways, DTMF by SIP INFO.

The shared UDP socket (``SipEndpoint``) hands each call the messages with its Call-ID.
See docs/reference/telephony.md, "SIP" for the response-code mapping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import digest
from .base import CallOutcome
from .sip_message import (
    SipMessage,
    SipParseError,
    dtmf_from_info,
    new_branch,
    new_call_id,
    new_tag,
    parse,
    response_to,
    uri_of,
)

if TYPE_CHECKING:
    from .sip_adapter import SipTrunk

logger = logging.getLogger(__name__)

BUSY_CODES = frozenset({486, 600})
NO_ANSWER_CODES = frozenset({408, 480, 487})  # the trunk gave up ringing, or our CANCEL took
_FINAL_WAIT = 4.0  # how long to wait for the answer to CANCEL or BYE (RFC 3261 Timer F is 32 s)


@dataclass(frozen=True)
class DialOutcome:
    outcome: CallOutcome
    status_code: int | None
    reason: str = ""


class SipEndpoint(asyncio.DatagramProtocol):
    """The UDP socket all calls share, connected to the trunk so that ICMP errors are reported."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.calls: dict[str, SipCall] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    @property
    def local_port(self) -> int:
        if self.transport is None:
            raise RuntimeError("socket not open")
        return self.transport.get_extra_info("sockname")[1]

    def send(self, message: SipMessage) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(message.to_bytes())

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if not data.strip():
            return  # CRLF keep-alive
        try:
            message = parse(data)
            call = self.calls.get(message.call_id)
            if call is not None:
                call.on_message(message)
            elif message.is_request and message.method != "ACK":
                self.send(response_to(message, 481, "Call/Transaction Does Not Exist"))
        except SipParseError as exc:
            logger.debug("ignoring unreadable SIP datagram: %s", exc)

    def error_received(self, exc: Exception) -> None:
        # An ICMP error on the connected socket: the trunk is not there. It names no call, so
        # every call still waiting for its first response fails.
        for call in list(self.calls.values()):
            call.on_transport_error(exc)


class SipCall:
    def __init__(
        self,
        endpoint: SipEndpoint,
        trunk: SipTrunk,
        number: str,
        offer: bytes,
        on_key: Callable[[str], None],
        on_remote_bye: Callable[[], None],
    ) -> None:
        self._endpoint = endpoint
        self._trunk = trunk
        self._on_key = on_key
        self._on_remote_bye = on_remote_bye
        self._offer = offer
        domain = trunk.domain or trunk.host
        self.call_id = new_call_id(trunk.local_host)
        self._via_host = f"{trunk.local_host}:{endpoint.local_port}"
        self._contact = f"<sip:{trunk.from_user}@{self._via_host}>"
        self._from = f"<sip:{trunk.from_user}@{domain}>;tag={new_tag()}"
        self._to = f"<sip:{number}@{domain}>"
        self._request_uri = f"sip:{number}@{domain}"
        self._remote_target = self._request_uri
        self._route_set: list[str] = []
        self._cseq = 1
        self._invite_branch = new_branch()
        self._invite: SipMessage | None = None
        self._queue: asyncio.Queue[SipMessage | Exception] = asyncio.Queue()
        self._dialing = False
        self._got_response = False
        self._invite_answered = asyncio.Event()
        self._ack: SipMessage | None = None  # resent when the final response is retransmitted
        self._bye_answered: asyncio.Event = asyncio.Event()
        self.answer_body = b""
        self.answered = False
        self.ended = False  # a BYE went either way

    # --- messages in -------------------------------------------------------------------
    def on_message(self, message: SipMessage) -> None:
        if message.is_request:
            self._on_request(message)
            return
        try:
            number, method = message.cseq()
        except SipParseError:
            return
        self._got_response = True
        if method == "INVITE" and number == self._cseq:
            self._invite_answered.set()
        if method == "BYE":
            self._bye_answered.set()
        elif self._dialing and method in {"INVITE", "CANCEL"}:
            self._queue.put_nowait(message)
        elif (
            method == "INVITE"
            and self._ack is not None
            and message.status
            and message.status >= 200
        ):
            self._endpoint.send(self._ack)  # our ACK was lost: the final response came again

    def _on_request(self, request: SipMessage) -> None:
        if request.method == "ACK":
            return
        if request.method == "BYE":
            self._endpoint.send(response_to(request, 200, "OK"))
            if not self.ended:
                self.ended = True
                self._on_remote_bye()
        elif request.method == "INFO":
            self._endpoint.send(response_to(request, 200, "OK"))
            key = dtmf_from_info(request)
            if key is not None and self.answered and not self.ended:
                self._on_key(key)
        elif request.method == "OPTIONS":
            self._endpoint.send(response_to(request, 200, "OK"))
        else:
            self._endpoint.send(response_to(request, 501, "Not Implemented"))

    def on_transport_error(self, exc: Exception) -> None:
        if self._dialing and not self._got_response:
            self._queue.put_nowait(exc)

    # --- requests out ------------------------------------------------------------------
    def _request(
        self, method: str, uri: str, branch: str, cseq: int, to: str, headers=(), body=b""
    ) -> SipMessage:
        message = SipMessage(method=method, uri=uri, body=body)
        message.headers = [
            ("Via", f"SIP/2.0/UDP {self._via_host};branch={branch};rport"),
            ("Max-Forwards", "70"),
            ("From", self._from),
            ("To", to),
            ("Call-ID", self.call_id),
            ("CSeq", f"{cseq} {method}"),
            *headers,
        ]
        return message

    def _make_invite(self, authorization: tuple[str, str] | None) -> SipMessage:
        headers = [
            ("Contact", self._contact),
            ("User-Agent", self._trunk.user_agent),
            ("Allow", "INVITE, ACK, CANCEL, BYE, INFO, OPTIONS"),
            ("Content-Type", "application/sdp"),
        ]
        if authorization:
            headers.append(authorization)
        return self._request(
            "INVITE",
            self._request_uri,
            self._invite_branch,
            self._cseq,
            self._to,
            headers,
            self._offer,
        )

    async def _retransmit(self, message: SipMessage, done: asyncio.Event, limit: float) -> None:
        """Send, then again after T1, 2·T1, 4·T1… (RFC 3261 Timers A and E) until ``done`` or
        ``limit`` seconds."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + limit
        interval = self._trunk.t1
        while not done.is_set() and loop.time() < give_up:
            self._endpoint.send(message)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), min(interval, max(0.0, give_up - loop.time())))
            interval = min(interval * 2, 4.0)

    # --- dialling ------------------------------------------------------------------------
    async def dial(self) -> DialOutcome:
        """Send the INVITE and wait for the outcome; on answer the dialog is confirmed (ACK sent)."""
        loop = asyncio.get_running_loop()
        self._dialing = True
        ring_deadline = loop.time() + self._trunk.ring_timeout
        response_deadline = loop.time() + min(
            self._trunk.response_timeout, self._trunk.ring_timeout
        )
        provisional = False
        authenticated = False
        self._invite = self._make_invite(None)
        sender = loop.create_task(
            self._retransmit(self._invite, self._invite_answered, self._trunk.response_timeout)
        )
        try:
            while True:
                deadline = ring_deadline if provisional else response_deadline
                try:
                    item = await asyncio.wait_for(
                        self._queue.get(), max(0.0, deadline - loop.time())
                    )
                except TimeoutError:
                    if provisional:
                        return await self._cancel()
                    return DialOutcome(CallOutcome.FAILED, None, "timeout")
                if isinstance(item, Exception):
                    return DialOutcome(CallOutcome.FAILED, None, "unreachable")
                number, method = item.cseq()
                status = item.status or 0
                if method != "INVITE" or number != self._cseq:
                    continue  # a CANCEL response, or a retransmission from before authentication
                if status < 200:
                    provisional = True
                    continue
                if status < 300:
                    self._confirm(item)
                    return DialOutcome(CallOutcome.ANSWERED, status)
                self._ack_failure(item)
                if status in (401, 407) and not authenticated and self._trunk.username:
                    authenticated = True
                    sender.cancel()
                    sender = loop.create_task(self._authenticate(item))
                    continue
                return _classify(status)
        finally:
            self._dialing = False
            sender.cancel()

    async def _authenticate(self, challenge: SipMessage) -> None:
        header_in, header_out = (
            ("WWW-Authenticate", "Authorization")
            if challenge.status == 401
            else ("Proxy-Authenticate", "Proxy-Authorization")
        )
        value = digest.authorization(
            challenge.header(header_in) or "",
            "INVITE",
            self._request_uri,
            self._trunk.username or "",
            self._trunk.password or "",
        )
        self._cseq += 1
        self._invite_branch = new_branch()
        self._invite = self._make_invite((header_out, value))
        self._got_response = False
        self._invite_answered = asyncio.Event()
        await self._retransmit(self._invite, self._invite_answered, self._trunk.response_timeout)

    def _ack_failure(self, response: SipMessage) -> None:
        # ACK to a non-2xx final response is part of the INVITE transaction: same branch (§17.1.1.3).
        self._ack = self._request(
            "ACK",
            self._request_uri,
            self._invite_branch,
            self._cseq,
            response.header("To") or self._to,
        )
        self._endpoint.send(self._ack)

    def _confirm(self, response: SipMessage) -> None:
        self.answered = True
        self._to = response.header("To") or self._to
        self._remote_target = uri_of(response.header("Contact")) or self._request_uri
        # The route set is the Record-Route list in reverse order for a UAC (§12.1.2).
        routes = [
            r.strip() for value in response.header_values("Record-Route") for r in value.split(",")
        ]
        self._route_set = list(reversed(routes))
        self.answer_body = response.body
        self._ack = self._request(
            "ACK", self._remote_target, new_branch(), self._cseq, self._to, self._routes()
        )
        self._endpoint.send(self._ack)

    def _routes(self) -> list[tuple[str, str]]:
        return [("Route", route) for route in self._route_set]

    async def _cancel(self) -> DialOutcome:
        """Ring timeout: CANCEL the INVITE, then wait for its 487 (or a 200 that crossed it)."""
        cancel = self._request(
            "CANCEL", self._request_uri, self._invite_branch, self._cseq, self._to
        )
        loop = asyncio.get_running_loop()
        cancelled = asyncio.Event()
        sender = loop.create_task(self._retransmit(cancel, cancelled, _FINAL_WAIT))
        give_up = loop.time() + _FINAL_WAIT
        try:
            while loop.time() < give_up:
                try:
                    item = await asyncio.wait_for(self._queue.get(), give_up - loop.time())
                except TimeoutError:
                    break
                if isinstance(item, Exception):
                    break
                number, method = item.cseq()
                if method == "CANCEL":
                    cancelled.set()
                    continue
                if method != "INVITE" or number != self._cseq or (item.status or 0) < 200:
                    continue
                cancelled.set()
                if (item.status or 0) < 300:  # answered just as we gave up: end it properly
                    self._confirm(item)
                    await self.hangup()
                    return DialOutcome(CallOutcome.NO_ANSWER, item.status, "answered_after_cancel")
                self._ack_failure(item)
                return DialOutcome(CallOutcome.NO_ANSWER, item.status, "ring_timeout")
        finally:
            sender.cancel()
        return DialOutcome(CallOutcome.NO_ANSWER, None, "ring_timeout")

    async def hangup(self) -> None:
        """Send BYE and wait (briefly) for its answer."""
        if self.ended or not self.answered:
            return
        self.ended = True
        self._cseq += 1
        bye = self._request(
            "BYE", self._remote_target, new_branch(), self._cseq, self._to, self._routes()
        )
        await self._retransmit(bye, self._bye_answered, _FINAL_WAIT)


def _classify(status: int) -> DialOutcome:
    if status in BUSY_CODES:
        return DialOutcome(CallOutcome.BUSY, status)
    if status in NO_ANSWER_CODES:
        return DialOutcome(CallOutcome.NO_ANSWER, status)
    if status < 400:  # 3xx: redirects are not followed
        return DialOutcome(CallOutcome.FAILED, status, "redirect")
    return DialOutcome(CallOutcome.REJECTED, status)
