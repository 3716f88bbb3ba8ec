"""Information campaigns from the portal (issue 18): a published article is sent as an SMS
campaign to a segment. The button sits in the Wagtail admin beside the article
(``wagtail_hooks``); it opens the campaign form (``campaigns``) filled with the article's
title and link and the article's ward, where the officer picks the segment, sees the count
and schedules. Nothing is sent from here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from phongdich.accounts.jurisdiction import require_role
from phongdich.campaigns.actions import AUTHORS
from phongdich.portal.pages import ArticlePage
from phongdich.portal.sections import _covers, section_of

TEXT = "{title}. Xem: {url}"


def article_link(page: ArticlePage) -> str:
    return f"{str(settings.BASE_URL).rstrip('/')}{page.url or ''}"


@login_required
@require_GET
def article_to_campaign(request, page_id: int):
    require_role(request.user, *AUTHORS)
    page = ArticlePage.objects.live().filter(pk=page_id).first()
    if page is None:
        raise Http404
    section = section_of(page)
    if not _covers(request.user, section.page):
        raise Http404
    area = f"w{section.ward.code}" if section.ward is not None else ""
    if not area and request.user.province_id:
        area = f"p{request.user.province_id}"
    query = {
        "title": page.title[:120],
        "text": TEXT.format(title=page.title, url=article_link(page)),
        "source": f"portal:{page.pk}",
        "area": area,
    }
    return redirect(f"{reverse('campaigns:new')}?{urlencode(query)}")
