"""The demo shows home care: a dozen patients with a week of reports, warnings, one call-ready."""

from __future__ import annotations

import pytest

from phongdich.care.models import Alert, Enrolment, Report
from tests.portal.test_demo import morning, run_demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_the_demo_has_home_care_patients_with_reports_and_warnings(morning, capsys):  # noqa: F811
    out = run_demo(capsys)
    assert "Chăm sóc tại nhà: 12 người bệnh" in out
    patients = Enrolment.objects.filter(status="active", clinician__username="demo_bacsi")
    assert patients.count() == 12
    assert patients.filter(call_ready=True).count() == 1
    assert Report.objects.filter(enrolment__in=patients).count() >= 12 * 4
    open_alerts = Alert.objects.filter(status="open")
    assert open_alerts.count() == 2
    assert all(a.report.status == "alert" for a in open_alerts)
    ages = {e.person.birth_year for e in patients}
    assert max(ages) >= 2026 - 11  # at least one child, who gets a children's form
    from django.utils import timezone

    from phongdich.care.roster import escalation_recipients

    ward = patients.first().ward_id
    level, people = escalation_recipients(ward, timezone.now())
    assert level == "on_call" and [p.username for p in people] == ["demo_bacsi"]
