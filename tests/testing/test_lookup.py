"""The public result lookup (/ket-qua): right answers for the right code and year, one and the
same answer for everything else, and limits against guessing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.testing.actions import do_release_results
from phongdich.testing.results import do_record_result
from tests.testing.conftest import pooled, register

URL = "/ket-qua"
API = "/api/v1/testing/lookup"

# The address and code limits count in fixed windows: see the fixture.
pytestmark = pytest.mark.usefixtures("steady_rate_window")


@pytest.fixture
def negative(session, ward_officer, lab_technician, lab):
    samples, [pool] = pooled(session, ward_officer, 2, 2)
    do_record_result(pool.code, "negative", user=lab_technician, lab=lab)
    samples[0].refresh_from_db()
    return samples[0]


def ask(client, code, year, **kw):
    return client.post(URL, {"code": code, "birth_year": year}, **kw)


def test_the_home_page_link_leads_here(client, db):
    assert reverse("portal:results") == URL
    response = client.get(URL)
    assert response.status_code == 200 and b'id="lookup-button"' in response.content


def test_it_shows_the_result_date_and_test_type_and_nothing_else(client, negative):
    response = ask(client, negative.tube_code.lower(), negative.person.birth_year)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-result="negative"' in html and "RT-PCR" in html
    assert negative.person.full_name not in html and negative.person.phone not in html
    assert "Lê Lợi" not in html


def test_a_wrong_year_looks_exactly_like_an_unknown_code(client, negative, session, ward_officer):
    from phongdich.lib.codes import new_code

    wrong_year = ask(client, negative.tube_code, negative.person.birth_year + 1)
    unknown = ask(client, new_code(), negative.person.birth_year)
    [pending] = register(session, ward_officer, 1, start=40)  # registered, no result yet
    not_released = ask(client, pending.tube_code, pending.person.birth_year)
    assert {r.status_code for r in (wrong_year, unknown, not_released)} == {200}
    for r in (wrong_year, unknown, not_released):
        assert b'id="not-found"' in r.content and b'id="result"' not in r.content

    def visible(response):  # the page minus the echoed inputs and the CSRF token
        html = response.content.decode()
        start = html.index('id="not-found"')
        return html[start : html.index("</p>", start)]

    assert len({visible(r) for r in (wrong_year, unknown, not_released)}) == 1


def test_the_api_gives_the_same_404_for_every_miss(api_client, negative):
    from phongdich.lib.codes import new_code

    hit = api_client.post(
        API, {"code": negative.tube_code, "birth_year": negative.person.birth_year}
    )
    assert hit.status_code == 200
    assert set(hit.json()) == {"code", "result", "test_type", "sampled_at", "result_at"}
    wrong = api_client.post(API, {"code": negative.tube_code, "birth_year": 1900})
    unknown = api_client.post(API, {"code": new_code(), "birth_year": 1900})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    bad = api_client.post(API, {"code": "ABCD", "birth_year": 1990})
    assert bad.status_code == 422 and bad.json()["errors"][0]["code"] == "wrong_length"


def test_results_wait_for_release_when_release_is_manual(
    session, ward_officer, lab_technician, lab, client
):
    Rule.objects.create(key="testing.release_automatically", value=False)
    reset_cache()
    [sample] = register(session, ward_officer, 1)
    do_record_result(sample.tube_code, "negative", user=lab_technician, lab=lab)
    assert b'id="not-found"' in ask(client, sample.tube_code, sample.person.birth_year).content
    assert do_release_results(session, actor=ward_officer) == 1
    assert b'id="result"' in ask(client, sample.tube_code, sample.person.birth_year).content


def test_one_address_is_limited(client, negative):
    for _ in range(10):
        assert ask(client, negative.tube_code, negative.person.birth_year).status_code == 200
    limited = ask(client, negative.tube_code, negative.person.birth_year)
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    other = ask(client, negative.tube_code, negative.person.birth_year, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_guessing_one_code_from_many_addresses_is_limited(client, negative):
    """A year of birth has about a hundred likely values: ten misses lock that code for the hour,
    for every address and even for the right year (and every code alike, known or not)."""
    year = negative.person.birth_year
    for i in range(10):
        response = ask(client, negative.tube_code, 1900 + i, REMOTE_ADDR=f"10.0.1.{i}")
        assert b'id="not-found"' in response.content
    locked = ask(client, negative.tube_code, year, REMOTE_ADDR="10.0.2.1")
    assert locked.status_code == 429 and b'id="rate-limited"' in locked.content
    from phongdich.lib.codes import new_code

    other_code = new_code()
    for i in range(10):
        ask(client, other_code, 1900 + i, REMOTE_ADDR=f"10.0.3.{i}")
    assert ask(client, other_code, 1990, REMOTE_ADDR="10.0.4.1").status_code == 429


def test_the_api_is_rate_limited_too(api_client, negative):
    for _ in range(10):
        api_client.post(API, {"code": negative.tube_code, "birth_year": 2000})
    response = api_client.post(API, {"code": negative.tube_code, "birth_year": 2000})
    assert response.status_code == 429
    assert response.json()["errors"][0]["code"] == "rate_limited"


def test_malformed_input_is_explained(client, db):
    response = ask(client, "abc", "nineteen")
    assert response.status_code == 422 and b'data-code="wrong_length"' in response.content


@pytest.fixture
def outbox():
    from phongdich.core import sms
    from phongdich.lib.sms import ConsoleGateway

    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    yield gateway.outbox
    sms.use(None)


def _lock(client, code):
    for i in range(10):
        ask(client, code, 1900 + i, REMOTE_ADDR=f"10.0.1.{i}")


def test_a_stranger_guessing_does_not_lock_the_owner_out(client, negative, outbox):
    """Guessing locks the code and year (above), but the owner proves themselves with a code sent
    to the phone on file for the test, and sees the result; a guesser gets no SMS sent."""
    import re

    person = negative.person
    person.phone = "0912000111"
    person.save(update_fields=["phone"])
    _lock(client, negative.tube_code)
    year = person.birth_year
    locked = ask(client, negative.tube_code, year, REMOTE_ADDR="10.0.2.1")
    assert locked.status_code == 429 and b'id="send-code"' in locked.content
    sent = client.post(
        URL,
        {"step": "send", "code": negative.tube_code, "birth_year": year},
        REMOTE_ADDR="10.0.2.1",
    )
    assert sent.status_code == 200 and b'id="prove-code"' in sent.content
    assert len(outbox) == 1 and outbox[0].to.endswith("0912000111"[-9:])
    otp = re.search(r"\b(\d{6})\b", outbox[0].text).group(1)
    challenge = re.search(rb'name="challenge" value="([^"]+)"', sent.content).group(1).decode()
    proved = client.post(
        URL,
        {
            "step": "prove",
            "code": negative.tube_code,
            "birth_year": year,
            "challenge": challenge,
            "otp": otp,
        },
        REMOTE_ADDR="10.0.2.1",
    )
    assert proved.status_code == 200 and b'id="result"' in proved.content
    assert b'id="certificate-link"' in proved.content


def test_a_guesser_asking_for_a_code_gets_the_same_answer_and_no_sms(client, negative, outbox):
    import re

    negative.person.phone = "0912000111"
    negative.person.save(update_fields=["phone"])
    wrong_year = negative.person.birth_year + 1
    sent = client.post(URL, {"step": "send", "code": negative.tube_code, "birth_year": wrong_year})
    assert sent.status_code == 200 and b'id="prove-code"' in sent.content
    assert list(outbox) == []
    challenge = re.search(rb'name="challenge" value="([^"]+)"', sent.content).group(1).decode()
    for guess in ("000000", "123456"):
        tried = client.post(
            URL,
            {
                "step": "prove",
                "code": negative.tube_code,
                "birth_year": wrong_year,
                "challenge": challenge,
                "otp": guess,
            },
        )
        assert tried.status_code == 422 and b'id="result"' not in tried.content


def test_the_code_budget_is_counted_for_every_server_process(client, negative):
    """The counts live in the database (or Redis), not in one process's memory: clearing the
    process cache does not reset them."""
    from django.core.cache import cache

    _lock(client, negative.tube_code)
    cache.clear()
    locked = ask(client, negative.tube_code, negative.person.birth_year, REMOTE_ADDR="10.0.2.1")
    assert locked.status_code == 429
