"""Every error the API gives is in its one documented shape, ``{"errors": [{field, code,
message_vi, message_en}]}``: malformed JSON, no login, an unknown address, a body too large."""

from __future__ import annotations

import pytest


def _shape(response, status: int, code: str):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == [code]
    assert errors[0]["message_vi"] and errors[0]["message_en"]
    assert errors[0]["message_vi"] != errors[0]["message_en"]


def test_malformed_json_is_400(client, ward_officer):
    client.force_login(ward_officer)
    response = client.post("/api/v1/cases", data="{not json", content_type="application/json")
    _shape(response, 400, "bad_json")


def test_no_login_is_401(client):
    _shape(client.get("/api/v1/testing/sessions"), 401, "unauthenticated")


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v2/cases", "/api/"])
def test_unknown_address_under_api_is_404(client, path):
    _shape(client.get(path), 404, "not_found")


def test_body_too_large_is_413_and_writes_nothing(client, ward_officer, settings):
    from phongdich.tracing.models import Case

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(ward_officer)
    body = '{"note": "' + "x" * 2000 + '"}'
    before = Case.objects.count()
    response = client.post("/api/v1/cases", data=body, content_type="application/json")
    _shape(response, 413, "too_large")
    assert Case.objects.count() == before
