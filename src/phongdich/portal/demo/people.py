"""The demo's residents: names, ages, phones, CCCD numbers and home addresses.

Ages follow Việt Nam's 2019 census pyramid. Children live with a parent from the same ward, share
their address and usually their phone (the family's number is what gets declared for them).
A CCCD number is ``PPP`` (province of birth, 038 for Thanh Hóa) + a century-and-sex digit
(0 man / 1 woman born 1900–1999, 2 / 3 born 2000–2099) + the last two digits of the birth year +
six digits; most people from 14 years of age have one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from phongdich.lib.phones import MOBILE_PREFIXES, normalise_phone
from phongdich.lib.text import fold
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.names import full_name
from phongdich.portal.demo.seeded import Weighted, token
from phongdich.portal.demo.venues import cluster_of

# Five-year age bands (lowest age, highest age) and their share of the population, in percent.
AGE_BANDS = Weighted([
    ((0, 4), 7.9), ((5, 9), 8.5), ((10, 14), 7.3), ((15, 19), 6.6), ((20, 24), 6.9),
    ((25, 29), 8.0), ((30, 34), 8.3), ((35, 39), 8.0), ((40, 44), 7.3), ((45, 49), 6.7),
    ((50, 54), 6.0), ((55, 59), 5.3), ((60, 64), 4.3), ((65, 69), 3.2), ((70, 74), 2.0),
    ((75, 79), 1.3), ((80, 94), 2.0),
])  # fmt: skip

# Market shares, roughly: Viettel about half of subscribers, then VinaPhone and MobiFone.
_CARRIER_WEIGHT = {
    **dict.fromkeys(("032", "033", "034", "035", "036", "037", "038", "039",
                     "086", "096", "097", "098"), 3.0),
    **dict.fromkeys(("081", "082", "083", "084", "085", "088", "091", "094"), 2.0),
    **dict.fromkeys(("070", "076", "077", "078", "079", "089", "090", "093"), 2.0),
}  # fmt: skip
MOBILE = Weighted([(p, _CARRIER_WEIGHT.get(p, 0.3)) for p in sorted(MOBILE_PREFIXES)])

# Province of birth in the CCCD: mostly born in Thanh Hóa, some moved in from elsewhere.
BIRTH_PROVINCE = Weighted([
    ("038", 85), ("040", 4), ("001", 4), ("037", 2.5), ("036", 2), ("079", 1), ("035", 1),
    ("031", 0.5),
])  # fmt: skip


@dataclass(slots=True)
class DemoPerson:
    full_name: str
    birth_year: int
    age: int
    male: bool
    ward: int
    cluster: str
    address: str
    phone: str = ""
    id_number: str | None = None
    email: str = ""
    token: str = ""
    pk: int | None = None

    @property
    def family_name(self) -> str:
        return self.full_name.split(" ", 1)[0]


class _Registry:
    """Keeps phones, CCCD numbers and (phone, name, birth year) unique, as the database does."""

    def __init__(self) -> None:
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        self.keys: set[tuple[str, str, int]] = set()

    def new_phone(self, rng: random.Random) -> str:
        while True:
            phone = normalise_phone(MOBILE.pick(rng) + f"{rng.randrange(10**7):07d}")
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def new_cccd(self, rng: random.Random, birth_year: int, male: bool) -> str:
        century = (birth_year // 100 - 19) * 2 + (0 if male else 1)
        prefix = f"{BIRTH_PROVINCE.pick(rng)}{century}{birth_year % 100:02d}"
        while True:
            number = f"{prefix}{rng.randrange(10**6):06d}"
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def claim(self, phone: str, name: str, birth_year: int) -> bool:
        key = (phone, fold(name), birth_year)
        if phone and key in self.keys:
            return False
        self.keys.add(key)
        return True


def build_people(
    rng: random.Random, count: int, this_year: int, ward_names: dict[int, str]
) -> list[DemoPerson]:
    areas = Weighted([(a.code, a.weight) for a in geo.URBAN_AREAS] + [(0, geo.RURAL_WEIGHT)])
    urban = {a.code for a in geo.URBAN_AREAS}
    rural = sorted(code for code in ward_names if code not in urban)
    registry = _Registry()
    drafts = []
    for _ in range(count):
        low, high = AGE_BANDS.pick(rng)
        age = rng.randint(low, high)
        ward = areas.pick(rng)
        drafts.append(
            (
                age,
                rng.random() < (0.42 if age >= 70 else 0.5),
                rng.choice(rural) if ward == 0 else ward,
            )
        )
    # Adults first, so that every child can be given a parent from their own ward.
    order = sorted(range(count), key=lambda i: drafts[i][0] < 14)
    people: list[DemoPerson | None] = [None] * count
    parents: dict[int, list[DemoPerson]] = {}
    for i in order:
        age, male, ward = drafts[i]
        if age >= 14:
            person = _adult(rng, registry, age, male, ward, this_year)
            if 22 <= age <= 50:
                parents.setdefault(ward, []).append(person)
        else:
            candidates = parents.get(ward) or parents.get(geo.HAC_THANH) or []
            parent = rng.choice(candidates) if candidates else None
            person = _child(rng, registry, age, male, ward, this_year, parent)
        if 14 <= age < 18 and rng.random() < 0.4:
            _share_parent_phone(rng, registry, person, parents.get(ward))
        person.token = token(rng)
        people[i] = person
    return [p for p in people if p is not None]


def _adult(
    rng: random.Random, registry: _Registry, age: int, male: bool, ward: int, this_year: int
) -> DemoPerson:
    birth_year = this_year - age
    cluster = cluster_of(ward)
    name = full_name(rng, birth_year, male)
    person = DemoPerson(
        name, birth_year, age, male, ward, cluster, geo.street_address(rng, cluster)
    )
    no_phone = 0.25 if age >= 75 else 0.03
    if rng.random() >= no_phone:
        person.phone = registry.new_phone(rng)
    registry.claim(person.phone, name, birth_year)
    if rng.random() < (0.6 if age < 18 else 0.92):
        person.id_number = registry.new_cccd(rng, birth_year, male)
    if person.phone and 18 <= age <= 45 and rng.random() < 0.06:
        local = fold(name).split()
        person.email = f"{local[-1]}{local[0]}{birth_year % 100:02d}@gmail.com"
    return person


def _child(
    rng: random.Random,
    registry: _Registry,
    age: int,
    male: bool,
    ward: int,
    this_year: int,
    parent: DemoPerson | None,
) -> DemoPerson:
    birth_year = this_year - age
    if parent is not None:
        ward = parent.ward
    cluster = cluster_of(ward)
    family = parent.family_name if parent is not None and parent.male else None
    address = parent.address if parent is not None else geo.street_address(rng, cluster)
    phone = parent.phone if parent is not None and rng.random() < 0.85 else ""
    while True:
        name = full_name(rng, birth_year, male, family)
        if registry.claim(phone, name, birth_year):
            return DemoPerson(name, birth_year, age, male, ward, cluster, address, phone)


def _share_parent_phone(
    rng: random.Random, registry: _Registry, person: DemoPerson, parents: list[DemoPerson] | None
) -> None:
    """A teenager without a phone of their own is declared with a parent's number."""
    if not parents:
        return
    parent = rng.choice(parents)
    if parent.phone and registry.claim(parent.phone, person.full_name, person.birth_year):
        registry.phones.discard(person.phone)
        person.phone = parent.phone
        person.address = parent.address
