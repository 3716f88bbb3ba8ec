"""``phongdich demo``: realistic data for Thanh Hóa, reproducible, and accounts that work."""

from __future__ import annotations

import hashlib
import io
import re
from collections import Counter
from datetime import datetime, time, timedelta
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from phongdich.accounts.models import Role, User
from phongdich.checkpoints.actions import auto_checkout_time
from phongdich.checkpoints.declarations import EXPOSURES, SYMPTOMS
from phongdich.checkpoints.models import Venue, VenueKind, VenueStatus, Visit
from phongdich.lib.codes import is_valid_code
from phongdich.lib.phones import is_valid_phone
from phongdich.lib.text import fold
from phongdich.lib.timeutil import VN_TZ, to_local
from phongdich.people.models import Person
from phongdich.portal.demo.accounts import ACCOUNTS
from phongdich.portal.demo.rows import Adapt
from phongdich.portal.demo.seeded import client_uuid, stream

pytestmark = pytest.mark.django_db

THANH_HOA = 38
HAC_THANH = 14797
QUANG_PHU = 16522
WEDNESDAY_MORNING = datetime(2026, 11, 25, 10, 30, tzinfo=VN_TZ)
SMALL = ("--people", "300", "--days", "3", "--no-serve")


@pytest.fixture
def morning(time_machine):
    time_machine.move_to(WEDNESDAY_MORNING, tick=False)
    return WEDNESDAY_MORNING


def run_demo(capsys, *args: str) -> str:
    call_command("demo", *SMALL, *args)
    return capsys.readouterr().out


def printed_accounts(out: str) -> dict[str, str]:
    """username → password, from the table the command prints."""
    rows = [
        re.split(r"\s{2,}", line.strip()) for line in out.splitlines() if line.startswith("  demo_")
    ]
    return {row[0]: row[-1] for row in rows}


def fingerprint() -> str:
    people = sorted(
        Person.objects.values_list(
            "full_name",
            "name_folded",
            "birth_year",
            "gender",
            "phone",
            "id_number",
            "ward_id",
            "address",
            "email",
            "token",
        )
    )
    venues = sorted(
        Venue.objects.values_list(
            "code",
            "name",
            "kind",
            "address",
            "ward_id",
            "lat",
            "lon",
            "phone",
            "status",
            "default_stay_minutes",
            "approved_at",
        )
    )
    visits = sorted(
        Visit.objects.values_list(
            "client_id",
            "venue__code",
            "person__token",
            "source",
            "checked_in_at",
            "received_at",
            "expected_out_at",
            "checked_out_at",
            "checkout_received_at",
            "checkout_kind",
            "symptoms",
            "exposures",
            "conditions",
            "travel",
            "flagged",
        )
    )
    return hashlib.sha256(repr((people, venues, visits)).encode()).hexdigest()


def delete_demo_data() -> None:
    from phongdich.care.models import Enrolment
    from phongdich.outreach.models import CallPlan
    from phongdich.risk.models import Assessment, Business
    from phongdich.testing.models import (
        LabResult,
        Pool,
        ResultBatch,
        RetestOrder,
        Sample,
        SamplingSession,
    )
    from phongdich.tracing.models import Case, Contact
    from phongdich.vaccination.models import Dose, PersonStatus

    Enrolment.objects.all().delete()
    CallPlan.objects.all().delete()
    Business.objects.all().delete()
    Assessment.objects.all().delete()
    Dose.objects.all().delete()
    PersonStatus.objects.all().delete()
    for model in (LabResult, RetestOrder, ResultBatch, Sample, Pool, SamplingSession):
        model.objects.all().delete()
    Contact.objects.all().delete()
    Case.objects.all().delete()
    Visit.objects.all().delete()
    Person.objects.all().delete()
    Venue.objects.all().delete()


def test_it_loads_residents_of_thanh_hoa(morning, capsys):
    run_demo(capsys)
    people = list(Person.objects.select_related("ward"))
    assert len(people) == 300
    assert all(p.ward.province_id == THANH_HOA for p in people)
    assert Counter(p.ward_id for p in people).most_common(1)[0][0] == HAC_THANH
    assert all(len(p.full_name.split()) >= 3 and p.name_folded == fold(p.full_name) for p in people)
    with_diacritics = [p for p in people if not p.full_name.isascii()]
    assert len(with_diacritics) > 0.9 * len(people)
    phones = [p.phone for p in people if p.phone]
    assert len(phones) > 0.8 * len(people)
    assert all(p.startswith("+84") and is_valid_phone(p) for p in phones)
    adults = [p for p in people if morning.year - p.birth_year >= 18]
    assert sum(bool(p.id_number) for p in adults) > 0.8 * len(adults)


def test_cccd_numbers_follow_the_rules(morning, capsys):
    run_demo(capsys)
    people = Person.objects.exclude(id_number=None)
    assert people.exists()
    born_here = 0
    for p in people:
        number = p.id_number
        assert re.fullmatch(r"\d{12}", number)
        century = (p.birth_year // 100 - 19) * 2 + (p.gender == "female")
        assert number[3] == str(century)
        assert number[4:6] == f"{p.birth_year % 100:02d}"
        born_here += number[:3] == "038"
    assert born_here > 0.7 * people.count()


def test_it_loads_checkpoints_of_every_status(morning, capsys):
    run_demo(capsys)
    venues = Venue.objects.all()
    assert venues.count() == 30
    statuses = Counter(venues.values_list("status", flat=True))
    assert statuses[VenueStatus.SUSPENDED] == 1
    assert statuses[VenueStatus.PENDING] >= 2
    assert statuses[VenueStatus.ACTIVE] > 20
    assert all(is_valid_code(v.code) and is_valid_phone(v.phone) for v in venues)
    assert {v.kind for v in venues} == set(VenueKind.values)
    names = set(venues.values_list("name", flat=True))
    assert {"UBND Phường Hạc Thành", "Chợ Vườn Hoa", "Bệnh viện Đa khoa tỉnh Thanh Hóa"} <= names
    assert not Visit.objects.filter(venue__status=VenueStatus.PENDING).exists()
    city = venues.filter(ward_id=HAC_THANH)
    assert all(19.7 < v.lat < 19.9 and 105.7 < v.lon < 105.9 for v in city)


def test_visits_look_like_days_in_thanh_hoa(morning, capsys):
    run_demo(capsys)
    visits = list(Visit.objects.select_related("venue"))
    assert len(visits) > 300 * 3
    sources = Counter(v.source for v in visits)
    assert sources["self"] > 0.7 * len(visits) and sources["paper"] and sources["scan"]
    flagged = [v for v in visits if v.flagged]
    assert 0.005 * len(visits) < len(flagged) < 0.05 * len(visits)
    assert all(v.flagged == bool(v.symptoms or v.exposures) for v in visits)
    assert all(
        set(v.symptoms) <= SYMPTOMS.keys() and set(v.exposures) <= EXPOSURES.keys() for v in flagged
    )
    for visit in visits:
        assert visit.checked_in_at <= morning
        assert visit.expected_out_at == auto_checkout_time(
            visit.checked_in_at, visit.venue.default_stay
        )
        if visit.checked_out_at is not None:
            assert visit.checked_out_at >= visit.checked_in_at
    by_place = sorted(visits, key=lambda v: (v.person_id, v.venue_id, v.checked_in_at))
    for before, after in pairwise(by_place):
        if (before.person_id, before.venue_id) == (after.person_id, after.venue_id):
            # A second check-in while still inside would have been refused (already inside).
            assert before.checked_out_at is not None
            assert before.checked_out_at <= after.checked_in_at
    auto = [v for v in visits if v.checkout_kind == "auto"]
    assert auto and all(v.checked_out_at == v.expected_out_at for v in auto)
    past = [v for v in visits if to_local(v.checked_in_at).date() < morning.date()]
    assert all(time(6) <= to_local(v.checked_in_at).time() <= time(21, 1) for v in past)
    assert all(v.checked_out_at is not None for v in past)


def test_people_are_inside_now_and_none_is_overdue(morning, capsys):
    run_demo(capsys)
    inside = Visit.objects.filter(checked_out_at=None)
    assert inside.count() >= 6
    assert not inside.filter(expected_out_at__lte=morning).exists()
    pairs = list(inside.values_list("person_id", "venue_id"))
    assert len(pairs) == len(set(pairs))


def test_staff_console_shows_someone_inside_even_at_night(time_machine, client, capsys):
    time_machine.move_to(datetime(2026, 11, 25, 2, 10, tzinfo=VN_TZ), tick=False)
    passwords = printed_accounts(run_demo(capsys))
    staff = User.objects.get(username="demo_diemkd")
    venue = staff.venues.get()
    assert venue.ward_id == HAC_THANH and venue.status == VenueStatus.ACTIVE
    inside = Visit.objects.filter(venue=venue, checked_out_at=None).select_related("person")
    assert inside.count() >= 6
    assert inside.filter(flagged=True).exists()
    assert client.login(username="demo_diemkd", password=passwords["demo_diemkd"])
    html = client.get(reverse("checkpoints:console", args=[venue.code])).content.decode()
    assert inside.first().person.full_name in html


def test_same_seed_same_day_gives_the_same_data(morning, capsys):
    run_demo(capsys)
    first = fingerprint()
    delete_demo_data()
    run_demo(capsys)
    assert fingerprint() == first
    delete_demo_data()
    run_demo(capsys, "--seed", "7")
    assert fingerprint() != first


def test_printed_accounts_can_log_in(morning, client, capsys):
    passwords = printed_accounts(run_demo(capsys))
    assert set(passwords) == {username for username, _, _ in ACCOUNTS}
    users = {u.username: u for u in User.objects.filter(username__in=passwords)}
    assert {u.role for u in users.values()} == set(Role.values)
    assert users["demo_tinh"].province_id == THANH_HOA and users["demo_tinh"].ward_id is None
    assert users["demo_phuong"].ward_id == HAC_THANH
    assert users["demo_quangphu"].ward_id == QUANG_PHU
    for username, password in passwords.items():
        assert len(password) >= 12
        assert client.login(username=username, password=password), username
        client.logout()


def test_running_twice_adds_nothing_and_resets_passwords(morning, client, capsys):
    passwords = printed_accounts(run_demo(capsys))
    counts = (Person.objects.count(), Venue.objects.count(), Visit.objects.count())
    officer = User.objects.get(username="demo_tinh")
    officer.set_password("changed by someone")
    officer.save()
    out = run_demo(capsys, "--people", "500")
    assert (Person.objects.count(), Venue.objects.count(), Visit.objects.count()) == counts
    assert User.objects.filter(username__startswith="demo_").count() == len(ACCOUNTS)
    assert printed_accounts(out) == passwords
    assert client.login(username="demo_tinh", password=passwords["demo_tinh"])


def test_it_refuses_a_database_with_real_people(citizen, capsys):
    with pytest.raises(CommandError, match="PHONGDICH_DATA_DIR"):
        call_command("demo", *SMALL)
    assert not User.objects.filter(username__startswith="demo_").exists()
    assert Person.objects.count() == 1


@pytest.mark.parametrize("args", [("--days", "40"), ("--people", "10")])
def test_it_rejects_out_of_range_options(args):
    with pytest.raises(CommandError):
        call_command("demo", "--no-serve", *args)


def test_fast_datetime_text_is_what_django_stores():
    midnight = datetime(2026, 11, 25, tzinfo=VN_TZ)
    clock = Adapt().clock(midnight)
    for seconds in (0, 1, 59, 60, 6 * 3600 + 59, 7 * 3600, 86399, 86400, 2 * 86400 - 1):
        expected = connection.ops.adapt_datetimefield_value(midnight + timedelta(seconds=seconds))
        assert clock(seconds) == expected


def test_client_ids_are_the_seeded_uuid4s():
    adapt, ours, reference = Adapt(), stream(1, "x"), stream(1, "x")
    for _ in range(200):
        expected = client_uuid(reference)
        assert expected.version == 4
        assert adapt.client_id(ours) == (expected if adapt.native_uuid else expected.hex)


def test_demo_has_cases_contacts_in_every_status_and_a_cluster(morning):
    from datetime import timedelta

    from phongdich.accounts.models import User
    from phongdich.tracing.models import Case, Contact
    from phongdich.tracing.queries import clusters

    call_command("demo", *SMALL, stdout=io.StringIO())
    assert Case.objects.count() >= 3
    statuses = set(Contact.objects.values_list("status", flat=True))
    assert {
        "identified",
        "notified",
        "quarantined",
        "tested",
        "released",
        "became_case",
    } <= statuses
    assert Case.objects.filter(infected_via__isnull=False).exists()  # a chain
    officer = User.objects.get(username="demo_tinh")
    assert clusters(officer, morning.date() - timedelta(days=14))


def test_the_lab_and_the_certificate_work_on_the_first_run(morning, capsys, client, settings):
    """The technician belongs to a lab with work waiting, and a printed lookup gives a signed
    certificate whose verify link points at the port the demo was started on."""
    from django.utils import timezone

    from phongdich.lib.dcc import verify_hc1
    from phongdich.lib.poster import pdf_to_png_pages
    from phongdich.lib.qr import decode_qr_png
    from phongdich.testing.models import Lab, Pool, Sample
    from phongdich.vaccination.keys import trust_list

    out = run_demo(capsys, "--port", "8123")
    technician = User.objects.get(username="demo_xetnghiem")
    lab = Lab.objects.get(staff=technician)
    assert "http://127.0.0.1:8123/ket-qua" in out and lab.name in out
    waiting = re.search(r"Mẫu gộp chờ nhập kết quả: (\w+)", out).group(1)
    assert Pool.objects.get(code=waiting, received_at__isnull=False).result == ""
    code, year = re.search(r"mã ống (\w+), năm sinh (\d{4})", out).groups()
    assert Sample.objects.get(tube_code=code).person.birth_year == int(year)

    found = client.post("/ket-qua", {"code": code, "birth_year": year})
    link = re.search(r'href="(/ket-qua/chung-nhan/[^"]+)"', found.content.decode()).group(1)
    pdf = client.get(link)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    [hc1] = [t for page in pdf_to_png_pages(pdf.content, dpi=150) for t in decode_qr_png(page)]
    assert verify_hc1(hc1, trust_list(), at=timezone.now()).valid


def test_demo_inspections_have_fixes_one_overdue_and_show_on_the_staff_map(morning, capsys, client):
    from phongdich.risk.models import InspectionTask, RequiredFix

    out = run_demo(capsys)
    assert "yêu cầu khắc phục (1 quá hạn)" in out
    today = morning.date()
    fixed = InspectionTask.objects.filter(required_fixes__isnull=False).distinct()
    assert fixed.count() == 2
    assert max(t.required_fixes.count() for t in fixed) == 3
    assert RequiredFix.objects.filter(status="open", deadline__lt=today).count() == 1
    assert RequiredFix.objects.filter(status="done", done_by__isnull=False).count() == 1
    client.login(username="demo_tinh", password=printed_accounts(out)["demo_tinh"])
    layer = client.get("/staff/risk/map/data.json").json()["inspections"]
    points = {f["id"]: f for f in layer["features"]}
    assert set(points) == set(InspectionTask.objects.values_list("pk", flat=True))
    assert all(f["geometry"] for f in points.values())  # at a venue or the ward's centre
    assert sorted(f["properties"]["state"] for f in points.values()).count("overdue") == 1
    assert {f["properties"]["position"] for f in points.values()} == {"venue", "ward"}
