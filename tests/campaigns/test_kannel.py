"""A campaign through a real Kannel (bearerbox, smsbox, the fake SMSC): a person replies "TC"
through the operator and is skipped; everyone else gets the message; Kannel's delivery reports
come back to the Django endpoint (the live server) and are matched to each message."""

from __future__ import annotations

import time

import pytest

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign, Recipient, RecipientStatus, Status
from phongdich.campaigns.reports import results
from phongdich.core import sms
from phongdich.lib.sms import KannelConfig, KannelGateway
from tests.campaigns.conftest import campaign_data, make_person
from tests.sms.kannel_server import PASSWORD, USERNAME, KannelServer

SENDER = "HacThanh"


def _until(predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


@pytest.fixture
def kannel_live(kannel_binaries, live_server, tmp_path):
    replies = f"{live_server.url}/sms/mo?token={sms.incoming_token()}"
    server = KannelServer(tmp_path, kannel_binaries, replies_url=replies)
    server.start()
    sms.use(
        KannelGateway(
            KannelConfig(
                sendsms_url=server.sendsms_url,
                username=USERNAME,
                password=PASSWORD,
                sender=SENDER,
                dlr_url=f"{live_server.url}/sms/dlr",
                dlr_secret=sms.dlr_secret(),
            )
        )
    )
    yield server
    sms.use(None)
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_a_campaign_is_delivered_and_reported_and_an_opted_out_number_skipped(
    kannel_live, ward_officer, daytime
):
    kannel = kannel_live
    people = [make_person() for _ in range(3)]
    refusing = make_person()
    refusing_receiver = refusing.phone.removeprefix("+")

    kannel.send_reply(refusing_receiver, "8088", "TC")
    assert _until(lambda: sms.is_opted_out(refusing.phone)), kannel.logs()
    confirmation = kannel.wait_for_messages(lambda m: m.receiver == refusing_receiver)
    assert confirmation and "DK" in confirmation[0].text, kannel.logs()

    # Unicode is 70 characters a part: the ASCII fallback keeps this one SMS (160), so the fake
    # SMSC's log holds the whole text.
    campaign = actions.do_create_campaign(
        ward_officer,
        campaign_data(
            text="Phường Hạc Thành: tiêm nhắc lại sáng mai tại trạm y tế.", ascii_only="1"
        ),
    )
    assert campaign.estimated == 3
    totals = sending.run()
    assert totals["sent"] == 3, totals

    receivers = {p.phone.removeprefix("+") for p in people}
    arrived = kannel.wait_for_messages(lambda m: m.receiver in receivers, count=3)
    assert {m.receiver for m in arrived} == receivers, kannel.logs()
    expected = (
        "Phuong Hac Thanh: tiem nhac lai sang mai tai tram y te. Tra loi TC de tu choi nhan tin."
    )
    assert [(m.coding, m.text) for m in arrived] == [("text", expected)] * 3
    assert not [m for m in kannel.messages() if m.receiver == refusing_receiver][1:]

    delivered = _until(
        lambda: (
            Recipient.objects.filter(campaign=campaign, status=RecipientStatus.DELIVERED).count()
            == 3
        )
    )
    assert delivered, (list(Recipient.objects.values_list("status", "last_report")), kannel.logs())
    assert all(
        r.reported_at and r.submitted_at
        for r in Recipient.objects.filter(campaign=campaign, status=RecipientStatus.DELIVERED)
    )
    sending.run()
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SENT
    table = results(campaign)
    assert (table["sent"], table["delivered"], table["opted_out"], table["failed"]) == (3, 3, 1, 0)
