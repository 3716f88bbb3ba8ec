"""Writing the result of a trace: contacts, the F1 each F2 was reached through, and evidence.

Two writers keep one contract. The ORM one runs on every database (SQLite is the embedded
default). On PostgreSQL, new contacts and evidence go in with ``COPY`` and changed contacts with
one ``UPDATE … FROM unnest(…)``: a province-scale case writes hundreds of thousands of rows, and
building a model instance and an ``INSERT`` for each was most of the time of a trace. Both run
on Django's connection, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import DateTimeField, Field, Model

from phongdich.people.models import Person
from phongdich.tracing.models import Case, Contact, ContactOrigin, Evidence
from phongdich.tracing.search import epoch_sql, from_micros, micros, to_micros

BATCH = 2000  # rows per bulk_create on the ORM path


def use_copy() -> bool:
    """Whether this database takes the PostgreSQL writers (tests switch it off to compare)."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True, slots=True)
class Existing:
    """A contact already on the case's list; times in µs since the epoch."""

    pk: int
    level: str
    first: int | None
    last: int | None
    via_id: int | None
    origin: str
    status: str
    quarantine_start: date | None


class NewContact(NamedTuple):
    person_id: int
    level: str
    ward_id: int
    first: int  # µs
    last: int
    via_person_id: int | None  # an F2's closest F1


class ContactUpdate(NamedTuple):
    pk: int
    level: str
    first: int
    last: int
    via_id: int | None


class EvidenceRow(NamedTuple):
    """One row of evidence as the writers take it (COPY streams the tuple as it is)."""

    contact_id: int
    venue_id: int
    index_visit_id: int
    contact_visit_id: int
    index_person_id: int
    start: int  # µs
    end: int
    minutes: int
    level: str


EVIDENCE_FIELDS = [
    "contact_id",
    "venue_id",
    "index_visit_id",
    "contact_visit_id",
    "index_person_id",
    "overlap_start",
    "overlap_end",
    "overlap_minutes",
    "level",
]


def existing_contacts(case: Case) -> dict[int, Existing]:
    table = Contact._meta.db_table
    sql = (
        f"SELECT person_id, id, level, {epoch_sql('first_exposure')}, "  # noqa: S608
        f"{epoch_sql('last_exposure')}, via_id, origin, status, quarantine_start "
        f"FROM {table} WHERE case_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk])
        rows = cursor.fetchall()
    out = {}
    for person_id, pk, level, first, last, via_id, origin, status, quarantine in rows:
        if isinstance(quarantine, str):  # SQLite without a declared type
            quarantine = date.fromisoformat(quarantine)
        out[person_id] = Existing(
            pk, level, to_micros(first), to_micros(last), via_id, origin, status, quarantine
        )
    return out


def lock_list(case: Case) -> None:
    """Every writer of a case's contact list (a trace, a window's listing, an officer adding a
    contact) takes the case's row lock first, so that each sees the list as the one before it
    left it. On SQLite the write lock taken at BEGIN does the same."""
    Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").first()


def contacts_fingerprint(case: Case) -> tuple[int, int | None]:
    """How many contacts the case has and the highest id: changes when any is added or removed
    (both read from the (case, level, id) index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), max(id) FROM {Contact._meta.db_table} WHERE case_id = %s",  # noqa: S608
            [case.pk],
        )
        count, last = cursor.fetchone()
    return count, last


def delete_case_evidence(case: Case) -> None:
    """Delete the evidence the trace wrote for a case (one statement; evidence of a materialised
    exposure window names it and stays)."""
    if use_copy():
        table, contacts = Evidence._meta.db_table, Contact._meta.db_table
        with _pg_cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} e USING {contacts} c WHERE c.id = e.contact_id "  # noqa: S608
                "AND c.case_id = %s AND e.window_id IS NULL",
                [case.pk],
            )
        return
    Evidence.objects.filter(contact__case=case, window__isnull=True).delete()


def insert_contacts(
    case: Case,
    rows: list[NewContact],
    known: dict[int, int],
    now: datetime,
    origin: str = ContactOrigin.CHECKIN,
) -> dict[int, int]:
    """Insert contacts found by the search; return their ids by person. ``via_person_id`` names
    a person either in ``known`` (contact ids by person) or among the F1s of ``rows``."""
    if not rows:
        return {}
    if use_copy():
        return _copy_contacts(case, rows, known, now, origin)
    return _create_contacts(case, rows, known, origin)


def update_contacts(rows: list[ContactUpdate]) -> None:
    if not rows:
        return
    if use_copy():
        _unnest_update_contacts(rows)
        return
    Contact.objects.bulk_update(
        [
            Contact(
                pk=r.pk,
                level=r.level,
                first_exposure=from_micros(r.first),
                last_exposure=from_micros(r.last),
                via_id=r.via_id,
            )
            for r in rows
        ],
        ["level", "first_exposure", "last_exposure", "via_id"],
        batch_size=1000,
    )


def insert_evidence(rows: Iterable[EvidenceRow]) -> int:
    """Insert evidence rows (streamed: they are built while written); return how many."""
    if use_copy():
        return _copy_evidence(rows)
    count = 0
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        Evidence.objects.bulk_create(
            [_evidence(row) for row in batch],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        count += len(batch)
    return count


def _evidence(row: EvidenceRow) -> Evidence:
    return Evidence(
        contact_id=row.contact_id,
        venue_id=row.venue_id,
        index_visit_id=row.index_visit_id,
        contact_visit_id=row.contact_visit_id,
        index_person_id=row.index_person_id,
        overlap_start=from_micros(row.start),
        overlap_end=from_micros(row.end),
        overlap_minutes=row.minutes,
        level=row.level,
    )


# ---------------------------------------------------------------- generic (ORM)


def _create_contacts(
    case: Case, rows: list[NewContact], known: dict[int, int], origin: str
) -> dict[int, int]:
    # F1s first, so that each new F2 can name its F1 by id in the same INSERT.
    ids: dict[int, int] = {}
    for f1 in (True, False):
        objects = [
            Contact(
                case=case,
                person_id=r.person_id,
                level=r.level,
                origin=origin,
                ward_id=r.ward_id,
                first_exposure=from_micros(r.first),
                last_exposure=from_micros(r.last),
                via_id=_via(r, ids, known),
            )
            for r in rows
            if (r.via_person_id is None) == f1
        ]
        Contact.objects.bulk_create(objects, batch_size=1000)
        if connection.features.can_return_rows_from_bulk_insert:
            ids.update((c.person_id, c.pk) for c in objects)
        else:
            people = [c.person_id for c in objects]
            ids.update(
                Contact.objects.filter(case=case, person_id__in=people).values_list(
                    "person_id", "pk"
                )
            )
    return ids


def _via(row: NewContact, ids: dict[int, int], known: dict[int, int]) -> int | None:
    if row.via_person_id is None:
        return None
    return ids.get(row.via_person_id) or known[row.via_person_id]


# ---------------------------------------------------------------- PostgreSQL


def _copy_contacts(
    case: Case, rows: list[NewContact], known: dict[int, int], now: datetime, origin: str
) -> dict[int, int]:
    """Allocate the ids first (one ``nextval`` per row, in one statement): then the F2s can name
    their F1 in the same COPY, with no re-reading of the contacts."""
    meta = Contact._meta
    table, pk = meta.db_table, meta.pk.column
    with _pg_cursor() as cursor:
        cursor.execute(
            # The sequence looked up once (a subquery), not once per row: 15 ms against 3 for
            # 2,225 ids, about a second for 150,000.
            "SELECT nextval((SELECT pg_get_serial_sequence(%s, %s))::regclass) "
            "FROM generate_series(1, %s)",
            [table, pk, len(rows)],
        )
        ids = {r.person_id: pk_ for r, (pk_,) in zip(rows, cursor.fetchall(), strict=True)}
    # Every column, with the model's defaults for those a trace does not set, so a field added
    # to Contact later gets its default here as it would through the ORM.
    fields = meta.concrete_fields
    template = [f.get_default() for f in fields]
    for n, f in enumerate(fields):  # a default timestamp goes as the int8 of ``_binary_copy``
        if isinstance(f, DateTimeField) and isinstance(template[n], datetime):
            template[n] = micros(template[n]) - PG_EPOCH_US
    at = {f.attname: n for n, f in enumerate(fields)}
    stamp = micros(now) - PG_EPOCH_US
    for name, value in (
        ("case_id", case.pk),
        ("origin", str(origin)),
        ("created_at", stamp),
        ("updated_at", stamp),
    ):
        template[at[name]] = value
    i_id, i_person, i_level, i_ward = at["id"], at["person_id"], at["level"], at["ward_id"]
    i_first, i_last, i_via = at["first_exposure"], at["last_exposure"], at["via_id"]
    with _binary_copy(Contact, fields) as copy:
        for r in rows:
            values = template.copy()
            values[i_id], values[i_person] = ids[r.person_id], r.person_id
            values[i_level], values[i_ward] = str(r.level), r.ward_id
            values[i_first], values[i_last] = r.first - PG_EPOCH_US, r.last - PG_EPOCH_US
            values[i_via] = _via(r, ids, known)
            copy.write_row(values)
    return ids


def _unnest_update_contacts(rows: list[ContactUpdate]) -> None:
    """One statement for every changed contact, the new values passed as arrays."""
    table = Contact._meta.db_table
    with _pg_cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET level = u.level, first_exposure = u.first_exposure, "  # noqa: S608
            "last_exposure = u.last_exposure, via_id = u.via_id FROM unnest(%s::bigint[], "
            "%s::text[], %s::timestamptz[], %s::timestamptz[], %s::bigint[]) "
            "AS u(id, level, first_exposure, last_exposure, via_id) WHERE c.id = u.id",
            [
                [r.pk for r in rows],
                [str(r.level) for r in rows],
                [from_micros(r.first) for r in rows],
                [from_micros(r.last) for r in rows],
                [r.via_id for r in rows],
            ],
        )


def _copy_evidence(rows: Iterable[EvidenceRow]) -> int:
    fields = [Evidence._meta.get_field(name.removesuffix("_id")) for name in EVIDENCE_FIELDS]
    count = 0
    with _binary_copy(Evidence, fields) as copy:
        write, epoch = copy.write_row, PG_EPOCH_US
        for c, venue, iv, cv, ip, s, e, minutes, level in rows:
            write((c, venue, iv, cv, ip, s - epoch, e - epoch, minutes, level))
            count += 1
    return count


@contextmanager
def _pg_cursor() -> Iterator[Any]:
    """A psycopg cursor on Django's connection (same transaction), for COPY and array
    parameters, which Django's cursor wrapper does not offer."""
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        yield cursor


# PostgreSQL's binary ``timestamptz`` is an int8 of µs since 2000-01-01 UTC (integer datetimes
# are the only kind since PostgreSQL 10). The COPY writers send each timestamp as that int8,
# dumped by psycopg's own C int8 dumper: a trace writes two timestamps a row for 100,000 rows or
# more, and making each a datetime for psycopg to take apart again took three times as long
# (100,000 rows: 0.125 s against 0.042 s).
PG_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in µs since the Unix epoch


@contextmanager
def _binary_copy(model: type[Model], fields: list[Field]) -> Iterator[Any]:
    """``COPY model (fields) FROM STDIN`` in binary: several times cheaper than text to format
    on our side and to parse on the server's. Timestamp columns take µs since 2000-01-01 as
    ints (``PG_EPOCH_US``)."""
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    types = [
        "int8" if isinstance(f, DateTimeField) else f.db_type(connection).split("(")[0]
        for f in fields
    ]
    with (
        _pg_cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(types)
        yield copy


def person_wards(people: list[int]) -> dict[int, int | None]:
    if use_copy():  # one array parameter instead of a statement with 100,000 placeholders
        with _pg_cursor() as cursor:
            cursor.execute(
                f"SELECT id, ward_id FROM {Person._meta.db_table} WHERE id = ANY(%s)",  # noqa: S608
                [people],
            )
            return dict(cursor.fetchall())
    out: dict[int, int | None] = {}
    for begin in range(0, len(people), 500):
        some = people[begin : begin + 500]
        out.update(Person.objects.filter(pk__in=some).values_list("pk", "ward_id"))
    return out
