"""News on Wagtail: sections per ward with their roles, the approval workflow, attached documents
(type and size checked, text searchable, served with safe headers)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from wagtail.models import Page

from phongdich.lib.errors import InputErrors
from phongdich.portal.pages import ArticlePage
from phongdich.portal.sections import EDITOR, LEADER, do_grant_portal_role
from tests.conftest import QUANG_PHU, _staff
from tests.portal.conftest import UA, make_document, make_pdf, publish_article

pytestmark = pytest.mark.django_db


def run_queued_tasks() -> None:
    """What ``phongdich worker`` does with the django-tasks queue (Wagtail's search indexing)."""
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    for queued in DBTaskResult.objects.order_by("enqueued_at"):
        task = import_string(queued.task_path)
        task.func(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()


def docx(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return out.getvalue()


def test_editor_may_write_but_not_publish_and_leader_may_publish(section, editor, leader):
    assert section.permissions_for_user(editor).can_add_subpage()
    assert not section.permissions_for_user(editor).can_publish_subpage()
    assert section.permissions_for_user(leader).can_publish_subpage()
    assert editor.has_perm("wagtailadmin.access_admin")


def test_the_sections_workflow_is_the_leaders_approval(section, leader, editor):
    workflow = section.get_workflow()
    [task] = [t.specific for t in workflow.tasks]
    assert list(task.groups.all()) == [g for g in leader.groups.all() if "Lãnh đạo" in g.name]
    article = ArticlePage(title="Bản nháp", body="<p>x</p>")
    section.add_child(instance=article)
    article.save_revision(user=editor)
    state = workflow.start(article, editor)
    assert state.current_task_state.task.specific == task
    assert task.user_can_access_editor(article, leader)
    assert not task.user_can_access_editor(article, _staff("khac", "ward_officer", QUANG_PHU))
    state.current_task_state.task.specific.on_action(state.current_task_state, leader, "approve")
    article.refresh_from_db()
    assert article.live


def test_an_officer_of_another_ward_cannot_join_the_section(
    section, admin_user, other_ward_officer
):
    with pytest.raises(InputErrors) as error:
        do_grant_portal_role(admin_user, other_ward_officer, section, EDITOR)
    assert error.value.errors[0].code == "outside_area"
    assert not other_ward_officer.groups.exists()


def test_only_admins_and_province_officers_of_the_area_grant_roles(
    section, ward_officer, outsider, province_officer
):
    with pytest.raises(PermissionDenied):
        do_grant_portal_role(ward_officer, ward_officer, section, LEADER)
    with pytest.raises(PermissionDenied):
        do_grant_portal_role(outsider, ward_officer, section, LEADER)
    do_grant_portal_role(province_officer, ward_officer, section, LEADER)
    assert section.permissions_for_user(ward_officer).can_publish_subpage()


def test_a_citizen_account_role_cannot_edit(section, admin_user):
    vaccinator = _staff("vacc", "vaccinator", section.ward_id)
    with pytest.raises(InputErrors):
        do_grant_portal_role(admin_user, vaccinator, section, EDITOR)


def test_pdf_and_docx_text_is_extracted_and_searchable(section):
    pdf = make_document("Công văn", "cv.pdf", make_pdf("Tổng đài tự động Quyếtliệtxyz"))
    word = make_document("Kế hoạch", "kh.docx", docx("Kế hoạch tuyên truyền Zalonhomtin"))
    assert "Quyếtliệtxyz" in pdf.text and "Zalonhomtin" in word.text
    article = publish_article(section, "Tin có tệp", documents=[pdf, word])
    assert not Page.objects.live().search("Quyếtliệtxyz")  # indexed by the worker's queue
    run_queued_tasks()
    assert [p.pk for p in Page.objects.live().search("Quyếtliệtxyz")] == [article.pk]
    assert [p.pk for p in Page.objects.live().search("Zalonhomtin")] == [article.pk]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("fake.docx", b"PK not a zip"),
        ("x.pdf", b"%PDF-1.4 broken"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused(name, data):
    with pytest.raises(ValidationError) as error:
        make_document("x", name, data)
    assert "file" in error.value.message_dict


def test_a_document_over_the_size_limit_is_refused(settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(ValidationError, match="MB"):
        make_document("x", "big.pdf", make_pdf("chữ " * 2000))


def test_documents_are_served_with_safe_headers(client, section):
    document = make_document("Công văn", "cv.pdf", make_pdf("Nội dung"))
    response = client.get(document.url, **UA)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")


def test_article_page_shows_attachments_and_other_news(client, section):
    document = make_document("Công văn 13341", "cv.pdf", make_pdf("Nội dung"))
    first = publish_article(section, "Tin thứ nhất", documents=[document])
    publish_article(section, "Tin thứ hai")
    html = client.get(first.url, **UA).content.decode()
    assert "Công văn 13341" in html and document.url in html
    assert 'id="other-news"' in html and "Tin thứ hai" in html


def test_a_draft_is_not_public(client, section, editor):
    article = ArticlePage(title="Chưa duyệt", body="<p>x</p>", live=False)
    section.add_child(instance=article)
    assert client.get(f"{section.url}{article.slug}/", **UA).status_code == 404
    assert "Chưa duyệt" not in client.get(section.url, **UA).content.decode()


def test_scheduled_publishing_runs_from_the_periodic_job(section, time_machine):
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.core.schedule import all_jobs

    article = ArticlePage(title="Hẹn giờ", body="<p>x</p>", live=False)
    section.add_child(instance=article)
    article.go_live_at = timezone.now() + timedelta(hours=1)
    article.save_revision().publish()
    article.refresh_from_db()
    assert not article.live
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    [job] = [j for j in all_jobs() if j.name == "portal.publish_scheduled"]
    job.func()
    article.refresh_from_db()
    assert article.live
