import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from phongdich.checkpoints.actions import (
    RETENTION_HOLDS,
    auto_checkout_time,
    do_auto_checkout,
    do_checkin,
    do_purge_old_visits,
)
from phongdich.checkpoints.models import Visit
from phongdich.lib.timeutil import VN_TZ
from tests.conftest import HEALTHY, PERSON

pytestmark = pytest.mark.django_db


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=VN_TZ)


def checkin(venue, person_no=1):
    return do_checkin(
        venue_code=venue.code,
        client_id=uuid.uuid4(),
        person={**PERSON, "id_number": f"0381850{person_no:05d}", "phone": f"0912{person_no:06d}"},
        declaration=HEALTHY,
    ).visit


def test_auto_checkout_after_default_stay(venue, time_machine):
    time_machine.move_to(at("2026-11-27 10:00"), tick=False)
    visit = checkin(venue)
    time_machine.move_to(at("2026-11-27 10:59"), tick=False)
    assert do_auto_checkout() == 0
    time_machine.move_to(at("2026-11-27 11:01"), tick=False)
    assert do_auto_checkout() == 1
    visit.refresh_from_db()
    assert visit.checkout_kind == "auto"
    assert visit.checked_out_at == at("2026-11-27 11:00")
    assert do_auto_checkout() == 0  # idempotent


def test_auto_checkout_stops_at_local_midnight(venue, time_machine):
    venue.default_stay_minutes = 180
    venue.save()
    time_machine.move_to(at("2026-11-27 23:30"), tick=False)
    visit = checkin(venue)
    time_machine.move_to(at("2026-11-28 00:05"), tick=False)
    assert do_auto_checkout() == 1
    visit.refresh_from_db()
    assert visit.checked_out_at == at("2026-11-28 00:00")  # midnight in Vietnam, 17:00 UTC


def test_auto_checkout_time_rule():
    assert auto_checkout_time(at("2026-11-27 23:50"), timedelta(hours=1)) == at("2026-11-28 00:00")
    assert auto_checkout_time(at("2026-11-27 07:00"), timedelta(hours=1)) == at("2026-11-27 08:00")


def test_purge_deletes_visits_older_than_retention(venue, settings, time_machine):
    settings.RETENTION_DAYS = 28
    time_machine.move_to(at("2026-10-01 09:00"), tick=False)
    old = checkin(venue, 1)
    time_machine.move_to(at("2026-10-20 09:00"), tick=False)
    recent = checkin(venue, 2)
    time_machine.move_to(at("2026-11-01 09:00"), tick=False)
    assert do_purge_old_visits() == 1
    assert list(Visit.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Visit.objects.filter(pk=old.pk).exists()


def test_purge_spares_held_visits(venue, settings, time_machine):
    from django.db.models import Q

    time_machine.move_to(at("2026-10-01 09:00"), tick=False)
    held = checkin(venue, 1)
    checkin(venue, 2)
    RETENTION_HOLDS.append(lambda: Q(person_id=held.person_id))
    try:
        time_machine.move_to(at("2026-11-15 09:00"), tick=False)
        assert do_purge_old_visits() == 1
        assert list(Visit.objects.values_list("pk", flat=True)) == [held.pk]
    finally:
        RETENTION_HOLDS.pop()


def test_periodic_jobs_are_registered_and_run_by_worker(venue, time_machine):
    from django.core.management import call_command

    from phongdich.core.schedule import all_jobs

    names = {job.name for job in all_jobs()}
    assert {"checkpoints.auto_checkout", "checkpoints.purge_old_visits"} <= names
    time_machine.move_to(at("2026-11-27 10:00"), tick=False)
    visit = checkin(venue)
    time_machine.move_to(at("2026-11-27 12:00"), tick=False)
    call_command("worker", "--once", "--jobs-only")
    visit.refresh_from_db()
    assert visit.checkout_kind == "auto"


def test_now_is_aware():
    assert timezone.is_aware(timezone.now())
