"""Live figures: counted from the platform's records, small counts not shown exactly."""

from __future__ import annotations

import pytest

from phongdich.portal.figures import Figures

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (1234, "1.234")]
)
def test_small_counts_are_suppressed(count, shown):
    assert Figures.shown(count) == shown


def test_the_ward_page_shows_figures_from_the_records(client, section, ward_officer):
    from django.core.cache import cache

    from phongdich.portal import figures
    from tests.portal.conftest import UA

    cache.clear()
    counted = figures.live_figures(section.ward_id, None)
    assert counted == Figures(0, 0, None)
    html = client.get(section.url, **UA).content.decode()
    assert 'id="fig-cases">0<' in html
