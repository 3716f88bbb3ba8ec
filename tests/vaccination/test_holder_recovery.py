"""A holder who lost their links gets them back with a code sent to the phone on file; asking
reveals nothing about who is registered, and the links appear only after the right code."""

from __future__ import annotations

import re

import pytest

from phongdich.accounts.models import AuditEvent
from phongdich.core import sms
from phongdich.lib.sms import ConsoleGateway
from phongdich.people.models import ProofCode
from phongdich.vaccination.certificates import do_issue_certificate
from tests.conftest import PERSON

pytestmark = pytest.mark.django_db
START = "/dang-ky-tiem/lay-lai"


@pytest.fixture
def outbox():
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


@pytest.fixture
def certificate(vaccinated, signing_keys):
    return do_issue_certificate(vaccinated)[0]


def _code(message) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def _ask(client, id_number: str):
    response = client.post(START, {"id_number": id_number})
    assert response.status_code == 302 and response["Location"] == f"{START}/ma"
    return client.get(f"{START}/ma")


def test_the_code_to_the_phone_on_file_opens_the_holders_links(client, certificate, outbox):
    asked = _ask(client, PERSON["id_number"])
    assert asked.status_code == 200 and 'id="code-sent"' in asked.content.decode()
    [message] = outbox
    assert message.to == certificate.person.phone
    assert certificate.token not in asked.content.decode()  # nothing before the code

    shown = client.post(f"{START}/ma", {"code": _code(message)})
    page = shown.content.decode()
    assert shown.status_code == 200 and 'id="holder-links"' in page
    assert f"/chung-nhan/{certificate.token}" in page
    assert "no-store" in shown["Cache-Control"]
    assert AuditEvent.objects.filter(action="view", detail__via="otp").count() == 1
    # Shown once: the session no longer holds the challenge, and the code is used up.
    assert client.get(f"{START}/ma")["Location"] == START
    again = client.post(f"{START}/ma", {"code": _code(message)})
    assert again.status_code == 302 and certificate.token not in again.content.decode()


def test_an_unknown_id_number_gets_the_same_answer_and_no_message(client, certificate, outbox):
    known = _ask(client, PERSON["id_number"]).content.decode()
    client.cookies.clear()
    unknown = _ask(client, "038099000111").content.decode()
    strip = lambda page: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(outbox) == 1  # only the known number got a message
    guessed = client.post(f"{START}/ma", {"code": _code(outbox[0])})
    assert guessed.status_code == 422 and certificate.token not in guessed.content.decode()


def test_wrong_codes_end_the_challenge_and_show_nothing(client, certificate, outbox):
    _ask(client, PERSON["id_number"])
    right = _code(outbox[0])
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        answer = client.post(f"{START}/ma", {"code": wrong})
        assert answer.status_code == 422
        assert certificate.token not in answer.content.decode()
    late = client.post(f"{START}/ma", {"code": right})
    assert late.status_code == 422 and certificate.token not in late.content.decode()
    assert ProofCode.objects.get().used_at is None


def test_a_bad_id_number_is_refused_in_both_languages_and_sends_nothing(client, outbox):
    vi = client.post(START, {"id_number": "12"})
    assert vi.status_code == 422 and "không hợp lệ" in vi.content.decode()
    en = client.post(START, {"id_number": "12"}, headers={"Accept-Language": "en"})
    assert "not a valid" in en.content.decode()
    assert not outbox and not ProofCode.objects.exists()


def test_the_code_page_without_a_request_goes_back_to_the_start(client):
    assert client.get(f"{START}/ma")["Location"] == START


def test_registration_pages_link_to_the_recovery(client):
    assert START in client.get("/dang-ky-tiem").content.decode()
