"""The Django endpoints Kannel calls: delivery reports (signed per message, matched by our
id) and replies (opt-out and opt-in keywords); nothing about a number in URLs."""

from __future__ import annotations

import urllib.parse

import pytest

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Recipient, RecipientStatus
from phongdich.core import sms
from phongdich.lib.sms.kannel import build_dlr_url
from tests.campaigns.conftest import campaign_data, make_person

pytestmark = pytest.mark.django_db


def _report_path(message_id: str, status: int, secret: bytes | None = None) -> str:
    url = build_dlr_url("/sms/dlr", message_id, sms.dlr_secret() if secret is None else secret)
    return (
        url.replace("%d", str(status))
        .replace("%A", "ACK%2F")
        .replace("%T", "1767225600")
        .replace("%F", "abc")
    )


@pytest.fixture
def sent(ward_officer, console, daytime):
    make_person()
    make_person()
    actions.do_create_campaign(ward_officer, campaign_data())
    sending.run()
    return list(Recipient.objects.order_by("pk"))


def test_reports_are_matched_and_a_late_intermediate_one_does_not_undo_delivered(client, sent):
    first, second = sent
    assert client.get(_report_path(first.message_id, 1)).status_code == 200
    assert client.get(_report_path(first.message_id, 8)).status_code == 200  # arrives late
    assert client.get(_report_path(second.message_id, 16)).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.last_report) == (RecipientStatus.DELIVERED, 1)
    assert (second.status, second.error) == (RecipientStatus.FAILED, "smsc_rejected")


def test_a_forged_or_broken_report_changes_nothing(client, sent):
    row = sent[0]
    forged = client.get(_report_path(row.message_id, 1, secret=b"guess"))
    broken = client.get(_report_path(row.message_id, 99))
    missing = client.get("/sms/dlr")
    assert (forged.status_code, broken.status_code, missing.status_code) == (403, 400, 400)
    assert "Chữ ký" in forged.content.decode() and "signature" in forged.content.decode()
    row.refresh_from_db()
    assert row.status == RecipientStatus.ACCEPTED


def test_the_report_url_kannel_gets_carries_no_number(sent, settings):
    row = sent[0]
    phone = row.person.phone
    url = build_dlr_url(sms.dlr_url(), row.message_id, sms.dlr_secret())
    assert phone.removeprefix("+") not in url and phone[3:] not in url and "%p" not in url


def _reply(client, phone: str, text: str, token: str | None = None):
    query = urllib.parse.urlencode({"token": sms.incoming_token() if token is None else token})
    return client.post(
        f"/sms/mo?{query}",
        data=text.encode(),
        content_type="text/plain; charset=utf-8",
        headers={"X-Kannel-From": phone.removeprefix("+"), "X-Kannel-To": "8088"},
    )


def test_tc_opts_out_and_dk_opts_back_in(client, db):
    phone = "+84981234567"
    answer = _reply(client, phone, "tc")
    assert answer.status_code == 200 and "tu choi" in answer.content.decode()
    assert sms.is_opted_out(phone)
    assert _reply(client, phone, "Từ chối").status_code == 200  # again, with diacritics
    assert sms.is_opted_out(phone)
    _reply(client, phone, "DK")
    assert not sms.is_opted_out(phone)
    assert _reply(client, phone, "STOP!").status_code == 200
    assert sms.is_opted_out(phone)


def test_a_reply_without_the_token_or_number_changes_nothing(client, db):
    phone = "+84981234568"
    assert _reply(client, phone, "TC", token="wrong").status_code == 403
    assert (
        client.post(
            f"/sms/mo?token={sms.incoming_token()}", data=b"TC", content_type="text/plain"
        ).status_code
        == 400
    )
    assert not sms.is_opted_out(phone)


def test_the_opt_out_list_keeps_no_number(db):
    from phongdich.core.models import SmsOptOut

    sms.do_opt_out("+84981234569")
    stored = list(SmsOptOut.objects.values_list("number", flat=True))
    assert stored == [sms.number_key("+84981234569")] and "981234569" not in stored[0]
