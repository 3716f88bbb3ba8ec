"""The ward portal in Chromium: an editor writes an article with a PDF in Wagtail, the ward's
leader approves it, it appears on the ward's home page, and parallel views raise the visitor
counter by exactly their number; a citizen's report is answered by an officer."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from phongdich.portal.counters import PageViewDay, visits
from phongdich.portal.demo.textpdf import text_pdf
from phongdich.portal.pages import ArticlePage
from phongdich.portal.reports import CitizenReport
from phongdich.portal.sections import EDITOR, LEADER, do_create_ward_section, do_grant_portal_role
from tests.conftest import HAC_THANH, _staff
from tests.e2e.conftest import PHONE, expect, log_in, snap

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PARALLEL_VIEWS = 24
TITLE = "Thông báo lịch tiêm vắc xin đợt mới"


@pytest.fixture
def section(admin_user, ward_officer):
    from phongdich.places.models import Ward

    page = do_create_ward_section(Ward.objects.get(code=HAC_THANH))
    do_grant_portal_role(admin_user, _staff("bientap", "ward_officer", HAC_THANH), page, EDITOR)
    do_grant_portal_role(admin_user, ward_officer, page, LEADER)
    cache.clear()
    return page


def _views(page_id: int) -> int:
    return sum(PageViewDay.objects.filter(page_id=page_id).values_list("views", flat=True))


def write_and_submit(page, section) -> int:
    pdf = text_pdf("Thông báo số 7/TB-UBND", ["Lịch tiêm tại Trạm Y tế phường Tiemchungdotmoi."])
    page.goto("/cms/documents/add/")
    page.fill("#id_title", "Thông báo số 7/TB-UBND")
    page.set_input_files(
        "#id_file",
        files=[{"name": "thong-bao-7.pdf", "mimeType": "application/pdf", "buffer": pdf}],
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/cms/documents/$"))
    page.goto(f"/cms/pages/add/portal/articlepage/{section.pk}/")
    page.fill("#id_title", TITLE)
    page.locator(".public-DraftEditor-content").first.click()
    page.keyboard.type("Trạm Y tế phường tiêm vắc xin các buổi sáng trong tuần.")
    page.click("#id_attachments-ADD")
    page.locator("#id_attachments-FORMS button.chooser__choose-button").first.click()
    page.locator(".modal a", has_text="Thông báo số 7/TB-UBND").first.click()
    expect(page.locator("#id_attachments-FORMS")).to_contain_text("Thông báo số 7/TB-UBND")
    page.locator("footer button", has_text="Save draft").click()
    page.wait_for_url(re.compile(r"/cms/pages/\d+/edit/"))
    article_id = int(re.search(r"/cms/pages/(\d+)/edit/", page.url).group(1))
    page.locator("footer button", has_text="More actions").click()
    page.locator("button[name=action-submit]").click()
    page.wait_for_url(re.compile(rf"/cms/pages/{section.pk}/$"))
    return article_id


def test_editor_writes_leader_approves_and_views_are_counted(new_context, section, settings):
    settings.PORTAL_CACHE_SECONDS = 30
    editor = new_context().new_page()
    log_in(editor, "bientap")
    article_id = write_and_submit(editor, section)
    article = ArticlePage.objects.get(pk=article_id)
    assert not article.live and article.title == TITLE
    assert article.get_latest_revision().as_object().attachments.count() == 1

    public = new_context(**PHONE).new_page()
    public.goto(section.url)
    expect(public.locator("#news")).not_to_contain_text(TITLE)

    leader = new_context().new_page()
    log_in(leader, "ward")
    leader.goto(f"/cms/pages/{article_id}/edit/")
    leader.locator("footer button", has_text="More actions").click()
    leader.locator("footer button", has_text=re.compile(r"^\s*Phê duyệt")).first.click()
    for _ in range(100):
        article.refresh_from_db()
        if article.live:
            break
        leader.wait_for_timeout(100)
    assert article.live

    public.goto(section.url)
    expect(public.locator("#news")).to_contain_text(TITLE)
    public.click(f"text={TITLE}")
    expect(public.locator("#attachments")).to_contain_text("Thông báo số 7/TB-UBND")
    pdf = public.request.get(public.locator("#attachments a").first.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF-")
    assert pdf.headers["content-security-policy"] == "default-src 'none'"
    snap(public, "portal-article")

    before, section_before = _views(section.pk), visits(section.path).today
    statuses = public.evaluate(
        """async ([url, n]) => {
            const all = await Promise.all([...Array(n)].map(() => fetch(url, {cache: "no-store"})));
            return all.map(r => r.status);
        }""",
        [section.url, PARALLEL_VIEWS],
    )
    assert statuses == [200] * PARALLEL_VIEWS
    assert _views(section.pk) == before + PARALLEL_VIEWS
    cache.clear()  # show the figures as they are now, not the cached page
    public.goto(section.url)
    # The ward's counter sums the section's pages (the article was viewed once too).
    expect(public.locator("#visits-today")).to_have_text(str(section_before + PARALLEL_VIEWS))
    snap(public, "portal-ward-home")


def test_a_citizen_report_is_answered(new_context, section, ward_officer):
    citizen = new_context(**PHONE).new_page()
    citizen.goto("/phan-anh")
    citizen.select_option("#f-phuong", str(HAC_THANH))
    citizen.check("input[name=kind][value=false_info]")
    citizen.fill("#f-text", "Nhóm Zalo khu phố lan truyền tin phường sẽ phong tỏa từ tối nay.")
    citizen.fill("#f-link", "https://zalo.example/nhom/123")
    citizen.wait_for_timeout(3200)  # people take longer than this to write; scripts do not
    citizen.click("#report-submit")
    citizen.wait_for_url(re.compile(r"/phan-anh/[\w-]{30,}$"))
    status_url = citizen.url
    expect(citizen.locator("#report-state")).to_have_text("Đã nhận")
    report = CitizenReport.objects.get()

    officer = new_context().new_page()
    log_in(officer, "ward")
    officer.goto("/staff/portal/reports/")
    officer.click(f"text=#{report.pk}")
    officer.select_option("#f-status", "answered")
    officer.fill("#f-reply", "Thông tin không đúng sự thật; phường không phong tỏa.")
    officer.check("#f-publish")
    officer.click("#answer-submit")
    officer.wait_for_url(re.compile(r"/staff/portal/reports/$"))

    citizen.goto(status_url)
    expect(citizen.locator("#report-state")).to_have_text("Đã trả lời")
    expect(citizen.locator("#report-reply")).to_contain_text("phường không phong tỏa")
    citizen.goto("/phan-anh")
    expect(citizen.locator("#answered")).to_contain_text("phường không phong tỏa")
