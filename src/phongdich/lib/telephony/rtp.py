"""RTP (RFC 3550) for one call: G.711 sent in 20 ms frames, DTMF events (RFC 4733) received.

Frames are paced against an absolute schedule so that the clock does not drift with the time spent
sending; between prompts the stream carries G.711 silence, as phones and trunks expect a steady
stream (docs/reference/telephony.md, "RTP").
"""

from __future__ import annotations

import asyncio
import secrets
import struct
from collections.abc import Callable
from dataclasses import dataclass

from . import g711

FRAME_SECONDS = 0.020
FRAME_SAMPLES = 160  # 20 ms at 8 kHz, one byte per sample in G.711
_EVENT_KEYS = "0123456789*#ABCD"


@dataclass(frozen=True)
class RtpPacket:
    payload_type: int
    marker: bool
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes


def parse_rtp(data: bytes) -> RtpPacket | None:
    """An RTP packet, or None for anything else (RTCP, garbage)."""
    if len(data) < 12 or data[0] >> 6 != 2:
        return None
    csrc_count = data[0] & 0x0F
    offset = 12 + 4 * csrc_count
    if data[0] & 0x10:  # header extension
        if len(data) < offset + 4:
            return None
        (words,) = struct.unpack_from("!H", data, offset + 2)
        offset += 4 + 4 * words
    end = len(data)
    if data[0] & 0x20 and end > offset:  # padding: the last byte says how much
        end -= data[-1]
    if offset > end:
        return None
    sequence, timestamp, ssrc = struct.unpack_from("!HII", data, 2)
    return RtpPacket(
        data[1] & 0x7F, bool(data[1] & 0x80), sequence, timestamp, ssrc, data[offset:end]
    )


def build_rtp(
    payload_type: int,
    sequence: int,
    timestamp: int,
    ssrc: int,
    payload: bytes,
    marker: bool = False,
) -> bytes:
    second = (0x80 if marker else 0) | payload_type
    return (
        struct.pack("!BBHII", 0x80, second, sequence & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc)
        + payload
    )


@dataclass(frozen=True)
class DtmfEvent:
    key: str
    end: bool
    volume: int
    duration: int


def parse_event(payload: bytes) -> DtmfEvent | None:
    """An RFC 4733 telephone-event payload; events 0-15 are the DTMF keys."""
    if len(payload) < 4 or payload[0] > 15:
        return None
    (duration,) = struct.unpack_from("!H", payload, 2)
    return DtmfEvent(_EVENT_KEYS[payload[0]], bool(payload[1] & 0x80), payload[1] & 0x3F, duration)


class DtmfDetector:
    """One key per key press, although a press arrives as many packets.

    All packets of one press share the RTP timestamp; the end packet is sent three times
    (RFC 4733 §2.5.1.4). A press is new when its (SSRC, timestamp, key) differs from the last,
    or when the last press had ended and a non-end packet arrives (replayed recordings reuse
    timestamps).
    """

    def __init__(self) -> None:
        self._current: tuple[int, int, str] | None = None
        self._ended = False

    def feed(self, packet: RtpPacket) -> str | None:
        event = parse_event(packet.payload)
        if event is None:
            return None
        identity = (packet.ssrc, packet.timestamp, event.key)
        if identity != self._current or (self._ended and not event.end):
            self._current, self._ended = identity, event.end
            return event.key
        self._ended = self._ended or event.end
        return None


class RtpStream(asyncio.DatagramProtocol):
    """The media of one call: a paced sender and a receiver of DTMF events."""

    def __init__(self, on_key: Callable[[str], None]) -> None:
        self._on_key = on_key
        self._detector = DtmfDetector()
        self.transport: asyncio.DatagramTransport | None = None
        self.remote: tuple[str, int] | None = None
        self.payload_type = 0
        self.telephone_event: int | None = None
        self._ssrc = secrets.randbits(32)
        self._sequence = secrets.randbits(16)
        self._timestamp = secrets.randbits(32)
        self._audio = b""
        self._position = 0
        self._done: asyncio.Future[None] | None = None
        self._sender: asyncio.Task[None] | None = None
        self.frames_sent = 0
        self.late_frames = 0  # frames sent more than one frame late (the loop was busy)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        packet = parse_rtp(data)
        if (
            packet is None
            or self.telephone_event is None
            or packet.payload_type != self.telephone_event
        ):
            return
        key = self._detector.feed(packet)
        if key is not None:
            self._on_key(key)

    def error_received(self, exc: Exception) -> None:  # ICMP for media: the call's SIP side decides
        pass

    @property
    def local_port(self) -> int:
        if self.transport is None:
            raise RuntimeError("socket not open")
        return self.transport.get_extra_info("sockname")[1]

    def start(
        self, remote: tuple[str, int], payload_type: int, telephone_event: int | None
    ) -> None:
        self.remote, self.payload_type, self.telephone_event = remote, payload_type, telephone_event
        self._sender = asyncio.get_running_loop().create_task(self._send_loop())

    def play(self, audio: bytes) -> asyncio.Future[None]:
        """Queue ``audio`` (already G.711) in place of whatever plays; done when it has been sent."""
        self.stop_playing()
        self._audio, self._position = audio, 0
        self._done = asyncio.get_running_loop().create_future()
        if not audio:
            self._finish()
        return self._done

    def stop_playing(self) -> None:
        self._audio, self._position = b"", 0
        self._finish()

    def _finish(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def _next_frame(self) -> bytes:
        if self._position < len(self._audio):
            frame = self._audio[self._position : self._position + FRAME_SAMPLES]
            self._position += FRAME_SAMPLES
            if self._position >= len(self._audio):
                self._audio, self._position = b"", 0
                self._finish()
            return frame.ljust(FRAME_SAMPLES, bytes([g711.silence_byte(self.payload_type)]))
        return bytes([g711.silence_byte(self.payload_type)]) * FRAME_SAMPLES

    async def _send_loop(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        first = True
        while self.transport is not None and not self.transport.is_closing():
            packet = build_rtp(
                self.payload_type,
                self._sequence,
                self._timestamp,
                self._ssrc,
                self._next_frame(),
                first,
            )
            self.transport.sendto(packet, self.remote)
            self.frames_sent += 1
            first = False
            self._sequence += 1
            self._timestamp += FRAME_SAMPLES
            deadline += FRAME_SECONDS
            delay = deadline - loop.time()
            if delay < -FRAME_SECONDS:
                # Far behind: restart the schedule instead of bursting the backlog.
                self.late_frames += 1
                deadline = loop.time()
                delay = 0
            await asyncio.sleep(delay)

    def close(self) -> None:
        self.stop_playing()
        if self._sender is not None:
            self._sender.cancel()
        if self.transport is not None:
            self.transport.close()
