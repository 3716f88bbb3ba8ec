"""RTP packets, DTMF events from sipp's recorded key presses, and a stream on a loopback socket."""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import pytest

from phongdich.lib.telephony import g711
from phongdich.lib.telephony.rtp import (
    FRAME_SAMPLES,
    DtmfDetector,
    RtpPacket,
    RtpStream,
    build_rtp,
    parse_event,
    parse_rtp,
)

from .conftest import SIPP_PCAP_DIR, require_tool, run


def _pcap_rtp(path: Path) -> list[RtpPacket]:
    """RTP packets from a classic pcap of Ethernet/IPv4/UDP frames."""
    data = path.read_bytes()
    (magic,) = struct.unpack_from("<I", data)
    endian = "<" if magic == 0xA1B2C3D4 else ">"
    offset, packets = 24, []
    while offset + 16 <= len(data):
        _, _, length, _ = struct.unpack_from(endian + "IIII", data, offset)
        frame = data[offset + 16 : offset + 16 + length]
        offset += 16 + length
        ip_header = (frame[14] & 0x0F) * 4
        packet = parse_rtp(frame[14 + ip_header + 8 :])
        assert packet is not None
        packets.append(packet)
    return packets


@pytest.fixture(scope="module")
def recordings() -> dict[str, list[RtpPacket]]:
    require_tool("sipp")  # the recordings come with Debian's sip-tester
    names = {str(d): str(d) for d in range(10)} | {"star": "*", "pound": "#"}
    return {key: _pcap_rtp(SIPP_PCAP_DIR / f"dtmf_2833_{name}.pcap") for name, key in names.items()}


def test_each_recorded_press_gives_exactly_its_key(recordings):
    for key, packets in recordings.items():
        detector = DtmfDetector()
        keys = [k for k in map(detector.feed, packets) if k is not None]
        assert keys == [key]
        assert len(packets) > 1  # many packets, one press


def test_the_same_recording_played_twice_is_two_presses(recordings):
    # sipp replays recordings with their own timestamps, so two presses can look alike but for
    # the end packets between them.
    detector = DtmfDetector()
    packets = recordings["1"] + recordings["1"] + recordings["#"]
    assert [k for k in map(detector.feed, packets) if k is not None] == ["1", "1", "#"]


def test_end_packets_alone_still_count_once():
    end = struct.pack("!BBH", 5, 0x80 | 10, 800)
    packets = [RtpPacket(101, False, n, 4000, 1, end) for n in range(3)]
    detector = DtmfDetector()
    assert [detector.feed(p) for p in packets] == ["5", None, None]


def test_events_beyond_the_keypad_are_ignored():
    assert parse_event(struct.pack("!BBH", 16, 10, 160)) is None  # flash
    assert parse_event(b"\x01\x0a") is None
    event = parse_event(struct.pack("!BBH", 11, 0x80 | 7, 1280))
    assert (event.key, event.end, event.volume, event.duration) == ("#", True, 7, 1280)


def test_rtp_round_trips_and_skips_csrc_extension_and_padding():
    plain = build_rtp(0, 65536 + 5, 2**32 + 160, 0xDEADBEEF, b"\xff" * 160, marker=True)
    packet = parse_rtp(plain)
    assert packet == RtpPacket(0, True, 5, 160, 0xDEADBEEF, b"\xff" * 160)
    # Version 2, padding, extension, one CSRC; one extension word; 3 bytes of padding.
    header = struct.pack("!BBHII", 0x80 | 0x20 | 0x10 | 1, 101, 1, 2, 3) + b"CSRC"
    extension = struct.pack("!HH", 0xBEDE, 1) + b"EXT!"
    packet = parse_rtp(header + extension + b"\x01\x8a\x00\xa0" + b"\x00\x00\x03")
    assert packet is not None
    assert packet.payload == b"\x01\x8a\x00\xa0"
    assert parse_rtp(b"\x40" + bytes(15)) is None  # version 1
    assert parse_rtp(b"\x80\x00") is None


class _Collect(asyncio.DatagramProtocol):
    def __init__(self, into: list[bytes]) -> None:
        self.into = into

    def datagram_received(self, data: bytes, addr) -> None:
        self.into.append(data)


async def _stream_to_listener(audio: bytes, payload_type: int):
    loop = asyncio.get_running_loop()
    received: list[bytes] = []
    listener, _ = await loop.create_datagram_endpoint(
        lambda: _Collect(received), local_addr=("127.0.0.1", 0)
    )
    keys: list[str] = []
    _, stream = await loop.create_datagram_endpoint(
        lambda: RtpStream(keys.append), local_addr=("127.0.0.1", 0)
    )
    stream.start(listener.get_extra_info("sockname"), payload_type, 101)
    await stream.play(audio)
    # A key press from the far end, sent to the stream's own port.
    listener.sendto(
        build_rtp(101, 1, 9, 7, struct.pack("!BBH", 4, 10, 160)), ("127.0.0.1", stream.local_port)
    )
    await asyncio.sleep(0.1)
    stream.close()
    listener.close()
    return [parse_rtp(d) for d in received], keys


def test_a_stream_sends_the_audio_in_20_ms_frames_then_silence_and_hears_keys():
    audio = bytes(range(256)) * 2  # 512 bytes: three full frames and a part
    packets, keys = run(_stream_to_listener(audio, 8))
    frames = b"".join(p.payload for p in packets[:4])
    assert frames == audio.ljust(4 * FRAME_SAMPLES, bytes([g711.ALAW_SILENCE]))
    assert all(p.payload_type == 8 and len(p.payload) == FRAME_SAMPLES for p in packets)
    assert [p.marker for p in packets[:2]] == [True, False]
    first = packets[0]
    for index, packet in enumerate(packets):
        assert packet.sequence == (first.sequence + index) & 0xFFFF
        assert packet.timestamp == (first.timestamp + index * FRAME_SAMPLES) & 0xFFFFFFFF
    assert packets[-1].payload == bytes([g711.ALAW_SILENCE]) * FRAME_SAMPLES
    assert keys == ["4"]
