"""Visitor counters: one integer per page per day, exact under parallel views (SQLite and
PostgreSQL), bots not counted, cached views counted, the seed's five figures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from django.db import connection
from django.test import Client

from phongdich.lib.timeutil import VN_TZ
from phongdich.portal.counters import PageViewDay, count_view, visits
from phongdich.portal.sections import site_home
from tests.portal.conftest import UA, publish_article

PARALLEL = 8
EACH = 15


def _views(page_id: int) -> int:
    return sum(PageViewDay.objects.filter(page_id=page_id).values_list("views", flat=True))


@pytest.mark.django_db(transaction=True)
def test_parallel_views_are_all_counted(section):
    article = publish_article(section, "Tin nóng")
    url = article.url

    def view(_):
        client = Client(**UA)
        for _ in range(EACH):
            assert client.get(url).status_code == 200
        connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(view, range(PARALLEL)))
    assert _views(article.pk) == PARALLEL * EACH
    assert PageViewDay.objects.filter(page_id=article.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_upserts_on_a_new_day_lose_nothing(section):
    def hit(_):
        count_view(section.pk, date(2026, 12, 24))
        connection.close()

    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(hit, range(PARALLEL * EACH)))
    row = PageViewDay.objects.get(page_id=section.pk, day=date(2026, 12, 24))
    assert row.views == PARALLEL * EACH


@pytest.mark.django_db
def test_nothing_about_the_visitor_is_stored():
    fields = {f.name for f in PageViewDay._meta.get_fields()}
    assert fields == {"id", "page", "day", "views"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "agent",
    ["", "Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5", "facebookexternalhit/1.1"],
)
def test_bots_are_not_counted(client, section, agent):
    assert client.get(section.url, HTTP_USER_AGENT=agent).status_code == 200
    assert _views(section.pk) == 0


@pytest.mark.django_db
def test_prefetch_and_head_are_not_counted(client, section):
    client.get(section.url, HTTP_SEC_PURPOSE="prefetch", **UA)
    client.head(section.url, **UA)
    assert _views(section.pk) == 0


@pytest.mark.django_db
def test_cached_views_are_counted_and_served_without_rendering(
    client, section, settings, django_assert_max_num_queries
):
    settings.PORTAL_CACHE_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    first = client.get(section.url, **UA)
    with django_assert_max_num_queries(1):  # the counter's upsert only
        second = client.get(section.url, **UA)
    assert second.content == first.content
    assert _views(section.pk) == 2
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert not first.cookies


@pytest.mark.django_db
def test_the_five_figures_of_the_seed_page(time_machine, section):
    # Wednesday 2 Dec 2026 at 00:10 in Vietnam (still 1 Dec in UTC): "today" is local.
    time_machine.move_to(datetime(2026, 12, 2, 0, 10, tzinfo=VN_TZ), tick=False)
    home = site_home()
    for day, n in [
        (date(2026, 12, 2), 3),  # today
        (date(2026, 12, 1), 5),  # yesterday, this week, this month
        (date(2026, 11, 30), 7),  # Monday: this week, last month
        (date(2026, 11, 29), 11),  # Sunday: last week
        (date(2025, 1, 1), 13),
    ]:
        PageViewDay.objects.create(page=section, day=day, views=n)
    PageViewDay.objects.create(page=home, day=date(2026, 12, 2), views=100)
    count_view(section.pk)
    ward = visits(section.path)
    assert (ward.today, ward.yesterday, ward.week, ward.month, ward.total) == (4, 5, 16, 9, 40)
    assert visits().today == 104


@pytest.mark.django_db
def test_the_ward_page_shows_the_counter(client, section):
    PageViewDay.objects.create(page=section, day=date(2020, 1, 1), views=366072)
    html = client.get(section.url, **UA).content.decode()
    assert 'id="visits-total">366072<' in html
    assert "Hôm nay" in html and "Tất cả" in html
