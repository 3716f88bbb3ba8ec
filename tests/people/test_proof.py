"""Proving a record is yours: a one-time code to the phone on file merges the device's claim."""

from __future__ import annotations

import re
import uuid

import pytest

from phongdich.checkpoints.models import Visit
from phongdich.core import sms
from phongdich.lib.sms import ConsoleGateway
from phongdich.people.cookies import PERSON_COOKIE
from phongdich.people.models import Person
from tests.conftest import PERSON

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


def _code(message) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def _checkin_as_someone_typing(client, venue):
    response = client.post(
        f"/c/{venue.code}",
        {
            **PERSON,
            "phone": "0987 000 111",
            "client_id": str(uuid.uuid4()),
            "commitment": "on",
        },
    )
    assert response.status_code in (200, 302)
    return response


def test_the_code_goes_to_the_phone_on_file_and_merges_the_claim(client, venue, citizen, outbox):
    _checkin_as_someone_typing(client, venue)
    claim = Person.objects.get(claim_of=citizen)
    visit = Visit.objects.get(person=claim)
    asked = client.post("/xac-minh", {"id_number": citizen.id_number})
    assert asked.status_code == 302 and asked["Location"] == "/xac-minh/ma"
    [message] = outbox
    assert message.to == citizen.phone  # the phone on file, not the one typed
    wrong = client.post("/xac-minh/ma", {"code": "000000" if _code(message) != "000000" else "1"})
    assert (
        wrong.status_code == 422 and b"otp_wrong_code" in wrong.content
    ) or b"err-" in wrong.content
    proved = client.post("/xac-minh/ma", {"code": _code(message)})
    assert proved.status_code == 302
    assert client.cookies[PERSON_COOKIE].value.split(":")[0] == citizen.token
    visit.refresh_from_db()
    assert visit.person_id == citizen.pk
    claim.refresh_from_db()
    assert claim.claim_status == "confirmed"
    assert client.post("/xac-minh/ma", {"code": _code(message)}).status_code == 302  # to step 1


def test_an_unknown_id_number_gets_the_same_answer_and_no_message(client, citizen, outbox):
    known = client.post("/xac-minh", {"id_number": citizen.id_number})
    client.cookies.clear()
    unknown = client.post("/xac-minh", {"id_number": "038199000321"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(outbox) == 1
    page = client.get("/xac-minh/ma")
    assert page.status_code == 200 and b'id="code-sent"' in page.content
    for code in ("123456", "000000", "999999"):
        assert client.post("/xac-minh/ma", {"code": code}).status_code == 422


def test_five_wrong_codes_end_the_challenge(client, citizen, outbox):
    from phongdich.lib.errors import InputErrors
    from phongdich.people.proof import do_check_code, do_request_code

    challenge = do_request_code(citizen.id_number)
    right = _code(outbox[-1])
    wrong = "111111" if right != "111111" else "222222"
    codes = []
    for _ in range(5):
        with pytest.raises(InputErrors) as error:
            do_check_code(challenge.key, wrong)
        codes.append(error.value.errors[0].code)
    assert codes[-1] == "otp_too_many_attempts"
    with pytest.raises(InputErrors) as error:
        do_check_code(challenge.key, right)
    assert error.value.errors[0].code == "otp_too_many_attempts"


def test_codes_are_spaced_and_hashed_at_rest(citizen, outbox):
    from phongdich.lib.errors import InputErrors
    from phongdich.people.models import ProofCode
    from phongdich.people.proof import do_request_code

    first = do_request_code(citizen.id_number)
    assert _code(outbox[-1]) not in first.code_hash
    with pytest.raises(InputErrors) as error:
        do_request_code(citizen.id_number)  # again at once
    assert error.value.errors[0].field == "id_number"
    assert ProofCode.objects.count() == 1


def test_the_daily_cap_holds_per_number(citizen, outbox, settings, time_machine):
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=False)
    settings.SMS_DAILY_CAP = 2
    results = [sms.send_sms(citizen.phone, f"tin {n}") for n in range(3)]
    assert [r.ok for r in results] == [True, True, False]
    assert results[2].error.code == "daily_cap"
    assert len(outbox) == 2
    from phongdich.core.models import SmsDailyCount

    assert citizen.phone not in str(list(SmsDailyCount.objects.values()))
