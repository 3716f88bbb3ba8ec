"""The Kannel adapter against a real Kannel (bearerbox + smsbox) and its fake SMSC."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from phongdich.lib import otp
from phongdich.lib.sms import (
    DeliveryStatus,
    KannelConfig,
    KannelGateway,
    OutgoingSms,
    SubmitStatus,
    parse_delivery_report,
)
from tests.sms.conftest import DLR_SECRET
from tests.sms.kannel_server import PASSWORD, USERNAME, free_ports

SENDER = "HacThanh"


def _new_number() -> tuple[str, str]:
    """A fresh Viettel-style mobile number: as we store it (E.164), and as Kannel sends it."""
    local = "098" + "".join(secrets.choice("0123456789") for _ in range(7))
    return "+84" + local[1:], "84" + local[1:]


def _gateway(kannel, **overrides) -> KannelGateway:
    settings = {
        "sendsms_url": kannel.sendsms_url,
        "username": USERNAME,
        "password": PASSWORD,
        "sender": SENDER,
        **overrides,
    }
    return KannelGateway(KannelConfig(**settings))


def _to(receiver: str):
    return lambda m: m.receiver == receiver


def test_it_delivers_a_one_time_code_to_the_right_number(kannel):
    code, _state = otp.issue_code(b"server key", "challenge-1", datetime.now(UTC))
    text = f"Ma xac nhan PhongDich cua ban la {code}. Ma co hieu luc 10 phut."
    number, receiver = _new_number()
    other_number, other_receiver = _new_number()

    result = _gateway(kannel).send(OutgoingSms(number, text))
    other = _gateway(kannel).send(OutgoingSms(other_number, "Tin khac"))

    assert result.status is SubmitStatus.ACCEPTED, result.error
    assert other.ok
    received = kannel.wait_for_messages(_to(receiver))
    assert [(m.sender, m.text) for m in received] == [(SENDER, text)], kannel.logs()
    assert received[0].coding == "text"  # plain ASCII goes as GSM 7-bit
    others = kannel.wait_for_messages(_to(other_receiver))
    assert [m.text for m in others] == ["Tin khac"]
    assert [m.receiver for m in kannel.messages() if code in m.text] == [receiver]


def test_vietnamese_text_arrives_intact_as_ucs2(kannel):
    text = "Phường Hạc Thành: mã xác nhận của bạn là 042917. Đừng chia sẻ mã."
    number, receiver = _new_number()

    result = _gateway(kannel).send(OutgoingSms(number, text))

    assert result.status is SubmitStatus.ACCEPTED, result.error
    received = kannel.wait_for_messages(_to(receiver))
    assert [(m.coding, m.text) for m in received] == [("ucs-2", text)], kannel.logs()


def test_ascii_fallback_arrives_without_diacritics(kannel):
    text = "Phường Hạc Thành: mã xác nhận của bạn là 042917. Đừng chia sẻ mã."
    number, receiver = _new_number()

    result = _gateway(kannel, ascii_only=True).send(OutgoingSms(number, text))

    assert result.ok, result.error
    received = kannel.wait_for_messages(_to(receiver))
    expected = "Phuong Hac Thanh: ma xac nhan cua ban la 042917. Dung chia se ma."
    assert [(m.coding, m.text) for m in received] == [("text", expected)], kannel.logs()


def test_delivery_reports_reach_our_endpoint_matched_to_the_message(kannel, dlr_receiver):
    gateway = _gateway(kannel, dlr_url=dlr_receiver.url, dlr_secret=DLR_SECRET)
    number, receiver = _new_number()
    message = OutgoingSms(number, "Ket qua xet nghiem cua ban da co.")

    result = gateway.send(message)

    assert result.ok, result.error
    raw = dlr_receiver.wait_for(lambda r: r.get("id") == [message.message_id], count=2)
    reports = [parse_delivery_report(r, DLR_SECRET) for r in raw]
    assert {r.message_id for r in reports} == {message.message_id}
    # The fake SMSC's link accepts (8) and then reports the message delivered (1).
    assert sorted(r.status for r in reports) == [
        DeliveryStatus.DELIVERED,
        DeliveryStatus.SMSC_SUBMIT,
    ], kannel.logs()
    assert all(r.reported_at is not None for r in reports)
    # The report never carries the number back to us.
    assert not any(receiver[2:] in str(r) for r in raw)


def test_reports_of_many_messages_each_find_their_own(kannel, dlr_receiver):
    gateway = _gateway(kannel, dlr_url=dlr_receiver.url, dlr_secret=DLR_SECRET, dlr_mask=1)
    messages = [OutgoingSms(_new_number()[0], f"Tin so {i}") for i in range(5)]

    assert all(gateway.send(m).ok for m in messages)

    ids = {m.message_id for m in messages}
    raw = dlr_receiver.wait_for(lambda r: r.get("id", [""])[0] in ids, count=5)
    reports = [parse_delivery_report(r, DLR_SECRET) for r in raw]
    assert sorted(r.message_id for r in reports) == sorted(ids)
    assert {r.status for r in reports} == {DeliveryStatus.DELIVERED}


def test_a_wrong_password_is_reported_and_nothing_is_sent(kannel):
    number, receiver = _new_number()

    result = _gateway(kannel, password="wrong").send(OutgoingSms(number, "Khong duoc gui"))

    assert result.status is SubmitStatus.FAILED
    assert result.error is not None
    assert result.error.code == "gateway_auth_failed"
    assert "Authorization failed" in result.error.detail
    assert result.error.message_vi and result.error.message_en
    # Give Kannel the time a good message takes; nothing may arrive.
    _gateway(kannel).send(OutgoingSms(_new_number()[0], "marker"))
    kannel.wait_for_messages(lambda m: m.text == "marker")
    assert kannel.wait_for_messages(_to(receiver), timeout=0) == []


def test_an_unreachable_gateway_is_reported():
    (port,) = free_ports(1)  # nothing listens there
    config = KannelConfig(f"http://127.0.0.1:{port}/cgi-bin/sendsms", USERNAME, PASSWORD, SENDER)

    result = KannelGateway(config).send(OutgoingSms("+84981234567", "Khong toi"))

    assert result.status is SubmitStatus.FAILED
    assert result.error is not None
    assert result.error.code == "gateway_unavailable"
    assert "0981234567" not in result.error.detail


def test_it_queues_while_the_operator_link_is_down_and_sends_when_it_is_back(
    kannel_without_smsc,
):
    kannel = kannel_without_smsc
    number, receiver = _new_number()

    result = _gateway(kannel).send(OutgoingSms(number, "Gui khi co ket noi"))

    assert result.status is SubmitStatus.QUEUED, result.error
    assert result.ok
    kannel.connect_smsc()
    received = kannel.wait_for_messages(_to(receiver))
    assert [m.text for m in received] == ["Gui khi co ket noi"], kannel.logs()
