"""A database of the previous release (evidence with foreign keys to visits, venues and people)
upgrades without losing its contacts or evidence; afterwards evidence is derived data that a
retention purge of visits does not have to cascade into."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.tracing.conftest import create_case

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS_RELEASE = [("tracing", "0002_case_f2_pending")]
DERIVED = {"venue_id", "index_visit_id", "contact_visit_id", "index_person_id"}


def evidence_keys() -> set[str]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "tracing_evidence")
    return {c["columns"][0] for c in constraints.values() if c["foreign_key"]}


def test_evidence_of_the_previous_release_survives_and_loses_its_keys(scenario, ward_officer):
    case = create_case(scenario, ward_officer)
    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_RELEASE)
    executor.loader.build_graph()
    old = executor.loader.project_state(PREVIOUS_RELEASE[0]).apps
    OldEvidence = old.get_model("tracing", "Evidence")
    OldContact = old.get_model("tracing", "Contact")
    rows = sorted(
        OldEvidence.objects.values_list(
            "contact_id", "venue_id", "index_visit_id", "contact_visit_id", "overlap_minutes"
        )
    )
    contacts = OldContact.objects.count()
    assert rows and contacts == 10
    if connection.vendor == "postgresql":  # SQLite's introspection of old tables is partial
        assert evidence_keys() >= DERIVED

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from phongdich.checkpoints.models import Visit
    from phongdich.tracing.actions import do_trace_case
    from phongdich.tracing.models import Case, Contact, Evidence, ExposureWindow

    assert not evidence_keys() & DERIVED
    assert "contact_id" in evidence_keys()  # contacts keep theirs
    assert (
        sorted(
            Evidence.objects.values_list(
                "contact_id", "venue_id", "index_visit_id", "contact_visit_id", "overlap_minutes"
            )
        )
        == rows
    )
    assert Contact.objects.count() == contacts
    upgraded = Case.objects.get(pk=case.pk)
    assert upgraded.traced_visit_id is None and not ExposureWindow.objects.exists()
    # Traced again on the new release: the same evidence, written set-based.
    do_trace_case(upgraded)
    assert Contact.objects.count() == contacts
    assert len(Evidence.objects.all()) == len(rows)
    # Deleting a visit (a retention purge) leaves the derived rows alone.
    visit_id = rows[0][3]
    Visit.objects.filter(pk=visit_id).delete()
    assert Evidence.objects.filter(contact_visit_id=visit_id).exists()
