"""The portal home at ``/``: what posters and other pages rely on (the venue-code field, links to
the public pages, a favicon), hotlines edited in one place, small and usable without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.templatetags.static import static
from django.urls import resolve

from phongdich.lib.codes import format_code, new_code
from phongdich.portal.contacts import Hotline
from tests.portal.conftest import UA, publish_article

pytestmark = pytest.mark.django_db

PUBLIC = ["/dang-ky-tiem", "/ma-ca-nhan", "/checkpoints/register", "/ket-qua", "/xac-thuc"]


def test_home_links_every_public_page_and_has_no_coming_soon(client):
    html = client.get("/", **UA).content.decode()
    for path in PUBLIC:
        assert f'href="{path}"' in html
        match = resolve(path)  # the app's real page, not a placeholder of the portal
        assert not match.func.__module__.startswith("phongdich.portal"), path
        assert client.get(path).status_code < 500
    assert "coming soon" not in html.lower() and "sắp ra mắt" not in html.lower()
    assert "<script" not in html


def test_the_venue_code_field_leads_to_the_checkin_page(client):
    html = client.get("/", **UA).content.decode()
    assert re.search(r'<form[^>]*action="/ma-diem"[^>]*method="get"', html)
    assert 'name="ma"' in html
    code = new_code()
    typed = format_code(code).lower().replace("-", " ")
    response = client.get("/ma-diem", {"ma": typed})
    assert response.status_code == 302 and response["Location"] == f"/c/{code}"


def test_a_mistyped_code_says_so_and_keeps_the_field(client):
    code = new_code()
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.get("/ma-diem", {"ma": wrong})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and f'value="{wrong}"' in html


def test_favicon(client):
    html = client.get("/", **UA).content.decode()
    assert f'rel="icon" href="{static("portal/favicon.svg")}"' in html
    assert client.get("/favicon.ico")["Location"] == static("portal/favicon.svg")
    icon = b"".join(client.get(static("portal/favicon.svg")).streaming_content)
    assert icon.startswith(b"<svg")


def test_first_load_is_under_100_kb(client, section):
    for n in range(12):
        publish_article(section, f"Tin số {n}", summary="Tóm tắt " * 30)
    for path in ["/", section.url]:
        html = client.get(path, **UA).content
        css = sum(
            len(b"".join(client.get(static(p)).streaming_content))
            for p in ("phongdich/site.css", "portal/portal.css")
        )
        assert len(html) + css < 100_000


def test_hotlines_are_data_shown_in_the_footer_and_on_posters(client):
    from phongdich.core import site

    assert site.hotlines() == ["1900 9095", "02373.742.289"]  # from PHONGDICH_HOTLINES at install
    Hotline.objects.all().delete()
    Hotline.objects.create(label="Trực dịch", number="0237 111 222", on_posters=True)
    Hotline.objects.create(label="Chỉ trên web", number="0237 999 888", on_posters=False)
    assert site.hotlines() == ["0237 111 222"]
    html = client.get("/", **UA).content.decode()
    assert "0237 111 222" in html and "Trực dịch" in html and "0237 999 888" in html
    footer = html.split("<footer>")[1]
    assert "0237 111 222" in footer and "0237 999 888" not in footer


def test_a_poster_prints_the_edited_hotline(venue):
    import pypdfium2

    from phongdich.checkpoints.posters import render_poster

    Hotline.objects.all().delete()
    Hotline.objects.create(label="Trực dịch", number="0237 111 222", on_posters=True)
    pdf = pypdfium2.PdfDocument(render_poster(venue, "pdf"))
    text = pdf[0].get_textpage().get_text_range()
    assert "0237 111 222" in text and "1900 9095" not in text


def test_english_home(client):
    client.get("/ngon-ngu/en?next=/")
    html = client.get("/", **UA).content.decode()
    assert '<html lang="en">' in html and "Epidemic prevention and control" in html


def test_language_switch_refuses_other_sites(client):
    response = client.get("/ngon-ngu/en", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
