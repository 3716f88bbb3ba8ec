"""Django admin's kernel pages: rule changes are audited; dead letters can be seen and retried."""

from __future__ import annotations

import pytest
from django.db import transaction

from phongdich.accounts.models import AuditEvent
from phongdich.core import events
from phongdich.core.models import OutboxEvent, Rule
from phongdich.core.rules import get_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_a_rule_change_in_admin_is_audited_with_old_and_new_value(admin_client, admin_user):
    add = admin_client.post(
        "/admin/core/rule/add/",
        {"key": "tracing.quarantine_days", "value": "10", "note": "Công văn mới"},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    assert get_rule("tracing.quarantine_days") == 10
    rule = Rule.objects.get(key="tracing.quarantine_days")
    admin_client.post(
        f"/admin/core/rule/{rule.pk}/change/",
        {"key": "tracing.quarantine_days", "value": "7", "note": "Trở lại"},
    )
    admin_client.post(f"/admin/core/rule/{rule.pk}/delete/", {"post": "yes"})
    rows = list(AuditEvent.objects.filter(object_type="core.rule").order_by("pk"))
    assert [(r.action, r.detail["from"], r.detail["to"]) for r in rows] == [
        ("change_rule", None, 10),
        ("change_rule", 10, 7),
        ("delete_rule", 7, None),
    ]
    assert {r.actor_id for r in rows} == {admin_user.pk}
    assert rows[0].object_id == "tracing.quarantine_days"


def test_an_invalid_rule_is_refused_and_not_audited(admin_client):
    response = admin_client.post(
        "/admin/core/rule/add/", {"key": "tracing.quarantine_days", "value": '"ten"', "note": ""}
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Rule.objects.exists()
    assert not AuditEvent.objects.filter(object_type="core.rule").exists()


def test_dead_letters_are_listed_and_can_be_delivered_again(admin_client):
    with transaction.atomic():
        dead = events.emit("case.opened", case_id=1)
        events.emit("case.opened", case_id=2)
    OutboxEvent.objects.filter(pk=dead.pk).update(dead=True, attempts=8, last_error="boom")
    page = admin_client.get("/admin/core/outboxevent/?state=dead")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/admin/core/outboxevent/{dead.pk}/change/" in html
    assert html.count("/change/") == 1  # only the dead one
    admin_client.post(
        "/admin/core/outboxevent/", {"action": "retry", "_selected_action": [dead.pk]}
    )
    row = OutboxEvent.objects.get(pk=dead.pk)
    assert not row.dead and row.attempts == 0


def test_outsiders_cannot_open_the_kernel_admin(client, ward_officer):
    client.force_login(ward_officer)
    assert client.get("/admin/core/rule/").status_code == 302
    assert client.get("/admin/core/outboxevent/").status_code == 302
