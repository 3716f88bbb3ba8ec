"""Family declaration: one phone declares for several people (children, elderly parents).

Each member is a person of their own with a visit of their own, resolved through the identity
model like any typed data (people.identity): a member is matched only by their own ID number, or
by the shared phone *with their own* name and birth year, so sharing the declarer's phone never
merges two people and never touches the phone's owner; a member whose ID number is a known
person's becomes a claim on that person and reveals nothing.

The members answer the declarer's health questions (the page says so) and share the declarer's
phone, ward and address. Each member's visit gets a ``client_id`` derived from the declarer's, so
a repeated submission records nothing twice. Either everyone is recorded or no one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction

from phongdich.checkpoints.actions import CheckinResult, do_checkin
from phongdich.checkpoints.declarations import validate_declaration
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.people.actions import person_by_token
from phongdich.people.validation import validate_person

MAX_MEMBERS = 8
MEMBER_FIELDS = ("full_name", "birth_year", "gender", "id_number", "nationality")


def member_prefix(n: int) -> str:
    return f"m{n}-"


def member_client_id(client_id: uuid.UUID, n: int) -> uuid.UUID:
    return uuid.uuid5(client_id, f"family-member-{n}")


def members_from_post(post: Any, count: int) -> list[dict[str, str]]:
    """The member fieldsets a form posted (``m1-full_name``…), ``count`` of them."""
    return [
        {name: str(post.get(member_prefix(n) + name, "")).strip() for name in MEMBER_FIELDS}
        for n in range(1, count + 1)
    ]


def member_count(raw: Any) -> int:
    try:
        count = int(str(raw or "0"))
    except ValueError:
        count = 0
    return max(0, min(count, MAX_MEMBERS))


def _is_blank(member: dict[str, str]) -> bool:
    """A fieldset left empty (the nationality select always sends a value) is no member."""
    return not any(member.get(name) for name in MEMBER_FIELDS if name != "nationality")


def _shared_contact(person: dict | None, person_token: str | None) -> dict[str, Any]:
    if person_token:
        known = person_by_token(person_token)
        if known is None:
            return {}
        return {"phone": known.phone, "ward_code": known.ward_id, "address": known.address}
    person = person if isinstance(person, dict) else {}
    return {name: person.get(name) for name in ("phone", "ward_code", "address")}


def _validate_members(
    members: list[dict[str, str]], shared: dict[str, Any], prefix: Callable[[int], str]
) -> tuple[list[tuple[int, dict]], list[FieldError]]:
    errors: list[FieldError] = []
    valid: list[tuple[int, dict]] = []
    present = [(n, m) for n, m in enumerate(members, 1) if not _is_blank(m)]
    if present and not str(shared.get("phone") or "").strip():
        errors.append(
            FieldError(
                "person.phone",
                "required_for_family",
                "Khai báo cho người thân cần số điện thoại của người khai.",
                "phone is required to declare for family members.",
            )
        )
    for n, member in present:
        data = {**member, **shared}
        _, member_errors = validate_person(data, prefix=prefix(n), require_contact=False)
        # The shared fields are the declarer's: their errors are reported there, once.
        errors.extend(e for e in member_errors if e.field.removeprefix(prefix(n)) in MEMBER_FIELDS)
        valid.append((n, data))
    return valid, errors


def do_family_checkin(
    *,
    venue_code: str,
    client_id: uuid.UUID | str | None,
    declaration: dict[str, Any],
    members: list[dict[str, str]],
    person: dict[str, Any] | None = None,
    person_token: str | None = None,
    scanned_at: datetime | None = None,
    source: str = "self",
    actor: Any = None,
    request: Any = None,
    prefix: Callable[[int], str] = member_prefix,
) -> tuple[CheckinResult, list[CheckinResult]]:
    """The declarer's check-in and one per member (blank member fieldsets are skipped). Every
    problem (the declarer's and each member's) is reported at once; nothing is written then.
    ``prefix(n)`` names member ``n``'s fields in errors (``m1-`` on the page)."""
    if all(_is_blank(member) for member in members):
        shared: dict[str, Any] = {}  # no lookup of the token's person on the hot path
    else:
        shared = _shared_contact(person, person_token)
    valid, member_errors = _validate_members(members, shared, prefix)
    common = {
        "venue_code": venue_code,
        "declaration": declaration,
        "scanned_at": scanned_at,
        "source": source,
        "actor": actor,
        "request": request,
    }
    if not valid and not member_errors:  # no family: the plain check-in, its hot path intact
        return do_checkin(
            client_id=client_id, person=person, person_token=person_token, **common
        ), []
    if member_errors:
        errors: list[FieldError] = []
        if person_token is None:
            errors.extend(validate_person(person or {})[1])
        errors.extend(validate_declaration(declaration or {})[1])
        raise InputErrors(errors + member_errors)
    with transaction.atomic():
        main = do_checkin(client_id=client_id, person=person, person_token=person_token, **common)
        family = [
            do_checkin(
                client_id=member_client_id(uuid.UUID(str(main.visit.client_id)), n),
                person=data,
                **common,
            )
            for n, data in valid
        ]
    return main, family
