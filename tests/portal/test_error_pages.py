"""The site's own error pages, in Vietnamese and English, instead of Django's."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_not_found_is_ours_and_bilingual(client, settings):
    settings.DEBUG = False
    response = client.get("/khong-co-trang-nay/")  # the portal serves every path with a slash
    html = response.content.decode()
    assert response.status_code == 404 and 'id="error-404"' in html
    assert "Không tìm thấy trang" in html and "Page not found" in html


def test_forbidden_is_ours(client, settings, ward_officer):
    settings.DEBUG = False
    client.force_login(ward_officer)
    response = client.get("/staff/testing/lab/")  # a ward officer is not a lab technician
    assert response.status_code == 403 and 'id="error-403"' in response.content.decode()


def test_a_server_error_is_ours(settings, rf):
    from django.views import defaults

    settings.DEBUG = False
    response = defaults.server_error(rf.get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and 'id="error-500"' in html
    assert "không phải do bạn" in html and "Something went wrong" in html
