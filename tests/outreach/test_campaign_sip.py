"""A campaign's recorded call over real SIP: sipp answers as each person's phone, hears the
campaign's text (espeak-ng, Vietnamese) and presses 9 or stays silent; the outcome is written
back to the campaign's recipient and the number that pressed 9 is on the opt-out list."""

from __future__ import annotations

import pytest

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Recipient, RecipientStatus
from phongdich.campaigns.reports import results
from phongdich.core import sms
from phongdich.outreach.dialer import dial_due
from phongdich.outreach.models import CallAttempt, PlanState
from tests.campaigns.conftest import campaign_data, make_person

from .conftest import MORNING
from .test_sip_loop import phones, prompt_cache  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def test_a_campaign_call_is_placed_answered_and_written_back(ward_officer, phones, sms_outbox):  # noqa: F811
    refuses, listens = make_person(), make_person()
    campaign = actions.do_create_campaign(
        ward_officer,
        campaign_data(channel="call", text="Mời bà con đi tiêm mũi nhắc lại."),
        now=MORNING,
    )
    assert sending.run(now=MORNING)["sent"] == 2
    factory = phones(
        {
            refuses.phone: ("answer_keys.xml", {"KEY1": "9", "KEY2": "9"}, {}),
            listens.phone: ("answer_silent.xml", {}, {"max_duration": 60.0}),
        }
    )
    report = dial_due(factory, MORNING)
    assert report.recorded == 2 and report.errors == 0

    first = CallAttempt.objects.get(plan__person=refuses)
    assert (first.outcome, first.sip_status) == ("answered", 200)
    assert first.answers == {"message": "9"} and first.plan.state == PlanState.DONE
    second = CallAttempt.objects.get(plan__person=listens)
    assert second.outcome == "answered" and second.keys == {"message": [None]}
    assert second.duration_seconds > 0

    statuses = dict(Recipient.objects.values_list("person_id", "status"))
    assert statuses == {
        refuses.pk: RecipientStatus.OPTED_OUT,
        listens.pk: RecipientStatus.LISTENED,
    }
    assert sms.is_opted_out(refuses.phone) and not sms.is_opted_out(listens.phone)
    assert not sms_outbox  # a recorded message is not announced by SMS
    sending.run(now=MORNING)
    table = results(campaign)
    assert (table["opted_out"], table["listened"], table["total"]) == (1, 1, 2)
