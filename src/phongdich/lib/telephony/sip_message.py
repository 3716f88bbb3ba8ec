"""SIP messages (RFC 3261): parse what arrives on UDP, build what we send.

Only the parts an outbound call needs: start line, headers (compact forms too), body by
Content-Length, and the few header fields a dialog reads (tags, CSeq, Contact URI).
See docs/reference/telephony.md, "SIP".
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

# RFC 3261 §7.3.3 compact header names.
_COMPACT = {
    "i": "call-id",
    "f": "from",
    "t": "to",
    "v": "via",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
    "e": "content-encoding",
}
_TAG = re.compile(r";\s*tag=([^;,\s>]+)", re.IGNORECASE)
_ANGLE_URI = re.compile(r"<([^>]*)>")
BRANCH_MAGIC = "z9hG4bK"  # RFC 3261 §8.1.1.7


class SipParseError(ValueError):
    """Datagram that is not a SIP message we can read."""


@dataclass
class SipMessage:
    method: str | None = None  # requests
    uri: str | None = None
    status: int | None = None  # responses
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return self.method is not None

    def header(self, name: str) -> str | None:
        """First value of a header, by full or compact name, case-insensitive."""
        values = self.header_values(name)
        return values[0] if values else None

    def header_values(self, name: str) -> list[str]:
        wanted = _canonical(name)
        return [value for key, value in self.headers if _canonical(key) == wanted]

    @property
    def call_id(self) -> str:
        return self.header("Call-ID") or ""

    def cseq(self) -> tuple[int, str]:
        raw = self.header("CSeq") or ""
        parts = raw.split()
        if len(parts) != 2 or not parts[0].isdigit():
            raise SipParseError(f"bad CSeq: {raw!r}")
        return int(parts[0]), parts[1].upper()

    def to_bytes(self) -> bytes:
        if self.is_request:
            start = f"{self.method} {self.uri} SIP/2.0"
        else:
            start = f"SIP/2.0 {self.status} {self.reason}"
        lines = [start]
        lines += [
            f"{key}: {value}" for key, value in self.headers if _canonical(key) != "content-length"
        ]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def _canonical(name: str) -> str:
    lowered = name.strip().lower()
    return _COMPACT.get(lowered, lowered)


def parse(data: bytes) -> SipMessage:
    """Parse one SIP message from a UDP datagram."""
    head, separator, rest = data.partition(b"\r\n\r\n")
    if not separator:
        head, separator, rest = data.partition(b"\n\n")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SipParseError("header is not UTF-8") from exc
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines[0].strip()
    message = _parse_start_line(start)
    for line in lines[1:]:
        if not line:
            continue
        if line[0] in " \t" and message.headers:  # folded continuation line
            key, value = message.headers[-1]
            message.headers[-1] = (key, value + " " + line.strip())
            continue
        key, colon, value = line.partition(":")
        if not colon:
            raise SipParseError(f"header line without colon: {line!r}")
        message.headers.append((key.strip(), value.strip()))
    length_header = message.header("Content-Length")
    if length_header is not None:
        if not length_header.strip().isdigit():
            raise SipParseError(f"bad Content-Length: {length_header!r}")
        length = int(length_header)
        if length > len(rest):
            raise SipParseError("body shorter than Content-Length")
        rest = rest[:length]
    message.body = rest
    return message


def _parse_start_line(start: str) -> SipMessage:
    parts = start.split(" ", 2)
    if len(parts) < 2:
        raise SipParseError(f"bad start line: {start!r}")
    if parts[0] == "SIP/2.0":
        if not parts[1].isdigit() or len(parts[1]) != 3:
            raise SipParseError(f"bad status code: {start!r}")
        return SipMessage(status=int(parts[1]), reason=parts[2] if len(parts) > 2 else "")
    if len(parts) != 3 or parts[2] != "SIP/2.0" or not parts[0].isalpha():
        raise SipParseError(f"bad request line: {start!r}")
    return SipMessage(method=parts[0].upper(), uri=parts[1])


def tag_of(value: str | None) -> str | None:
    """The tag parameter of a From or To header."""
    if not value:
        return None
    # The tag is a header parameter: look only after the URI's closing bracket.
    tail = value.rsplit(">", 1)[-1] if ">" in value else value
    match = _TAG.search(tail)
    return match.group(1) if match else None


def uri_of(value: str | None) -> str | None:
    """The URI inside a name-addr (``"x" <sip:a@b>;tag=1``) or a bare addr-spec."""
    if not value:
        return None
    match = _ANGLE_URI.search(value)
    if match:
        return match.group(1).strip()
    return value.split(";", 1)[0].strip()


def new_branch() -> str:
    return BRANCH_MAGIC + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(12)}@{host}"


def response_to(
    request: SipMessage, status: int, reason: str, to_tag: str | None = None
) -> SipMessage:
    """A response that copies Via, From, To, Call-ID and CSeq from the request (RFC 3261 §8.2.6)."""
    headers: list[tuple[str, str]] = []
    for key, value in request.headers:
        canonical = _canonical(key)
        if canonical == "to" and to_tag and tag_of(value) is None:
            value = f"{value};tag={to_tag}"
        if canonical in {"via", "from", "to", "call-id", "cseq"}:
            headers.append((key, value))
    return SipMessage(status=status, reason=reason, headers=headers)


def dtmf_from_info(message: SipMessage) -> str | None:
    """The key of a SIP INFO carrying application/dtmf-relay (``Signal=5``) or application/dtmf."""
    content_type = (message.header("Content-Type") or "").split(";")[0].strip().lower()
    body = message.body.decode("utf-8", "replace")
    if content_type == "application/dtmf-relay":
        for line in body.splitlines():
            key, _, value = line.partition("=")
            if key.strip().lower() == "signal":
                return _normalise_key(value.strip())
        return None
    if content_type == "application/dtmf":
        return _normalise_key(body.strip())
    return None


_EVENT_KEYS = "0123456789*#ABCD"


def _normalise_key(value: str) -> str | None:
    # Some phones send the RFC 4733 event number (10 = *, 11 = #) instead of the symbol.
    if value.isdigit() and 10 <= int(value) <= 15:
        return _EVENT_KEYS[int(value)]
    if len(value) == 1 and value.upper() in _EVENT_KEYS:
        return value.upper()
    return None
