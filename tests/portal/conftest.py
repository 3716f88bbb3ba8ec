"""Portal fixtures: the Hạc Thành section with its editor and leader, and a small PDF."""

from __future__ import annotations

import pytest

from phongdich.portal.demo.textpdf import text_pdf
from tests.conftest import HAC_THANH, _staff

UA = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 13) Chrome/130 Mobile"}


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Rendered portal pages are cached per process; a test starts without another's pages."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def section(db, admin_user):
    from phongdich.places.models import Ward
    from phongdich.portal.sections import do_create_ward_section

    return do_create_ward_section(Ward.objects.get(code=HAC_THANH))


@pytest.fixture
def editor(section, admin_user):
    from phongdich.portal.sections import EDITOR, do_grant_portal_role

    user = _staff("bientap", "ward_officer", HAC_THANH)
    do_grant_portal_role(admin_user, user, section, EDITOR)
    return user


@pytest.fixture
def leader(section, admin_user, ward_officer):
    from phongdich.portal.sections import LEADER, do_grant_portal_role

    do_grant_portal_role(admin_user, ward_officer, section, LEADER)
    return ward_officer


def make_pdf(*paragraphs: str) -> bytes:
    return text_pdf("Công văn", list(paragraphs))


def publish_article(section, title="Tin thử", body="<p>Nội dung</p>", documents=(), **extra):
    from phongdich.portal.pages import ArticleAttachment, ArticlePage

    page = ArticlePage(
        title=title,
        body=body,
        attachments=[ArticleAttachment(document=d) for d in documents],
        **extra,
    )
    section.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_document(title: str, name: str, data: bytes):
    from django.core.files.base import ContentFile

    from phongdich.portal.documents import PortalDocument

    document = PortalDocument(title=title, file=ContentFile(data, name=name))
    document.full_clean()
    document.save()
    return document
