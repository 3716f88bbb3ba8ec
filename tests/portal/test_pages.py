import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_vietnamese(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Phòng, chống dịch" in html or "phòng, chống dịch" in html.lower()
    assert "1900 9095" in html


def test_english_is_selectable(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Epidemic prevention and control" in html


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(tmp_path):
    # A real unreachable database: a PostgreSQL URL pointing at a closed port.
    code = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    env = {
        **os.environ,
        "PHONGDICH_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "phongdich.settings",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing?connect_timeout=2",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, body = json.loads(out.stdout.strip().splitlines()[-1])
    assert status == 503
    assert body == {"status": "error", "database": "error"}


@pytest.mark.parametrize(
    "path", ["phongdich/site.css", "vendor/htmx/htmx.min.js", "vendor/cytoscape/cytoscape.min.js"]
)
def test_static_files_are_served(client, path):
    from django.templatetags.static import static

    response = client.get(static(path))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


def test_first_load_of_home_page_is_small(client):
    from django.templatetags.static import static

    html = client.get("/").content
    css = b"".join(client.get(static("phongdich/site.css")).streaming_content)
    assert len(html) + len(css) < 30_000
