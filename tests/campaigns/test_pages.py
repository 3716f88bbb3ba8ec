"""Staff pages: list, new with the live count, detail with results, approve, cancel, export;
outsiders get 403/404; the export holds counts and masked ids, never a number."""

from __future__ import annotations

import pytest
from django.urls import reverse

from phongdich.campaigns import actions, sending
from phongdich.campaigns.models import Campaign, Status
from tests.campaigns.conftest import HAC_THANH, campaign_data, make_person
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_an_officer_previews_creates_and_reads_results(client, ward_officer, console, daytime):
    people = [make_person() for _ in range(3)]
    _login(client, ward_officer)
    page = client.get(reverse("campaigns:new") + "?title=Tin%20b%C3%A0i&text=Xin%20ch%C3%A0o")
    assert page.status_code == 200 and 'value="Tin bài"' in page.content.decode()
    preview = client.post(reverse("campaigns:preview"), campaign_data()).content.decode()
    assert 'id="preview-count">3<' in preview and "Tra loi TC de tu choi" in preview
    assert 'id="preview-parts">' in preview
    created = client.post(reverse("campaigns:new"), campaign_data())
    campaign = Campaign.objects.get()
    assert created.status_code == 302 and created.url == reverse(
        "campaigns:detail", args=[campaign.pk]
    )
    sending.run()
    detail = client.get(created.url).content.decode()
    assert 'data-row="sent"><th>' in detail and campaign.title in detail
    export = client.get(reverse("campaigns:export", args=[campaign.pk]))
    body = export.content.decode("utf-8-sig")
    assert export.status_code == 200 and body.count("…") == 3
    for p in people:
        assert p.phone[3:] not in body and p.phone[-7:] not in body
    assert client.get(reverse("campaigns:list")).status_code == 200


def test_bad_input_is_shown_beside_the_fields_and_saves_nothing(client, ward_officer):
    _login(client, ward_officer)
    page = client.post(
        reverse("campaigns:new"),
        {"area": f"w{HAC_THANH}", "text": "", "age_min": "x", "scheduled_at": "soon"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and not Campaign.objects.exists()
    assert "Hãy nhập nội dung tin nhắn." in text and "thời điểm gửi" in text.lower()


def test_outsiders_get_403_or_404(client, ward_officer, other_ward_officer, venue_staff, db):
    make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    _login(client, other_ward_officer)
    for name in ("detail", "export"):
        assert client.get(reverse(f"campaigns:{name}", args=[campaign.pk])).status_code == 404
    assert client.post(reverse("campaigns:cancel", args=[campaign.pk])).status_code == 404
    assert (
        'id="preview-count"'
        not in client.post(reverse("campaigns:preview"), campaign_data()).content.decode()
    )
    client.logout()
    _login(client, venue_staff)
    assert client.get(reverse("campaigns:list")).status_code == 403
    assert client.get(reverse("campaigns:new")).status_code == 403
    assert client.post(reverse("campaigns:approve", args=[campaign.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("campaigns:list")).status_code == 302  # to the login
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SCHEDULED


def test_approve_and_cancel_through_the_pages(client, ward_officer, chairperson, daytime):
    from phongdich.core.models import Rule

    Rule.objects.create(key="campaigns.approval_above", value=0)
    make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data())
    assert campaign.status == Status.AWAITING_APPROVAL
    _login(client, ward_officer)
    assert (
        'id="approve"'
        not in client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    )
    client.logout()
    _login(client, chairperson)
    client.post(reverse("campaigns:approve", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SCHEDULED
    client.post(reverse("campaigns:cancel", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == Status.CANCELLED


def test_a_phone_width_page_has_no_wide_table(client, ward_officer, daytime):
    make_person()
    actions.do_create_campaign(ward_officer, campaign_data())
    _login(client, ward_officer)
    page = client.get(reverse("campaigns:list")).content.decode()
    assert 'class="grid"' in page and "data-label=" in page  # stacks at 360 px (site.css)


def test_a_draft_is_submitted_from_its_page(client, ward_officer, daytime):
    make_person()
    campaign = actions.do_create_campaign(ward_officer, campaign_data(draft="1"))
    assert campaign.status == Status.DRAFT
    _login(client, ward_officer)
    page = client.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()
    assert 'id="submit"' in page and "Bản nháp" in page
    client.post(reverse("campaigns:submit", args=[campaign.pk]))
    assert Campaign.objects.get(pk=campaign.pk).status == Status.SCHEDULED
