"""Send SMS through Kannel's smsbox HTTP interface (``/cgi-bin/sendsms``) and read the
delivery reports Kannel calls back with.

Kannel (bearerbox + smsbox) holds the operator connection (SMPP, EMI, …); we only speak
HTTP to smsbox on its ``sendsms-port``. How to configure Kannel for an operator, and what
every parameter below means, is in ``docs/reference/sms.md``.

Each message gets an id of ours, which goes into the ``dlr-url`` together with a signature
(HMAC-SHA256 with a server key): a report is matched to its message by that id alone, and a
forged report is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from phongdich.lib.phones import InvalidPhone, PhoneKind, parse_phone
from phongdich.lib.sms.encoding import needs_unicode, to_ascii
from phongdich.lib.sms.gateway import (
    DeliveryReport,
    DeliveryStatus,
    OutgoingSms,
    SendResult,
    SmsError,
    SubmitStatus,
)

__all__ = [
    "DEFAULT_DLR_MASK",
    "InvalidDeliveryReport",
    "KannelConfig",
    "KannelGateway",
    "build_dlr_url",
    "build_sendsms_params",
    "parse_delivery_report",
    "parse_sendsms_response",
]

# Every report type: delivered, failed, buffered, SMSC accepted, SMSC rejected.
DEFAULT_DLR_MASK = 1 | 2 | 4 | 8 | 16
_UCS2 = "2"  # Kannel's coding=2: UCS-2 (0 is GSM 7-bit, 1 is 8-bit data)
_SIGNATURE_LENGTH = 32  # hex characters of HMAC-SHA256 in the URL: 128 bits


@dataclass(frozen=True)
class KannelConfig:
    """Where smsbox listens and how we present ourselves to it.

    ``sendsms_url`` is smsbox's ``http://HOST:SENDSMS-PORT/cgi-bin/sendsms``; ``username`` and
    ``password`` are a ``sendsms-user`` group. ``sender`` is the registered sender name
    (brandname) the operator approved, at most 11 characters, e.g. ``"UBND.HThanh"``. ``dlr_url`` is our public
    endpoint for delivery reports; empty means ask for none. ``ascii_only`` sends every
    text without diacritics, for operators or contracts that take no UCS-2.
    """

    sendsms_url: str
    username: str
    password: str = field(repr=False)
    sender: str
    dlr_url: str = ""
    dlr_secret: bytes = field(default=b"", repr=False)
    dlr_mask: int = DEFAULT_DLR_MASK
    ascii_only: bool = False
    smsc_id: str = ""  # route through one Kannel SMSC group (Kannel's smsc-id); empty = any
    timeout: float = 10.0

    def __post_init__(self) -> None:
        # An alphanumeric sender is at most 11 characters (3GPP TS 23.040, 9.1.2.5), a
        # numeric one a phone number; operators register brandnames within that.
        sender = self.sender
        if not sender or (len(sender) > 11 and not sender.lstrip("+").isdigit()):
            raise ValueError("sender must be a registered name of 1 to 11 characters")


class InvalidDeliveryReport(ValueError):
    """A delivery-report callback we cannot accept; ``code`` is stable."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


def _signature(secret: bytes, message_id: str) -> str:
    mac = hmac.new(secret, b"sms-dlr\x00" + message_id.encode(), hashlib.sha256)
    return mac.hexdigest()[:_SIGNATURE_LENGTH]


def build_dlr_url(base: str, message_id: str, secret: bytes) -> str:
    """Our report URL with Kannel's placeholders: ``%d`` the report type, ``%A`` the SMSC's
    answer, ``%T`` the report's Unix time, ``%F`` the SMSC's message id. Kannel fills them in
    (URL-encoded) when it calls back. ``%p`` (the number) is deliberately not asked for."""
    query = {"id": message_id}
    if secret:
        query["sig"] = _signature(secret, message_id)
    ours = urllib.parse.urlencode(query)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{ours}&status=%d&answer=%A&at=%T&smsc_id=%F"


def _recipient(to: str) -> str | SmsError:
    """Kannel and Vietnamese SMSCs take the international number without ``+``."""
    try:
        phone = parse_phone(to)
    except InvalidPhone as exc:
        return SmsError("invalid_recipient", exc.message_vi, exc.message_en, exc.code)
    if phone.kind is not PhoneKind.MOBILE:
        return SmsError(
            "recipient_not_mobile",
            "Số cố định không nhận được tin nhắn SMS.",
            "A landline cannot receive SMS.",
        )
    return phone.e164.removeprefix("+")


def build_sendsms_params(config: KannelConfig, message: OutgoingSms) -> dict[str, str] | SmsError:
    """The query of one ``sendsms`` request, or why there can be none."""
    to = _recipient(message.to)
    if isinstance(to, SmsError):
        return to
    text = to_ascii(message.text) if config.ascii_only else message.text
    params = {
        "username": config.username,
        "password": config.password,
        "from": config.sender,
        "to": to,
        "text": text,
        # Kannel reads the text in this charset and converts it for the chosen coding.
        "charset": "UTF-8",
    }
    if needs_unicode(text):
        params["coding"] = _UCS2
    if config.smsc_id:
        params["smsc"] = config.smsc_id
    if config.dlr_url and config.dlr_mask:
        params["dlr-mask"] = str(config.dlr_mask)
        params["dlr-url"] = build_dlr_url(config.dlr_url, message.message_id, config.dlr_secret)
    return params


_AUTH_FAILED = SmsError(
    "gateway_auth_failed",
    "Cổng SMS từ chối tên đăng nhập hoặc mật khẩu.",
    "The SMS gateway refused the username or password.",
)


def parse_sendsms_response(message_id: str, status: int, body: str) -> SendResult:
    """Turn smsbox's answer into a result. Kannel answers ``202`` with ``0: Accepted for
    delivery`` or ``3: Queued for later delivery`` (no operator link at the moment; Kannel
    sends it when the link is back), ``403`` for a wrong user, ``400`` for a message it
    refuses, and ``503`` when bearerbox cannot take it."""
    detail = body.strip()[:200]
    if 200 <= status < 300:
        if detail.startswith("0:"):
            return SendResult(message_id, SubmitStatus.ACCEPTED)
        if detail.startswith("3:"):
            return SendResult(message_id, SubmitStatus.QUEUED)
    if status in (401, 403):
        error = SmsError(**{**_AUTH_FAILED.as_dict(), "detail": detail})
    elif 400 <= status < 500:
        error = SmsError(
            "gateway_rejected",
            "Cổng SMS từ chối tin nhắn.",
            "The SMS gateway rejected the message.",
            detail,
        )
    elif status >= 500:
        error = SmsError(
            "gateway_unavailable",
            "Cổng SMS đang không gửi được tin nhắn, hãy thử lại sau.",
            "The SMS gateway cannot send messages now; try again later.",
            detail,
        )
    else:
        error = SmsError(
            "gateway_unexpected_response",
            "Cổng SMS trả lời không như mong đợi.",
            "The SMS gateway gave an answer we do not understand.",
            f"HTTP {status}: {detail}",
        )
    return SendResult(message_id, SubmitStatus.FAILED, error)


def _first(params: Mapping[str, str | list[str]], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list):
        return value[0] if value else ""
    return value


def _bad_report(what_en: str) -> InvalidDeliveryReport:
    return InvalidDeliveryReport(
        "invalid_delivery_report",
        "Báo cáo gửi tin không hợp lệ.",
        f"Invalid delivery report: {what_en}.",
    )


def parse_delivery_report(
    params: Mapping[str, str | list[str]], secret: bytes = b""
) -> DeliveryReport:
    """Read the query of a callback to :func:`build_dlr_url`'s URL (a dict of strings, or
    of lists as ``urllib.parse.parse_qs`` gives). With a ``secret``, the signature must match."""
    message_id = _first(params, "id")
    if not message_id:
        raise _bad_report("no message id")
    if secret and not hmac.compare_digest(_first(params, "sig"), _signature(secret, message_id)):
        raise InvalidDeliveryReport(
            "delivery_report_forged",
            "Chữ ký của báo cáo gửi tin không đúng.",
            "The delivery report's signature does not match.",
        )
    raw_status = _first(params, "status")
    try:
        status = DeliveryStatus(int(raw_status))
    except ValueError:
        raise _bad_report(f"unknown status {raw_status[:10]!r}") from None
    raw_at = _first(params, "at")
    reported_at = datetime.fromtimestamp(int(raw_at), UTC) if raw_at.isdigit() else None
    return DeliveryReport(
        message_id=message_id,
        status=status,
        reported_at=reported_at,
        smsc_answer=_first(params, "answer")[:500],
        smsc_message_id=_first(params, "smsc_id")[:100],
    )


class _KeepAliveClient:
    """One persistent HTTP/1.1 connection to smsbox per thread (smsbox keeps connections
    alive; a new TCP connection for every message would halve the throughput)."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ValueError("sendsms_url must be an http:// or https:// URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port
        self.path = parts.path or "/cgi-bin/sendsms"
        self._timeout = timeout
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            conn = cls(self._host, self._port, timeout=self._timeout)
            self._local.conn = conn
            self._local.used = False
        return conn

    def get(self, path_and_query: str) -> tuple[int, str]:
        # Only a reused connection that the server had already closed is retried, and only
        # when nothing came back: the request never reached smsbox, so no double SMS.
        for attempt in (1, 2):
            conn = self._connection()
            reused = self._local.used
            try:
                conn.request("GET", path_and_query)
                response = conn.getresponse()
                body = response.read().decode("utf-8", "replace")
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()
                if reused and attempt == 1:
                    continue
                raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
            self._local.used = True
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None


class KannelGateway:
    """The :class:`~phongdich.lib.sms.gateway.SmsGateway` for Kannel's smsbox."""

    def __init__(self, config: KannelConfig) -> None:
        self.config = config
        self.sender = config.sender
        self._client = _KeepAliveClient(config.sendsms_url, config.timeout)

    def send(self, message: OutgoingSms) -> SendResult:
        params = build_sendsms_params(self.config, message)
        if isinstance(params, SmsError):
            return SendResult(message.message_id, SubmitStatus.FAILED, params)
        query = urllib.parse.urlencode(params)
        try:
            status, body = self._client.get(f"{self._client.path}?{query}")
        except (OSError, http.client.HTTPException) as exc:
            # The exception text names host and port at most, never the query.
            error = SmsError(
                "gateway_unavailable",
                "Không kết nối được cổng SMS, hãy thử lại sau.",
                "Could not reach the SMS gateway; try again later.",
                type(exc).__name__,
            )
            return SendResult(message.message_id, SubmitStatus.FAILED, error)
        return parse_sendsms_response(message.message_id, status, body)

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        self._client.close()
