"""SDP offer and answer for a G.711 call with DTMF events (RFC 4566, RFC 3264, RFC 4733).

We offer PCMU (0), PCMA (8) and telephone-event (101); the answer's first audio format that we
know decides how we encode prompts. See docs/reference/telephony.md, "SDP".
"""

from __future__ import annotations

from dataclasses import dataclass

PCMU = 0
PCMA = 8
TELEPHONE_EVENT = 101
_KNOWN_AUDIO = (PCMU, PCMA)


class SdpError(ValueError):
    """An SDP body we cannot use (no audio, no address, no common codec)."""


@dataclass(frozen=True)
class MediaDescription:
    address: str
    port: int
    payload_type: int  # PCMU or PCMA, whichever the far end listed first
    telephone_event: int | None  # payload type of RFC 4733 events, if offered


def build_offer(address: str, rtp_port: int, session_id: int) -> bytes:
    lines = [
        "v=0",
        f"o=phongdich {session_id} {session_id} IN IP4 {address}",
        "s=phongdich",
        f"c=IN IP4 {address}",
        "t=0 0",
        f"m=audio {rtp_port} RTP/AVP {PCMU} {PCMA} {TELEPHONE_EVENT}",
        f"a=rtpmap:{PCMU} PCMU/8000",
        f"a=rtpmap:{PCMA} PCMA/8000",
        f"a=rtpmap:{TELEPHONE_EVENT} telephone-event/8000",
        f"a=fmtp:{TELEPHONE_EVENT} 0-16",
        "a=ptime:20",
        "a=sendrecv",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def parse_answer(body: bytes) -> MediaDescription:
    """Where to send RTP and in which G.711 law, from the far end's SDP."""
    session_address: str | None = None
    media_address: str | None = None
    port: int | None = None
    formats: list[int] = []
    rtpmap: dict[int, str] = {}
    in_audio = False
    for raw in body.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        kind, _, value = line.partition("=")
        if kind == "m":
            in_audio = value.startswith("audio ") and port is None
            if in_audio:
                port, formats = _media_line(value)
        elif kind == "c":
            address = _connection_address(value)
            if in_audio:
                media_address = address
            elif port is None:
                session_address = address
        elif kind == "a" and in_audio and value.startswith("rtpmap:"):
            number, _, encoding = value[len("rtpmap:") :].partition(" ")
            if number.isdigit():
                rtpmap[int(number)] = encoding.strip().lower()
    address = media_address or session_address
    if port is None or address is None:
        raise SdpError("no audio stream or connection address in SDP")
    if port == 0:
        raise SdpError("audio stream rejected (port 0)")
    chosen = _first_g711(formats, rtpmap)
    events = next((pt for pt, name in rtpmap.items() if name.startswith("telephone-event/")), None)
    return MediaDescription(address, port, chosen, events)


def _media_line(value: str) -> tuple[int, list[int]]:
    parts = value.split()
    if len(parts) < 4 or not parts[1].split("/")[0].isdigit():
        raise SdpError(f"bad m= line: {value!r}")
    return int(parts[1].split("/")[0]), [int(p) for p in parts[3:] if p.isdigit()]


def _connection_address(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN" or parts[1] != "IP4":
        raise SdpError(f"only IN IP4 connection addresses are supported: {value!r}")
    return parts[2].split("/")[0]


def _first_g711(formats: list[int], rtpmap: dict[int, str]) -> int:
    for payload_type in formats:
        name = rtpmap.get(payload_type, "")
        if payload_type in _KNOWN_AUDIO and (not name or name.startswith(("pcmu/", "pcma/"))):
            return payload_type
        if name.startswith("pcmu/8000"):
            return PCMU
        if name.startswith("pcma/8000"):
            return PCMA
    raise SdpError(f"no G.711 format in answer: {formats}")
