"""The demo gateway logs the text and a masked number, never the number."""

from __future__ import annotations

import logging

import pytest

from phongdich.lib.sms import ConsoleGateway, OutgoingSms, SubmitStatus, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+84912345678", "09xx…678"),
        ("0981 234 123", "09xx…123"),
        ("+842438251234", "02xx…234"),
        ("not a number", "…"),
    ],
)
def test_it_masks_numbers(phone, masked):
    assert mask_phone(phone) == masked


def test_it_logs_the_text_but_never_the_number(caplog):
    gateway = ConsoleGateway(sender="HacThanh", logger=logging.getLogger("test.sms"))
    message = OutgoingSms("+84912345678", "Mã xác nhận của bạn là 042917")

    with caplog.at_level(logging.INFO, logger="test.sms"):
        result = gateway.send(message)

    assert result.status is SubmitStatus.ACCEPTED
    assert result.message_id == message.message_id
    assert "Mã xác nhận của bạn là 042917" in caplog.text
    assert "09xx…678" in caplog.text
    assert message.message_id in caplog.text
    for form in ("912345678", "912 345 678", "0912345678"):
        assert form not in caplog.text
    assert list(gateway.outbox) == [message]


def test_ascii_only_logs_what_the_phone_would_show(caplog):
    gateway = ConsoleGateway(logger=logging.getLogger("test.sms"), ascii_only=True)
    with caplog.at_level(logging.INFO, logger="test.sms"):
        gateway.send(OutgoingSms("0912345678", "Đã tiêm"))
    assert "Da tiem" in caplog.text


def test_an_invalid_number_is_refused_and_not_logged(caplog):
    gateway = ConsoleGateway(logger=logging.getLogger("test.sms"))
    with caplog.at_level(logging.INFO, logger="test.sms"):
        result = gateway.send(OutgoingSms("01661234567", "hi"))
    assert result.error is not None and result.error.code == "invalid_recipient"
    assert "1661234567" not in caplog.text
    assert not gateway.outbox
