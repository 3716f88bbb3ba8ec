"""Finding or creating the one record per human."""

from __future__ import annotations

from phongdich.core.rows import select_one, select_rows
from phongdich.lib.codes import new_token
from phongdich.lib.errors import InputErrors
from phongdich.people.models import Person
from phongdich.people.validation import PersonData


def find_person(data: PersonData) -> Person | None:
    """Match by ID number when given, else by normalised phone + folded name + birth year.

    One query on the hot path: both candidates are fetched together and the ID match wins. It
    goes through ``select_rows`` (SQL built once): through the ORM, building this lookup cost
    several times its run time, and every check-in makes one.
    """
    clauses, params = [], []
    if data.id_number:
        clauses.append("id_number = %s")
        params.append(data.id_number)
    if data.phone:
        clauses.append("(phone = %s AND name_folded = %s AND birth_year = %s)")
        params += [data.phone, data.name_folded, data.birth_year]
    if not clauses:
        return None
    # Claims (people.identity) are never what typed data matches: only proof reaches a person.
    where = f"claim_of_id IS NULL AND ({' OR '.join(clauses)})"
    candidates = select_rows(Person, where, params, limit=2)
    for person in candidates:
        if data.id_number and person.id_number == data.id_number:
            return person
    return candidates[0] if candidates else None


def person_by_token(token: str) -> Person | None:
    """The person behind a personal QR or remembered-device token."""
    return select_one(Person, "token = %s", [token])


def new_person(data: PersonData) -> Person:
    """An unsaved person from validated data, with a fresh personal token."""
    return Person(
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


def matched_after_conflict(data: PersonData) -> Person:
    """The person a unique conflict on insert was about, or the clear error when the conflict is
    one we cannot match on (phone, name and birth year taken by another ID number)."""
    person = find_person(data)
    if person is None:  # the constraint that fired was not one we can match on
        raise InputErrors.one(
            "person.id_number",
            "id_conflict",
            "Số điện thoại, họ tên và năm sinh này đã gắn với một số CCCD khác.",
            "This phone, name and birth year belong to a person with another ID number.",
        )
    return person
