"""Days of check-ins: who goes where, when, for how long, and what they declare.

Each person gets a way of life from their age: infants stay home, children go to a kindergarten or
a school of their level, adults work an office or factory shift (a split day with a lunch break
at home for many office workers) or run errands, the retired go to the market early and to the
pagoda. Around that, errands: the morning market, a shop or a café after work, the hospital now
and then, a bus journey once in a while. Times are local (Asia/Ho_Chi_Minh): check-ins between
6:00 and 21:00, stays from 5 minutes in a shop to a full shift.

Check-outs follow the app's own rule: a visit nobody closes, or one that outlasts the venue's
default stay, is closed automatically at the end of that stay (or at local midnight), by the
worker that runs every five minutes (``checkpoints.actions.do_auto_checkout``).

Every draw comes from a stream seeded by the demo seed (per day and per block of people), so the
same seed gives the same visits. Today's plan is made in full and cut at the current time: visits
not begun yet are left out, those under way are open, as the app would hold them at this moment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from phongdich.checkpoints.declarations import CONDITIONS, FORM_VERSION
from phongdich.checkpoints.models import CheckoutKind, Source, VenueKind
from phongdich.lib.timeutil import VN_TZ
from phongdich.portal.demo.people import DemoPerson
from phongdich.portal.demo.rows import Adapt
from phongdich.portal.demo.seeded import DemoRandom, Weighted, stream
from phongdich.portal.demo.venues import (
    KINDERGARTEN,
    LOWER_SECONDARY,
    PRIMARY,
    UNIVERSITY,
    UPPER_SECONDARY,
)

K = VenueKind
DAY = 24 * 60 * 60
OPEN_FROM, OPEN_UNTIL = 6 * 60, 21 * 60  # check-ins happen between 6:00 and 21:00, local time
AUTO_CHECKOUT_EVERY = 5 * 60  # seconds between runs of the auto check-out job
SATURDAY, SUNDAY = 5, 6
WEEKDAYS = frozenset(range(5))

INFANT, KINDER, PUPIL, STUDENT, WORKER, FREE, RETIRED = range(7)

# Minutes a visitor stays, by kind of place.
ERRAND_MINUTES = {
    K.SHOP: (5, 25), K.MARKET: (10, 50), K.RESTAURANT: (20, 80), K.HOSPITAL: (30, 180),
    K.RELIGIOUS: (20, 80), K.TRANSPORT: (10, 90), K.ROAD_CHECKPOINT: (5, 9), K.EVENT: (40, 180),
    K.OTHER: (30, 100), K.OFFICE: (15, 90), K.RESIDENTIAL: (60, 180),
}  # fmt: skip


@dataclass(frozen=True)
class Shift:
    kind: str
    start: tuple[int, int]  # minutes after local midnight
    minutes: tuple[int, int]
    days: frozenset[int]
    split_share: float = 0.0  # works mornings and afternoons, home for lunch in between


SIX_DAYS = frozenset(range(6))
SHIFTS = Weighted([
    (Shift(K.OFFICE, (420, 465), (450, 475), WEEKDAYS, split_share=0.6), 30),
    (Shift(K.FACTORY, (375, 420), (480, 570), SIX_DAYS), 30),
    (Shift(K.SCHOOL, (400, 430), (240, 500), WEEKDAYS), 6),
    (Shift(K.HOSPITAL, (400, 440), (420, 470), SIX_DAYS), 6),
    (None, 28),  # farming, trade, services: errands only
])  # fmt: skip

# An errand slot: (earliest start, latest start, chance, kinds).
Slot = tuple[int, int, float, Weighted]
_RETIRED_SLOTS: tuple[Slot, ...] = (
    (360, 510, 0.55, Weighted([(K.MARKET, 7), (K.RELIGIOUS, 1), (K.HOSPITAL, 1), (K.SHOP, 1)])),
    (540, 660, 0.3, Weighted([(K.SHOP, 4), (K.HOSPITAL, 3), (K.OFFICE, 2), (K.RELIGIOUS, 1)])),
    (840, 1020, 0.25, Weighted([(K.RELIGIOUS, 4), (K.SHOP, 3), (K.EVENT, 3),
                                (K.RESIDENTIAL, 1)])),
    (1080, 1200, 0.15, Weighted([(K.EVENT, 4), (K.SHOP, 3), (K.RESTAURANT, 3)])),
)  # fmt: skip
_FREE_SLOTS: tuple[Slot, ...] = (
    (360, 510, 0.45, Weighted([(K.MARKET, 8), (K.SHOP, 2)])),
    (540, 660, 0.3, Weighted([(K.SHOP, 5), (K.OFFICE, 2), (K.HOSPITAL, 1.5), (K.OTHER, 1)])),
    (840, 1020, 0.3, Weighted([(K.SHOP, 4), (K.RESTAURANT, 2), (K.OTHER, 2), (K.EVENT, 1),
                               (K.RELIGIOUS, 1)])),
    (1080, 1230, 0.4, Weighted([(K.RESTAURANT, 5), (K.SHOP, 3), (K.EVENT, 1), (K.OTHER, 1),
                                (K.RESIDENTIAL, 1)])),
)  # fmt: skip
_YOUNG_SLOTS: tuple[Slot, ...] = (
    (420, 540, 0.15, Weighted([(K.SHOP, 1)])),
    (540, 660, 0.3, Weighted([(K.RESTAURANT, 5), (K.SHOP, 3), (K.OTHER, 2)])),
    (840, 1020, 0.35, Weighted([(K.RESTAURANT, 4), (K.OTHER, 3), (K.SHOP, 2), (K.EVENT, 1)])),
    (1080, 1230, 0.35, Weighted([(K.RESTAURANT, 6), (K.SHOP, 2), (K.EVENT, 2)])),
)  # fmt: skip
_AFTER_WORK = Weighted([
    (K.SHOP, 50), (K.RESTAURANT, 20), (K.MARKET, 15), (K.OTHER, 10), (K.HOSPITAL, 3),
    (K.RELIGIOUS, 2),
])  # fmt: skip
_AFTER_SCHOOL = Weighted([(K.RESTAURANT, 1), (K.SHOP, 1)])
_JOURNEY = Weighted([(K.TRANSPORT, 6), (K.ROAD_CHECKPOINT, 4)])

_SYMPTOMS = (("fever", 0.6), ("cough", 0.5), ("sore_throat", 0.4), ("fatigue", 0.4),
             ("shortness_of_breath", 0.1), ("pneumonia", 0.02))  # fmt: skip
_EXPOSURES = (("symptomatic_person", 0.2), ("covid_case", 0.1), ("from_affected_country", 0.02))
_TRAVEL = (["Hà Nội"], ["Nghệ An"], ["Ninh Bình"], ["TP. Hồ Chí Minh"], ["Hà Nội", "Ninh Bình"],
           ["Hải Phòng"], ["Đà Nẵng"], ["Nam Định"])  # fmt: skip
_ELDERLY_CONDITIONS = Weighted([
    ("hypertension", 10), ("diabetes", 5), ("heart_disease", 3), ("chronic_lung", 2),
    ("chronic_kidney", 1), ("chronic_liver", 1), ("cancer", 1),
])  # fmt: skip
FLAGGED_DAY_SHARE = 0.02
# Plain strings for the rows (a database driver may dump an Enum by its name, not its value).
SELF, PAPER, SCAN = Source.SELF.value, Source.PAPER.value, Source.SCAN.value
STAFF, AUTO = CheckoutKind.STAFF.value, CheckoutKind.AUTO.value


@dataclass(slots=True)
class Place:
    pk: int
    kind: str
    ward: int
    cluster: str
    level: int | None
    stay_s: int
    scan_share: float
    missing_share: float


@dataclass(slots=True)
class Profile:
    pk: int
    age: int
    male: bool
    ward: int
    cluster: str
    life: int
    paper_share: float
    conditions: list[str]
    work: int | None = None
    shift: Shift | None = None
    level: int | None = None
    favourites: dict[str, int] = field(default_factory=dict)


def place_of(
    pk: int, kind: str, ward: int, cluster: str, level: int | None, stay_minutes: int
) -> Place:
    checked = kind in {K.HOSPITAL, K.TRANSPORT, K.ROAD_CHECKPOINT}
    return Place(
        pk,
        kind,
        ward,
        cluster,
        level,
        stay_minutes * 60,
        scan_share=0.3 if checked else 0.06,
        missing_share=0.6 if kind == K.ROAD_CHECKPOINT else 0.1,
    )


class Pools:
    """Places by kind, near a person first: same ward, then same area, then anywhere."""

    def __init__(self, places: list[Place], usable: list[int]) -> None:
        self.places = places
        self.by_kind: dict[str, list[int]] = defaultdict(list)
        self.by_cluster: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_ward: dict[tuple[str, int], list[int]] = defaultdict(list)
        self.schools: dict[int | None, list[int]] = defaultdict(list)
        for i in usable:
            place = places[i]
            self.by_kind[place.kind].append(i)
            self.by_cluster[place.kind, place.cluster].append(i)
            self.by_ward[place.kind, place.ward].append(i)
            if place.kind == K.SCHOOL:
                self.schools[place.level].append(i)
        self.usable = set(usable)

    def near(self, rng: DemoRandom, kind: str, ward: int, cluster: str) -> int | None:
        r = rng.random()
        choices = self.by_ward.get((kind, ward)) if r < 0.5 else None
        if not choices and r < 0.85:
            choices = self.by_cluster.get((kind, cluster))
        choices = choices or self.by_kind.get(kind)
        return rng.choice(choices) if choices else None

    def school(self, rng: DemoRandom, level: int, person: Profile) -> int | None:
        same_level = self.schools.get(level) or self.by_kind.get(K.SCHOOL)
        if not same_level:
            return None
        nearby = [i for i in same_level if self.places[i].cluster == person.cluster]
        return rng.choice(nearby or same_level)


def _level_for(age: int) -> int:
    if age <= 5:
        return KINDERGARTEN
    if age <= 10:
        return PRIMARY
    if age <= 14:
        return LOWER_SECONDARY
    if age <= 17:
        return UPPER_SECONDARY
    return UNIVERSITY


def build_profiles(seed: int, people: list[DemoPerson], pools: Pools) -> list[Profile]:
    """Each person's way of life, school or workplace, and standing health conditions."""
    rng = stream(seed, "profiles")
    profiles = []
    for person in people:
        age = person.age
        assert person.pk is not None  # noqa: S101  (saved before the visits are made)
        profile = Profile(
            person.pk,
            age,
            person.male,
            person.ward,
            person.cluster,
            FREE,
            paper_share=0.3 if age >= 65 else (0.1 if age < 14 else 0.04),
            conditions=_conditions(rng, person),
        )
        if age <= 2:
            profile.life = INFANT
        elif age <= 17 or (age <= 22 and rng.random() < 0.35):
            profile.life = KINDER if age <= 5 else (PUPIL if age <= 17 else STUDENT)
            profile.level = _level_for(age)
            profile.work = pools.school(rng, profile.level, profile)
        elif age >= 60:
            profile.life = RETIRED
        else:
            shift = SHIFTS.pick(rng)
            work = pools.near(rng, shift.kind, person.ward, person.cluster) if shift else None
            if shift is not None and work is not None:
                profile.life, profile.shift, profile.work = WORKER, shift, work
        profiles.append(profile)
    return profiles


def _conditions(rng: DemoRandom, person: DemoPerson) -> list[str]:
    chance = 0.35 if person.age >= 60 else (0.08 if person.age >= 30 else 0.01)
    found = set()
    if rng.random() < chance:
        found.add(_ELDERLY_CONDITIONS.pick(rng))
        if rng.random() < 0.3:
            found.add(_ELDERLY_CONDITIONS.pick(rng))
    if not person.male and 20 <= person.age <= 40 and rng.random() < 0.03:
        found.add("pregnancy")
    assert found <= CONDITIONS.keys()  # noqa: S101
    return sorted(found)


class DayPlanner:
    """One person's day as (start minute, minutes, place) in time order, without overlaps."""

    def __init__(self, rng: DemoRandom, pools: Pools, weekday: int) -> None:
        self.rng = rng
        self.pools = pools
        self.weekday = weekday
        self.leisure = 1.25 if weekday == SUNDAY else 1.0  # more errands on Sundays

    def plan(self, p: Profile) -> list[tuple[int, int, int]]:
        self.out: list[tuple[int, int, int]] = []
        self.cursor = 0
        self.seen: set[int] = set()
        life = p.life
        if life == WORKER:
            self._worker(p)
        elif life in (KINDER, PUPIL, STUDENT):
            self._pupil(p)
        elif life == RETIRED:
            self._errands(p, _RETIRED_SLOTS, 0.6 if p.age >= 80 else 1.0)
        elif life == FREE:
            self._errands(p, _FREE_SLOTS, 1.0)
        elif self.rng.random() < 0.02:  # an infant's check-up or vaccination
            self._errand(p, K.HOSPITAL, self.rng.between(450, 600))
        if p.age >= 16 and self.rng.random() < 0.01:
            self._errand(p, _JOURNEY.pick(self.rng), self.rng.between(OPEN_FROM, 1140))
        return self.out

    def _add(self, start: int, minutes: int, place: int) -> None:
        if start < self.cursor:
            start = self.cursor + self.rng.between(5, 20)
        if start > OPEN_UNTIL:
            return
        self.out.append((start, minutes, place))
        self.cursor = start + minutes

    def _errand(self, p: Profile, kind: str, start: int) -> None:
        rng = self.rng
        place = p.favourites.get(kind)
        if place is None or rng.random() < 0.2:
            place = self.pools.near(rng, kind, p.ward, p.cluster)
            if place is None:
                return
            p.favourites.setdefault(kind, place)
        if place in self.seen or place not in self.pools.usable:
            return
        self.seen.add(place)
        low, high = ERRAND_MINUTES[kind]
        self._add(start, rng.between(low, high), place)

    def _errands(self, p: Profile, slots: tuple[Slot, ...], scale: float) -> None:
        rng = self.rng
        for i, (earliest, latest, chance, kinds) in enumerate(slots):
            if i == 0 and not p.male:
                chance *= 1.4  # the morning market is mostly women's errand
            if rng.random() < chance * scale * self.leisure:
                self._errand(p, kinds.pick(rng), rng.between(earliest, latest))

    def _worker(self, p: Profile) -> None:
        rng, shift = self.rng, p.shift
        assert shift is not None and p.work is not None  # noqa: S101
        working = self.weekday in shift.days and rng.random() < 0.95
        if not working:
            self._errands(p, _FREE_SLOTS, 0.8)
            return
        start = rng.between(*shift.start)
        if not p.male and start >= 420 and rng.random() < 0.15:
            self._errand(p, K.MARKET, rng.between(OPEN_FROM, start - 45))
        if rng.random() < shift.split_share:
            self._add(start, rng.between(690, 705) - start, p.work)
            if rng.random() < 0.3:
                self._errand(p, K.RESTAURANT, rng.between(710, 730))
            afternoon = rng.between(800, 830)
            self._add(afternoon, rng.between(1020, 1050) - afternoon, p.work)
        else:
            self._add(start, rng.between(*shift.minutes), p.work)
        if rng.random() < 0.45:
            self._errand(p, _AFTER_WORK.pick(rng), self.cursor + rng.between(10, 40))
        if rng.random() < 0.15:
            self._errand(p, _AFTER_WORK.pick(rng), self.cursor + rng.between(10, 90))

    def _pupil(self, p: Profile) -> None:
        rng, level = self.rng, p.level
        at_school = p.work is not None and (
            (self.weekday in WEEKDAYS and rng.random() < 0.95)
            or (self.weekday == SATURDAY and level == UPPER_SECONDARY and rng.random() < 0.3)
        )
        if not at_school:
            if p.life != KINDER:
                self._errands(p, _YOUNG_SLOTS, 1.0)
            return
        assert p.work is not None  # noqa: S101
        if level in (KINDERGARTEN, PRIMARY):
            start = rng.between(415, 440)
            self._add(start, rng.between(965, 990) - start, p.work)
            return
        if level == UNIVERSITY and rng.random() < 0.4:
            start = rng.between(780, 800)
            self._add(start, rng.between(1000, 1030) - start, p.work)
        else:
            start = rng.between(405, 425)
            self._add(start, rng.between(680, 700) - start, p.work)
            if level != UNIVERSITY and rng.random() < 0.25:  # extra afternoon classes
                afternoon = rng.between(830, 850)
                self._add(afternoon, rng.between(990, 1020) - afternoon, p.work)
        if rng.random() < (0.3 if level == UNIVERSITY else 0.2):
            self._errand(p, _AFTER_SCHOOL.pick(rng), self.cursor + rng.between(10, 60))


def _declarations(rng: DemoRandom) -> list[tuple[list[str], list[str]]]:
    """A fixed menu of (symptoms, exposures) for flagged days: fever and cough most often."""
    menu = []
    while len(menu) < 40:
        symptoms = sorted(code for code, share in _SYMPTOMS if rng.random() < share)
        exposures = sorted(code for code, share in _EXPOSURES if rng.random() < share)
        if symptoms or exposures:
            menu.append((symptoms, exposures))
    return menu


class VisitMaker:
    """Turns day plans into visit rows (``rows.VISIT_COLUMNS``) with declarations, sources and
    check-outs, values already in the database's format."""

    def __init__(
        self, seed: int, places: list[Place], profiles: list[Profile], now: datetime
    ) -> None:
        self.seed = seed
        self.places = places
        self.profiles = profiles
        self.now = now
        self.adapt = Adapt()
        self.menu = _declarations(stream(seed, "declarations"))
        self.form_version = FORM_VERSION

    def day(self, day: date, pools: Pools, chunk: range) -> Iterator[tuple]:
        """The visits of the people in ``chunk`` on ``day`` (today: those begun by now)."""
        rng = stream(self.seed, "visits", day.isoformat(), chunk.start)
        midnight = datetime.combine(day, time(0), tzinfo=VN_TZ).astimezone(UTC)
        limit = int((self.now - midnight).total_seconds())
        planner = DayPlanner(rng, pools, day.weekday())
        clock = self.adapt.clock(midnight)
        json = self.adapt.json
        no_symptoms = (json([]), json([]), False)
        for index in chunk:
            profile = self.profiles[index]
            if rng.random() < FLAGGED_DAY_SHARE:
                symptoms, exposures = rng.choice(self.menu)
                declared = (json(symptoms), json(exposures), True)
            else:
                declared = no_symptoms
            travel = json(rng.choice(_TRAVEL) if rng.random() < 0.01 else [])
            conditions = json(profile.conditions)
            plan = planner.plan(profile)
            for n, (start, minutes, place) in enumerate(plan):
                # Back later the same day (a split shift): this visit was surely closed, or the
                # second check-in would have found the person still inside.
                back = any(later == place for _, _, later in plan[n + 1 :])
                row = self._visit(
                    rng,
                    clock,
                    limit,
                    profile,
                    self.places[place],
                    start * 60 + rng.between(0, 59),
                    minutes * 60,
                    back,
                )
                if row is not None:
                    yield (*row, declared[0], declared[1], conditions, travel, declared[2])

    def _visit(
        self,
        rng: DemoRandom,
        clock: Callable[[int], Any],
        limit: int,
        profile: Profile,
        place: Place,
        checked_in: int,
        stay: int,
        back: bool,
    ) -> tuple | None:
        """The row up to the form version, times in seconds after local midnight; None if it has
        not happened by now."""
        r = rng.random()
        if r < profile.paper_share:
            source, received, missing = PAPER, checked_in + rng.between(900, 14400), 0.3
        elif r < profile.paper_share + place.scan_share:
            source, received, missing = SCAN, checked_in + 1, 0.15
        else:
            source, received, missing = SELF, checked_in + rng.between(1, 3), 0.0
            if rng.random() < 0.02:  # offline: the phone uploaded it later
                received += rng.between(300, 7200)
        client_id = self.adapt.client_id(rng)
        checked_out = checked_in + stay + rng.between(0, 59)
        auto = min(checked_in + place.stay_s, DAY)
        kind = STAFF if source != SELF and rng.random() < 0.3 else SELF
        lapse = 0.0 if back else max(missing, place.missing_share)
        if rng.random() < lapse or checked_out > auto:
            checked_out, kind = auto, AUTO
        out_received = (
            checked_out + -checked_out % AUTO_CHECKOUT_EVERY  # the job's next run
            if kind == AUTO
            else checked_out + rng.between(1, 3)
        )
        if checked_in > limit or received > limit:
            return None
        if out_received > limit:  # still inside: the visit is open
            out = out_at = None
            kind = ""
        else:
            out, out_at = clock(checked_out), clock(out_received)
        return (
            client_id,
            place.pk,
            profile.pk,
            source,
            clock(checked_in),
            clock(received),
            clock(auto),
            out,
            out_at,
            kind,
            self.form_version,
        )
