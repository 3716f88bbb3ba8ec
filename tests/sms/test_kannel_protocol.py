"""The Kannel adapter's request building and answer parsing, without a Kannel."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime

import pytest

from phongdich.lib.sms import (
    DeliveryStatus,
    InvalidDeliveryReport,
    KannelConfig,
    KannelGateway,
    OutgoingSms,
    SubmitStatus,
    parse_delivery_report,
)
from phongdich.lib.sms.kannel import build_dlr_url, build_sendsms_params, parse_sendsms_response

SECRET = b"dlr secret"
CONFIG = KannelConfig(
    sendsms_url="http://127.0.0.1:13013/cgi-bin/sendsms",
    username="pd",
    password="pw",
    sender="UBND.HThanh",
    dlr_url="https://phongdich.example/sms/dlr",
    dlr_secret=SECRET,
)


def _params(text: str, to: str = "0912 345 678", **overrides) -> dict[str, str]:
    config = KannelConfig(**{**CONFIG.__dict__, **overrides})
    params = build_sendsms_params(config, OutgoingSms(to, text, message_id="m1"))
    assert isinstance(params, dict), params
    return params


def test_it_sends_the_international_number_without_plus():
    assert _params("hi")["to"] == "84912345678"
    assert _params("hi", to="+84 912 345 678")["to"] == "84912345678"


def test_vietnamese_goes_as_ucs2_in_utf8_and_ascii_as_gsm():
    vietnamese = _params("Mã xác nhận: 123456")
    assert vietnamese["coding"] == "2"
    assert vietnamese["charset"] == "UTF-8"
    assert vietnamese["text"] == "Mã xác nhận: 123456"
    assert "coding" not in _params("Ma xac nhan: 123456")


def test_ascii_only_strips_the_diacritics_and_sends_gsm():
    params = _params("Đường Lê Lợi, mã 123456", ascii_only=True)
    assert params["text"] == "Duong Le Loi, ma 123456"
    assert "coding" not in params


def test_the_dlr_url_names_our_message_and_asks_kannel_for_the_status():
    params = _params("hi")
    assert params["dlr-mask"] == "31"
    url = params["dlr-url"]
    assert url.startswith("https://phongdich.example/sms/dlr?id=m1&sig=")
    assert "status=%d" in url and "answer=%A" in url and "at=%T" in url
    assert "%p" not in url  # never ask for the number back


def test_without_a_dlr_url_no_report_is_asked_for():
    params = _params("hi", dlr_url="")
    assert "dlr-url" not in params and "dlr-mask" not in params


def test_a_landline_or_nonsense_is_refused_before_kannel_is_called():
    gateway = KannelGateway(
        KannelConfig(**{**CONFIG.__dict__, "sendsms_url": "http://127.0.0.1:9/"})
    )
    landline = gateway.send(OutgoingSms("024 3825 1234", "hi"))
    nonsense = gateway.send(OutgoingSms("12ab", "hi"))
    assert landline.error is not None and landline.error.code == "recipient_not_mobile"
    assert nonsense.error is not None and nonsense.error.code == "invalid_recipient"


def test_a_sender_longer_than_gsm_allows_is_refused():
    with pytest.raises(ValueError, match="11"):
        KannelConfig(**{**CONFIG.__dict__, "sender": "UBND Hac Thanh"})
    assert KannelConfig(**{**CONFIG.__dict__, "sender": "+84912345678"}).sender


def test_the_number_is_not_in_the_message_repr():
    assert "912345678" not in repr(OutgoingSms("+84912345678", "hi"))


@pytest.mark.parametrize(
    ("status", "body", "expected", "code"),
    [
        (202, "0: Accepted for delivery", SubmitStatus.ACCEPTED, None),
        (202, "3: Queued for later delivery", SubmitStatus.QUEUED, None),
        (403, "Authorization failed for sendsms", SubmitStatus.FAILED, "gateway_auth_failed"),
        (
            400,
            "Empty receiver number not allowed, rejected",
            SubmitStatus.FAILED,
            "gateway_rejected",
        ),
        (503, "Sending failed.", SubmitStatus.FAILED, "gateway_unavailable"),
        (202, "4: Something new", SubmitStatus.FAILED, "gateway_unexpected_response"),
    ],
)
def test_it_reads_kannels_answers(status, body, expected, code):
    result = parse_sendsms_response("m1", status, body)
    assert result.status is expected
    assert result.message_id == "m1"
    assert (result.error.code if result.error else None) == code
    if result.error:
        assert body.strip()[:20] in result.error.detail


def _callback(status: str, message_id: str = "m1", secret: bytes = SECRET) -> dict[str, list[str]]:
    """The query Kannel sends: our URL with its placeholders filled in."""
    url = build_dlr_url("https://x.example/dlr", message_id, secret)
    filled = (
        url.replace("%d", status)
        .replace("%A", urllib.parse.quote("NACK/0x45/Unknown"))
        .replace("%T", "1764892800")
        .replace("%F", "abc-123")
    )
    return urllib.parse.parse_qs(urllib.parse.urlsplit(filled).query, keep_blank_values=True)


@pytest.mark.parametrize("status", list(DeliveryStatus))
def test_it_reads_every_report_type(status):
    report = parse_delivery_report(_callback(str(status.value)), SECRET)
    assert report.status is status
    assert report.message_id == "m1"
    assert report.smsc_answer == "NACK/0x45/Unknown"
    assert report.smsc_message_id == "abc-123"
    assert report.reported_at == datetime(2025, 12, 5, tzinfo=UTC)


def test_final_and_successful_report_types():
    assert {s for s in DeliveryStatus if s.is_final} == {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.SMSC_REJECT,
    }
    assert {s for s in DeliveryStatus if s.is_success} == {DeliveryStatus.DELIVERED}


def test_it_accepts_plain_string_values():
    report = parse_delivery_report({"id": "m9", "status": "16"})
    assert (report.message_id, report.status, report.reported_at) == (
        "m9",
        DeliveryStatus.SMSC_REJECT,
        None,
    )


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"status": ["1"]}, "invalid_delivery_report"),
        ({"id": ["m1"], "status": ["3"]}, "invalid_delivery_report"),
        ({"id": ["m1"], "status": ["delivered"]}, "invalid_delivery_report"),
    ],
)
def test_it_refuses_malformed_reports(params, code):
    with pytest.raises(InvalidDeliveryReport) as info:
        parse_delivery_report(params)
    assert info.value.code == code
    assert info.value.message_vi


def test_it_refuses_a_forged_or_moved_signature():
    forged = _callback("1", secret=b"attacker key")
    with pytest.raises(InvalidDeliveryReport) as info:
        parse_delivery_report(forged, SECRET)
    assert info.value.code == "delivery_report_forged"
    # A real signature for another message does not vouch for this one.
    moved = {**_callback("1", message_id="m2"), "id": ["m1"]}
    with pytest.raises(InvalidDeliveryReport):
        parse_delivery_report(moved, SECRET)
    unsigned = {k: v for k, v in _callback("1").items() if k != "sig"}
    with pytest.raises(InvalidDeliveryReport):
        parse_delivery_report(unsigned, SECRET)
