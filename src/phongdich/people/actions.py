"""Finding or creating the one record per human."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction

from phongdich.lib.codes import new_token
from phongdich.lib.errors import InputErrors
from phongdich.lib.rows import insert_one
from phongdich.people.models import Person
from phongdich.people.validation import PersonData

_UPDATABLE = ("gender", "nationality", "ward_id", "address", "email")


_row_plans: dict[str, tuple[str, list[str], list]] = {}


def _row_plan() -> tuple[str, list[str], list]:
    """The column list, attribute names and value converters of a people row, per database."""
    plan = _row_plans.get(connection.alias)
    if plan is None:
        fields = Person._meta.concrete_fields
        table = Person._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = [
            (i, field, convs)
            for i, field in enumerate(fields)
            if (convs := connection.ops.get_db_converters(field.get_col(table)))
        ]
        plan = _row_plans[connection.alias] = (columns, [f.attname for f in fields], converters)
    return plan


def _select_people(where: str, params: list) -> list[Person]:
    """People matching an SQL condition on the people table, at most two.

    Written in SQL because building these lookups through the ORM cost several times their run
    time, and every check-in makes one (each condition is served by a unique index)."""
    columns, names, converters = _row_plan()
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE {where} LIMIT 2", params)  # noqa: S608
        rows = cursor.fetchall()
    people = []
    for row in rows:
        values = list(row)
        for i, field, convs in converters:
            for convert in convs:
                values[i] = convert(values[i], field, connection)
        people.append(Person.from_db(connection.alias, names, values))
    return people


def find_person(data: PersonData) -> Person | None:
    """Match by ID number when given, else by normalised phone + folded name + birth year.

    One query on the hot path: both candidates are fetched together and the ID match wins.
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
    candidates = _select_people(" OR ".join(clauses), params)
    for person in candidates:
        if data.id_number and person.id_number == data.id_number:
            return person
    return candidates[0] if candidates else None


def person_by_token(token: str) -> Person | None:
    """The person behind a personal QR or remembered-device token."""
    found = _select_people("token = %s", [token])
    return found[0] if found else None


def do_match_person(data: PersonData) -> tuple[Person, bool]:
    """Return (person, created). Concurrent first declarations of the same human collapse into one
    record through the unique constraints; the loser re-reads the winner's row."""
    person = find_person(data)
    if person is not None:
        refresh_person(person, data)
        return person, False
    try:
        with transaction.atomic():
            return create_person(data), True
    except IntegrityError:
        return matched_after_conflict(data), False


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


def create_person(data: PersonData) -> Person:
    """Insert a new person. Inside the caller's transaction and without a savepoint: a unique
    conflict (the same human declared at the same moment) aborts that transaction, and the caller
    retries with the winner from ``find_person`` (see ``do_match_person``)."""
    return insert_one(new_person(data))


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


def refresh_person(person: Person, data: PersonData) -> None:
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
