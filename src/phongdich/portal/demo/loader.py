"""Writing the demo data: checkpoints, residents and visits, in one transaction, in bulk.

Nothing goes through the per-row actions (``do_register_venue``, ``do_checkin``…): their checks
and audit rows are what a real check-in needs, and a load of one query per visit would take an
hour instead of seconds. Checkpoints and people go in with ``bulk_create``; visits, hundreds of
thousands of them, with ``rows.RowWriter``. Every row still obeys the models' constraints (unique
codes, tokens, phones and CCCD numbers, one open visit per person and checkpoint, check-out after
check-in), and ``expected_out_at`` follows ``checkpoints.actions.auto_checkout_time``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from phongdich.checkpoints.actions import auto_checkout_time
from phongdich.checkpoints.declarations import FORM_VERSION
from phongdich.checkpoints.models import CheckoutKind, Source, Venue, VenueStatus
from phongdich.lib.text import fold
from phongdich.lib.timeutil import VN_TZ, local_date
from phongdich.people.models import Gender, Person
from phongdich.places.models import Ward
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.people import DemoPerson, build_people
from phongdich.portal.demo.rows import (
    CHECKED_OUT,
    CHECKOUT_KIND,
    FLAGGED,
    PERSON,
    VENUE,
    visit_row,
    visit_writer,
)
from phongdich.portal.demo.seeded import stream, venue_code
from phongdich.portal.demo.venues import (
    DEFAULT_STAY,
    VenueSpec,
    build_venues,
    cluster_of,
    venue_phone,
)
from phongdich.portal.demo.visits import (
    Place,
    Pools,
    Profile,
    VisitMaker,
    build_profiles,
    place_of,
)

CHUNK = 2000  # people per generated block, and rows per INSERT batch
SUSPENDED_DAYS = 3  # the suspended checkpoint was closed this many days ago
INSIDE_AT_STAFF_VENUE = 6  # at least this many people inside the demo staff's checkpoint


class DemoError(Exception):
    pass


@dataclass
class DemoSummary:
    people: int = 0
    venues: dict[str, int] = field(default_factory=dict)
    visits: int = 0
    flagged: int = 0
    auto_checkouts: int = 0
    inside: int = 0
    staff_venue: Venue | None = None


Progress = Callable[[int, int], None]  # (people·days done, visits written so far)


def thanh_hoa_wards() -> dict[int, str]:
    wards = dict(Ward.objects.filter(province_id=geo.PROVINCE).values_list("code", "name"))
    if geo.HAC_THANH not in wards:
        raise DemoError("Chưa có danh mục phường/xã của Thanh Hóa (chạy migrate trước).")
    return wards


def demo_days(now: datetime, days: int) -> list[date]:
    """``days`` full days before today, then today (cut at ``now``)."""
    today = local_date(now)
    return [today - timedelta(days=n) for n in range(days, -1, -1)]


@transaction.atomic
def load_demo(
    seed: int, people: int, days: int, now: datetime, progress: Progress | None = None
) -> DemoSummary:
    """Create the demo's checkpoints, residents and visits; returns what was written."""
    wards = thanh_hoa_wards()
    summary = DemoSummary()
    specs = build_venues(stream(seed, "venues"), max(30, people // 100), wards)
    venues = _create_venues(seed, specs, now, days)
    summary.venues = {s: sum(v.status == s for v in venues) for s in VenueStatus.values}
    summary.staff_venue = next(
        v for v in venues if v.ward_id == geo.HAC_THANH and v.status == VenueStatus.ACTIVE
    )
    residents = build_people(stream(seed, "people"), people, local_date(now).year, wards)
    _create_people(residents)
    summary.people = len(residents)
    places = [
        place_of(v.pk, v.kind, v.ward_id, cluster_of(v.ward_id), spec.level, v.default_stay_minutes)
        for v, spec in zip(venues, specs, strict=True)
    ]
    _create_visits(seed, venues, places, residents, days, now, summary, progress)
    return summary


def _create_venues(seed: int, specs: list[VenueSpec], now: datetime, days: int) -> list[Venue]:
    rng = stream(seed, "venue-codes")
    midnight = datetime.combine(local_date(now), time(0), tzinfo=VN_TZ)
    codes: set[str] = set()
    venues = []
    for spec in specs:
        code = venue_code(rng)
        while code in codes:
            code = venue_code(rng)
        codes.add(code)
        approved = None
        if spec.status != VenueStatus.PENDING:
            approved = midnight - timedelta(
                days=days + rng.randint(1, 60), minutes=rng.randint(0, 600)
            )
        venues.append(
            Venue(
                code=code,
                name=spec.name,
                kind=spec.kind,
                address=spec.address,
                ward_id=spec.ward,
                lat=spec.lat,
                lon=spec.lon,
                phone=venue_phone(rng, spec),
                operator=spec.operator,
                default_stay_minutes=DEFAULT_STAY[spec.kind],
                status=spec.status,
                approved_at=approved,
            )
        )
    return Venue.objects.bulk_create(venues, batch_size=CHUNK)


def _create_people(residents: list[DemoPerson]) -> None:
    rows = [
        Person(
            full_name=p.full_name,
            name_folded=fold(p.full_name),
            birth_year=p.birth_year,
            gender=Gender.MALE if p.male else Gender.FEMALE,
            phone=p.phone,
            id_number=p.id_number,
            nationality="VN",
            ward_id=p.ward,
            address=p.address,
            email=p.email,
            token=p.token,
        )
        for p in residents
    ]
    for resident, row in zip(
        residents, Person.objects.bulk_create(rows, batch_size=CHUNK), strict=True
    ):
        resident.pk = row.pk


def _create_visits(
    seed: int,
    venues: list[Venue],
    places: list[Place],
    residents: list[DemoPerson],
    days: int,
    now: datetime,
    summary: DemoSummary,
    progress: Progress | None,
) -> None:
    usable = [i for i, v in enumerate(venues) if v.status == VenueStatus.ACTIVE]
    still_open = [i for i, v in enumerate(venues) if v.status == VenueStatus.SUSPENDED]
    recent = Pools(places, usable)
    earlier = Pools(places, usable + still_open)
    profiles = build_profiles(seed, residents, recent)
    maker = VisitMaker(seed, places, profiles, now)
    writer = visit_writer()
    today = local_date(now)
    tally = _Tally()
    done = 0
    for day in demo_days(now, days):
        pools = recent if (today - day).days < SUSPENDED_DAYS else earlier
        for start in range(0, len(profiles), CHUNK):
            rows = list(maker.day(day, pools, range(start, min(start + CHUNK, len(profiles)))))
            writer.write(rows)
            tally.add(rows, day == today, summary)
            done += min(CHUNK, len(profiles) - start)
            if progress is not None:
                progress(done, summary.visits)
    staff_venue = summary.staff_venue
    assert staff_venue is not None  # noqa: S101
    missing = INSIDE_AT_STAFF_VENUE - tally.inside.get(staff_venue.pk, 0)
    if missing > 0:
        extra = _someone_inside(seed, staff_venue, profiles, tally.out_today, missing, now, maker)
        writer.write(extra)
        tally.add(extra, True, summary)


@dataclass
class _Tally:
    out_today: set[int] = field(default_factory=set)
    inside: dict[int, int] = field(default_factory=dict)

    def add(self, rows: list[tuple], today: bool, summary: DemoSummary) -> None:
        summary.visits += len(rows)
        for row in rows:
            summary.flagged += row[FLAGGED]
            summary.auto_checkouts += row[CHECKOUT_KIND] == CheckoutKind.AUTO.value
            if today:
                self.out_today.add(row[PERSON])
                if row[CHECKED_OUT] is None:
                    summary.inside += 1
                    self.inside[row[VENUE]] = self.inside.get(row[VENUE], 0) + 1


def _someone_inside(
    seed: int,
    venue: Venue,
    profiles: list[Profile],
    out_today: set[int],
    count: int,
    now: datetime,
    maker: VisitMaker,
) -> list[tuple]:
    """People who came in during the last hour or two, so the staff console is never empty
    (at night the day's plan has nobody inside). The first of them declares symptoms."""
    today = local_date(now)
    rng = stream(seed, "inside", today.isoformat())
    midnight = datetime.combine(today, time(0), tzinfo=VN_TZ).astimezone(UTC)
    since_midnight = int((now - midnight).total_seconds() // 60)
    free = [p for p in profiles if p.pk not in out_today and 18 <= p.age <= 75]
    candidates = [p for p in free if p.ward == venue.ward_id]
    if len(candidates) < count:
        candidates += [p for p in free if p.ward != venue.ward_id]
    adapt = maker.adapt
    rows = []
    for i, profile in enumerate(rng.sample(candidates, min(count, len(candidates)))):
        minutes_ago = rng.randint(0, max(0, min(120, since_midnight - 1)))
        checked_in = now - timedelta(minutes=minutes_ago, seconds=rng.randrange(60))
        checked_in = max(checked_in, midnight).replace(microsecond=0)
        symptoms, exposures = maker.menu[0] if i == 0 else ([], [])
        at = adapt.at(checked_in)
        rows.append(
            visit_row(
                client_id=adapt.client_id(rng),
                venue_id=venue.pk,
                person_id=profile.pk,
                source=Source.SELF.value,
                checked_in_at=at,
                received_at=at,
                expected_out_at=adapt.at(auto_checkout_time(checked_in, venue.default_stay)),
                checked_out_at=None,
                checkout_received_at=None,
                checkout_kind="",
                form_version=FORM_VERSION,
                symptoms=adapt.json(symptoms),
                exposures=adapt.json(exposures),
                conditions=adapt.json(profile.conditions),
                travel=adapt.json([]),
                flagged=bool(symptoms or exposures),
            )
        )
    return rows
