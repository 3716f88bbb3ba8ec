"""A one-time code to prove a claim, sent through a real Kannel and read back from its fake
SMSC, then accepted."""

from __future__ import annotations

import re

import pytest

from phongdich.core import sms
from phongdich.lib.sms import KannelConfig, KannelGateway
from phongdich.people.proof import do_check_code, do_request_code

pytestmark = pytest.mark.django_db


def test_a_proof_code_arrives_through_kannel_and_proves_the_person(kannel, citizen):
    from tests.sms.test_kannel_live import PASSWORD, SENDER, USERNAME

    sms.use(
        KannelGateway(
            KannelConfig(
                sendsms_url=kannel.sendsms_url,
                username=USERNAME,
                password=PASSWORD,
                sender=SENDER,
            )
        )
    )
    try:
        challenge = do_request_code(citizen.id_number)
        receiver = citizen.phone.lstrip("+")
        [message] = kannel.wait_for_messages(lambda m: m.receiver == receiver)
        assert "PhongDich" in message.text  # one SMS, in Vietnamese (UCS-2 fits 70 characters)
        code = re.search(r"\b(\d{6})\b", message.text).group(1)
        assert do_check_code(challenge.key, code) == citizen
    finally:
        sms.use(None)
