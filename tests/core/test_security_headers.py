"""https: redirect and HSTS when the base URL is https (tested in this process with the settings
that base URL gives); ``Cache-Control: private`` wherever a cookie or a token came along."""

from __future__ import annotations

import pytest
from django.test import override_settings

from phongdich.settings import https_settings
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_https_base_url_redirects_http_and_sends_hsts(client):
    assert https_settings("http://127.0.0.1:8000", 100) == {}
    with override_settings(**https_settings("https://phongdich.example.vn", 31536000)):
        plain = client.get("/ket-qua")
        assert plain.status_code == 301 and plain.url == "https://testserver/ket-qua"
        secure = client.get("/ket-qua", secure=True)
        assert secure.status_code == 200
        assert secure["Strict-Transport-Security"] == "max-age=31536000"
        assert client.get("/healthz").status_code != 301  # the load balancer's plain check


def test_pages_for_someone_are_private(client, ward_officer):
    client.post("/staff/login/", {"username": "ward", "password": PASSWORD})
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]


def test_token_answers_are_private(api_client, ward_officer):
    answer = api_client.as_user(ward_officer).get("/api/v1/openapi.json")
    assert "private" in answer.get("Cache-Control", "")
