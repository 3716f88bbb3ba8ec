"""The loop over real SIP: sipp plays each person's phone on loopback (answers and presses keys
with its RFC 2833 recordings, is busy, never answers, hangs up mid-question), and each kind of
answer lands on the right contact.

One sipp process per phone (``phones.Phones``): each number goes to its own far end through a
real ``SipAdapter``, because one sipp scenario plays one behaviour.
"""

from __future__ import annotations

import pytest

from phongdich.lib.telephony import PromptCache
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, CallPlan, FollowUp, PlanState
from phongdich.tracing.models import ContactStatus
from phongdich.tracing.queries import work_querysets
from tests.telephony.conftest import require_tool

from .conftest import MORNING
from .phones import Phones


@pytest.fixture
def phones(tmp_path, prompt_cache):
    """``phones({number: (scenario, replacements, trunk options)})`` → an adapter factory."""
    started = Phones(tmp_path, prompt_cache.directory)
    yield started.start
    assert started.finish() == [0] * len(started.ends), started.log()


@pytest.fixture(scope="session")
def prompt_cache(tmp_path_factory):
    require_tool("espeak-ng")
    require_tool("sox")
    require_tool("sipp")
    return PromptCache(tmp_path_factory.mktemp("outreach-prompts"))


def _number(contact) -> str:
    return contact.person.phone


def test_each_answer_lands_on_the_right_contact(loop, phones):
    loop.deliver()
    one, two, three = (loop.contacts[n] for n in ("Lê Thị Một", "Phạm Văn Hai", "Vũ Thị Ba"))
    factory = phones(
        {
            _number(one): ("answer_keys.xml", {"KEY1": "1", "KEY2": "1"}, {}),  # symptoms
            _number(two): ("answer_keys.xml", {"KEY1": "2", "KEY2": "2"}, {}),  # wrong person
            _number(three): ("final_response.xml", {"STATUS": "486", "REASON": "Busy Here"}, {}),
        }
    )
    report = dial_due(factory, MORNING)
    assert report.recorded == 3 and report.errors == 0

    a1 = CallAttempt.objects.get(plan__contact=one)
    assert a1.outcome == "answered" and a1.sip_status == 200
    assert a1.answers == {"identity": "1", "symptoms": "1"}
    assert a1.duration_seconds > 0
    assert list(FollowUp.objects.filter(contact=one).values_list("kind", flat=True)) == ["symptoms"]
    one.refresh_from_db()
    assert one.status == ContactStatus.NOTIFIED
    assert one in work_querysets(loop.officer, MORNING.date())["test"]

    a2 = CallAttempt.objects.get(plan__contact=two)
    assert a2.answers["identity"] == "2"
    assert set(FollowUp.objects.filter(contact=two).values_list("kind", flat=True)) == {
        "wrong_person"
    }
    two.refresh_from_db()
    assert two.status == ContactStatus.IDENTIFIED

    a3 = CallAttempt.objects.get(plan__contact=three)
    assert (a3.outcome, a3.sip_status) == ("busy", 486)
    plan3 = CallPlan.objects.get(contact=three)
    assert plan3.state == PlanState.PENDING and plan3.attempts == 1  # retried later
    assert not FollowUp.objects.filter(contact=three).exists()


def test_never_answering_and_hanging_up_mid_question(loop, phones, rules):
    rules(max_attempts=1)
    loop.deliver()
    one, two, three = (loop.contacts[n] for n in ("Lê Thị Một", "Phạm Văn Hai", "Vũ Thị Ba"))
    factory = phones(
        {
            _number(one): ("no_answer.xml", {}, {"ring_timeout": 1.0}),
            _number(two): ("answer_then_hang_up.xml", {}, {}),
            _number(three): ("answer_keys.xml", {"KEY1": "1", "KEY2": "2"}, {}),
        }
    )
    report = dial_due(factory, MORNING)
    assert report.recorded == 3

    a1 = CallAttempt.objects.get(plan__contact=one)
    assert (a1.outcome, a1.sip_status, a1.detail) == ("no_answer", 487, "ring_timeout")
    assert set(FollowUp.objects.filter(contact=one).values_list("kind", flat=True)) == {
        "unreachable"
    }  # the only attempt allowed: the officer's manual list

    a2 = CallAttempt.objects.get(plan__contact=two)
    assert a2.outcome == "hung_up"
    assert a2.answers == {"identity": "1"}  # what was answered before the hang-up is kept
    assert CallPlan.objects.get(contact=two).state == PlanState.UNREACHABLE

    a3 = CallAttempt.objects.get(plan__contact=three)
    assert a3.answers == {"identity": "1", "symptoms": "2"}
    assert not FollowUp.objects.filter(contact=three).exists()
    assert CallPlan.objects.get(contact=three).state == PlanState.DONE
