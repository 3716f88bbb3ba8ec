"""Information campaigns from the portal: a published article becomes an SMS campaign's text
(title and link) for the article's ward; the officer then picks the segment and schedules it.
Officers of another area and unpublished articles get 404."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign
from tests.campaigns.conftest import make_person
from tests.conftest import HAC_THANH, PASSWORD
from tests.portal.conftest import publish_article

pytestmark = pytest.mark.django_db


def test_an_article_is_sent_as_a_campaign(client, section, editor, ward_officer, time_machine):
    from phongdich.campaigns.models import Recipient
    from phongdich.core import sms
    from phongdich.lib.sms import ConsoleGateway

    page = publish_article(section, title="Lịch tiêm chủng tuần này")
    assert client.login(username=editor.username, password=PASSWORD)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    button = reverse("portal:article_sms", args=[page.pk])
    assert button in edit

    answer = client.get(button)
    assert answer.status_code == 302
    query = {k: v[0] for k, v in parse_qs(urlsplit(answer.url).query).items()}
    assert query["area"] == f"w{HAC_THANH}" and query["source"] == f"portal:{page.pk}"
    assert query["text"].startswith("Lịch tiêm chủng tuần này. Xem: http")
    assert query["text"].endswith(page.url)
    form = client.get(answer.url).content.decode()
    assert "Lịch tiêm chủng tuần này" in form

    person = make_person()
    campaign = actions.do_create_campaign(editor, query)
    assert Campaign.objects.get().source == f"portal:{page.pk}"
    gateway = ConsoleGateway("PhongDich")
    sms.use(gateway)
    try:
        from datetime import datetime

        from phongdich.lib.timeutil import VN_TZ

        time_machine.move_to(datetime(2026, 3, 10, 10, tzinfo=VN_TZ), tick=True)
        campaign.scheduled_at = datetime(2026, 3, 10, 9, tzinfo=VN_TZ)
        campaign.save()
        sending.run()
    finally:
        sms.use(None)
    assert [m.to for m in gateway.outbox] == [person.phone]
    assert page.url in gateway.outbox[0].text
    assert Recipient.objects.get().status == "accepted"


def test_other_areas_and_drafts_are_not_found(client, section, other_ward_officer, editor):
    page = publish_article(section)
    assert client.login(username=other_ward_officer.username, password=PASSWORD)
    assert client.get(reverse("portal:article_sms", args=[page.pk])).status_code == 404
    client.logout()
    assert client.login(username=editor.username, password=PASSWORD)
    page.unpublish()
    assert client.get(reverse("portal:article_sms", args=[page.pk])).status_code == 404
