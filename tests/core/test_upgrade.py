"""A database made by the previous release (rules in the portal app, no core) upgrades without
losing the administrator's rule overrides."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS_RELEASE = [("portal", "0001_initial"), ("core", None)]


def test_rules_of_the_previous_release_survive_the_upgrade(admin_user):
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(("portal", "0001_initial")).apps
    assert "core_rule" not in connection.introspection.table_names()
    OldRule = old_apps.get_model("portal", "Rule")
    changed_at = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    OldRule.objects.create(
        key="tracing.quarantine_days", value=10, note="Công văn 123", updated_by_id=admin_user.pk
    )
    OldRule.objects.create(key="testing.max_pool_size", value={"pcr": 5}, note="")
    OldRule.objects.filter(key="tracing.quarantine_days").update(updated_at=changed_at)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from phongdich.core.models import Rule

    assert "portal_rule" not in connection.introspection.table_names()
    rules = {r.key: r for r in Rule.objects.all()}
    assert set(rules) == {"tracing.quarantine_days", "testing.max_pool_size"}
    quarantine = rules["tracing.quarantine_days"]
    assert (quarantine.value, quarantine.note, quarantine.updated_by_id) == (
        10,
        "Công văn 123",
        admin_user.pk,
    )
    assert quarantine.updated_at == changed_at
    assert rules["testing.max_pool_size"].value == {"pcr": 5}


def test_the_upgrade_can_be_rolled_back(admin_user):
    from phongdich.core.models import Rule

    Rule.objects.create(key="tracing.quarantine_days", value=9)
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    executor.loader.build_graph()
    OldRule = executor.loader.project_state(("portal", "0001_initial")).apps.get_model(
        "portal", "Rule"
    )
    assert list(OldRule.objects.values_list("key", "value")) == [("tracing.quarantine_days", 9)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert list(Rule.objects.values_list("key", "value")) == [("tracing.quarantine_days", 9)]
