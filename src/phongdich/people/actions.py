"""Finding or creating the one record per human."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from phongdich.lib.codes import new_token
from phongdich.lib.errors import InputErrors
from phongdich.people.models import Person
from phongdich.people.validation import PersonData

_UPDATABLE = ("gender", "nationality", "ward_id", "address", "email")


def find_person(data: PersonData) -> Person | None:
    """Match by ID number when given, else by normalised phone + folded name + birth year.

    One query on the hot path: both candidates are fetched together and the ID match wins.
    """
    q = Q(pk__in=[])
    if data.id_number:
        q |= Q(id_number=data.id_number)
    if data.phone:
        q |= Q(phone=data.phone, name_folded=data.name_folded, birth_year=data.birth_year)
    candidates = list(Person.objects.filter(q)[:2]) if q.children[1:] else []
    for person in candidates:
        if data.id_number and person.id_number == data.id_number:
            return person
    return candidates[0] if candidates else None


def do_match_person(data: PersonData) -> tuple[Person, bool]:
    """Return (person, created). Concurrent first declarations of the same human collapse into one
    record through the unique constraints; the loser re-reads the winner's row."""
    person = find_person(data)
    if person is not None:
        _refresh(person, data)
        return person, False
    try:
        with transaction.atomic():
            person = Person.objects.create(
                full_name=data.full_name,
                name_folded=data.name_folded,
                birth_year=data.birth_year,
                gender=data.gender,
                phone=data.phone,
                id_number=data.id_number,
                nationality=data.nationality,
                ward_id=data.ward_code,
                address=data.address,
                email=data.email,
                token=new_token(),
            )
        return person, True
    except IntegrityError:
        person = find_person(data)
        if person is None:  # the constraint that fired was not one we can match on
            raise InputErrors.one(
                "person.id_number",
                "id_conflict",
                "Số điện thoại, họ tên và năm sinh này đã gắn với một số CCCD khác.",
                "This phone, name and birth year belong to a person with another ID number.",
            ) from None
        return person, False


def _refresh(person: Person, data: PersonData) -> None:
    """Keep contact details current; an ID number first given later is attached once."""
    changed = []
    if data.id_number and not person.id_number:
        person.id_number = data.id_number
        changed.append("id_number")
    if data.phone and person.phone != data.phone and person.id_number == data.id_number:
        person.phone = data.phone
        changed.append("phone")
    for field in _UPDATABLE:
        new = getattr(data, "ward_code" if field == "ward_id" else field)
        if new not in (None, "") and getattr(person, field) != new:
            setattr(person, field, new)
            changed.append(field)
    if changed:
        try:
            with transaction.atomic():
                person.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            person.refresh_from_db()
