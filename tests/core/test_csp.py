"""Content-Security-Policy on every page: scripts only from this site, inline ones only with the
request's nonce; Wagtail's admin alone (path-scoped) allows its own inline scripts; the API
docs come from the site's own files."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)


def _nonce(policy: str) -> str:
    found = re.search(r"'nonce-([^']+)'", policy)
    return found.group(1) if found else ""


def _check_page(response):
    assert response.status_code == 200, response.status_code
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(";")[1]
    assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    nonce = _nonce(policy)
    for attrs in SCRIPT.findall(response.content.decode()):
        if "src=" in attrs or "application/json" in attrs:
            assert "http://" not in attrs and "https://" not in attrs, attrs
            continue
        assert nonce and f'nonce="{nonce}"' in attrs, f"inline script without the nonce: {attrs}"
    return nonce


def test_public_pages_have_a_policy(client):
    for path in ("/", "/ket-qua", "/xac-thuc", "/dang-ky-tiem"):
        _check_page(client.get(path))


def test_staff_pages_with_inline_scripts_carry_the_nonce(client, ward_officer):
    client.post("/staff/login/", {"username": "ward", "password": PASSWORD})
    nonces = set()
    for path in ("/staff/", "/staff/tracing/worklist/", "/staff/testing/"):
        nonces.add(_check_page(client.get(path, follow=True)))
    # The pages with htmx have an inline script: a fresh nonce each time.
    assert len(nonces - {""}) == 1 and all(len(n) >= 16 for n in nonces - {""})


def test_the_api_docs_use_the_sites_own_files(client, ward_officer):
    client.post("/staff/login/", {"username": "ward", "password": PASSWORD})
    docs = client.get("/api/v1/docs")
    _check_page(docs)
    body = docs.content.decode()
    assert "cdn." not in body and "/static/ninja/swagger-ui-bundle" in body


def test_json_answers_allow_nothing(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer["Content-Security-Policy"].startswith("default-src 'none'")


def test_only_wagtails_admin_allows_inline_scripts(client, admin_user):
    client.post("/staff/login/", {"username": "admin", "password": PASSWORD})
    cms = client.get("/cms/", follow=True)
    assert cms.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in cms["Content-Security-Policy"]
    _check_page(client.get("/admin/"))
