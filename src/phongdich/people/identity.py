"""Who typed data is allowed to be: the identity model.

Typed data never proves who someone is. A declaration that names a known person (their ID
number, or phone + name + birth year) from someone who has not proved it is theirs becomes a
*claim* (``Person.claim_of``): a record of its own that the visit, sample or dose lands on, so
nothing is lost and tracing still sees it, but the known person is neither changed nor revealed.
The answer looks the same as for a new person: a record and its token, the claimant's own.

Who may use a known record directly:
- its creator, through the token they were given (personal QR, check-in cookie);
- whoever proves the claim: a one-time code sent to the phone on file (``otp``), or staff of the
  person's area with the ID card in hand (``do_confirm_claim``);
- staff inside the person's area (``can_reach``): an officer, vaccinator, lab technician,
  clinician or call operator of the person's ward or province, venue staff for people seen at
  their venue. Staff elsewhere get a claim the owning area's officers see and settle.

A person without a ward belongs to the areas where they were seen (checkpoints: a visit at a
venue of the area); staff there may use the record and give it its ward. Nothing else moves a
person's ward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.core.rows import insert_one, select_one
from phongdich.people.actions import find_person, matched_after_conflict, new_person
from phongdich.people.models import ClaimSource, ClaimStatus, Person
from phongdich.people.validation import PersonData

# Apps above people add ways a staff member reaches a person (checkpoints: venue staff reach the
# people seen at their venue). Each rule is ``rule(user, person, context) -> bool``.
_REACH_RULES: list[Callable[[Any, Person, dict], bool]] = []

# Contact details staff inside the area may correct (audited with the old values).
CORRECTABLE = ("full_name", "gender", "phone", "nationality", "ward_id", "address", "email")


def register_reach_rule(rule: Callable[[Any, Person, dict], bool]) -> None:
    if rule not in _REACH_RULES:
        _REACH_RULES.append(rule)


def is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and getattr(actor, "role", ""))


def can_reach(actor: Any, person: Person, **context: Any) -> bool:
    """Whether ``actor`` may use and see ``person``'s record (a claim is reached through the
    area of the ward it gives, like any record)."""
    if not is_staff(actor):
        return False
    if actor.role == "admin":
        return True
    in_ward = person.ward_id is not None and actor.role != "venue_staff"
    if in_ward and can_see_ward(actor, person.ward):
        return True
    return any(rule(actor, person, context) for rule in _REACH_RULES)


@dataclass(frozen=True)
class Resolved:
    person: Person
    created: bool  # a new record, owned by whoever created it
    claim: bool  # the input named a known person without proof: ``person`` is the claim


def lookup(data: PersonData, *, actor: Any = None, **context: Any) -> Person | None:
    """The record ``resolve`` would use for this data, without writing anything."""
    known = find_person(data)
    if known is None:
        return None
    if is_staff(actor) and can_reach(actor, known, **context):
        return known
    return _existing_claim(known, data)


def resolve(
    data: PersonData, *, actor: Any = None, request: Any = None, **context: Any
) -> Resolved:
    """The record typed data goes on: a new person, the known person (staff inside their area,
    whose corrections are applied and audited), or a claim on the known person. Call it inside
    the transaction that writes what the data came with, after everything else is validated."""
    known = find_person(data)
    if known is None:
        try:
            with transaction.atomic():
                return Resolved(insert_one(new_person(data)), created=True, claim=False)
        except IntegrityError:
            known = matched_after_conflict(data)  # a concurrent first declaration won
    if is_staff(actor) and can_reach(actor, known, **context):
        do_correct_person(known, data, actor=actor, request=request)
        return Resolved(known, created=False, claim=False)
    claim = _existing_claim(known, data)
    if claim is not None:
        return Resolved(claim, created=False, claim=True)
    try:
        with transaction.atomic():
            return Resolved(_new_claim(known, data, actor, request), created=True, claim=True)
    except IntegrityError:  # the same claim made at the same moment
        claim = _existing_claim(known, data)
        if claim is None:
            raise
        return Resolved(claim, created=False, claim=True)


def _existing_claim(known: Person, data: PersonData) -> Person | None:
    """An open claim on ``known`` made with the same data (the same claimant, most likely; and if
    not, sharing it reveals nothing but what they both typed)."""
    return select_one(
        Person,
        "claim_of_id = %s AND name_folded = %s AND birth_year = %s AND phone = %s "
        "AND claimed_id_number = %s AND claim_status = %s",
        [
            known.pk,
            data.name_folded,
            data.birth_year,
            data.phone,
            data.id_number or "",
            ClaimStatus.OPEN,
        ],
    )


def plan(
    data: PersonData, *, actor: Any = None, request: Any = None, **context: Any
) -> tuple[Person | None, Person | None]:
    """For hot paths that insert the person with what they came with (a check-in): the record to
    use, or an unsaved one to insert (a new person or a new claim; ``audit_claim`` after)."""
    known = find_person(data)
    if known is None:
        return None, new_person(data)
    if is_staff(actor) and can_reach(actor, known, **context):
        do_correct_person(known, data, actor=actor, request=request)
        return known, None
    claim = _existing_claim(known, data)
    if claim is not None:
        return claim, None
    return None, unsaved_claim(known, data, actor)


def unsaved_claim(known: Person, data: PersonData, actor: Any) -> Person:
    claim = new_person(data)
    claim.id_number = None
    claim.claimed_id_number = data.id_number or ""
    claim.claim_of = known
    claim.claim_status = ClaimStatus.OPEN
    if is_staff(actor):
        claim.claim_source, claim.claim_by = ClaimSource.STAFF, actor
    else:
        claim.claim_source = ClaimSource.ANONYMOUS
    return claim


def audit_claim(claim: Person, actor: Any, request: Any) -> None:
    """A claim staff made from outside the person's area is filed under the owner's area too,
    so that its officers see who reached for their person."""
    if claim.claim_of_id is None or not is_staff(actor):
        return
    audit.record(
        "claim",
        actor=actor,
        request=request,
        obj=claim,
        ward=claim.claim_of.ward_id,
        detail={"claim_of": claim.claim_of_id, "claim_ward": claim.ward_id},
    )


def _new_claim(known: Person, data: PersonData, actor: Any, request: Any) -> Person:
    claim = insert_one(unsaved_claim(known, data, actor))
    if is_staff(actor):
        # Filed under the owner's area too, so that its officers see who reached for their
        # person from outside.
        audit.record(
            "claim",
            actor=actor,
            request=request,
            obj=claim,
            ward=known.ward_id,
            detail={"claim_of": known.pk, "claim_ward": claim.ward_id},
        )
    return claim


def do_correct_person(person: Person, data: PersonData, *, actor: Any, request: Any = None) -> None:
    """Staff inside the area correct contact details; the old values go into the audit row. An
    ID number first given now is attached; a different one is never overwritten."""
    changes: dict[str, list] = {}
    if data.id_number and not person.id_number:
        changes["id_number"] = [None, data.id_number]
    for field in CORRECTABLE:
        new = getattr(data, "ward_code" if field == "ward_id" else field)
        old = getattr(person, field)
        if new not in (None, "") and old != new:
            changes[field] = [old, new]
    if not changes:
        return
    for field, (_old, new) in changes.items():
        setattr(person, field, new)
    if "full_name" in changes:
        person.name_folded = data.name_folded
    try:
        with transaction.atomic():
            person.save(update_fields=[*changes, "name_folded", "updated_at"])
            audit.record(
                "correct_person",
                actor=actor,
                request=request,
                obj=person,
                ward=person.ward_id,
                detail={"changes": {k: [str(v[0]), str(v[1])] for k, v in changes.items()}},
            )
    except IntegrityError:  # the corrected details belong to another record: keep the old ones
        person.refresh_from_db()


# ---------------------------------------------------------------- settling a claim


def _related_fields() -> list[Any]:
    """Every foreign key to Person in the installed apps (people does not import them)."""
    return [
        rel
        for rel in Person._meta.related_objects
        if rel.one_to_many and rel.field.name != "claim_of" and rel.related_model is not Person
    ]


def merge_claim(claim: Person) -> Person:
    """Move what was recorded on the claim to the person it names; rows that would collide with
    the person's own (an open visit at the same venue, a second registration) stay on the claim,
    which is kept, marked confirmed."""
    target = claim.claim_of
    for rel in _related_fields():
        model, column = rel.related_model, rel.field.name
        for pk in list(model.objects.filter(**{column: claim}).values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    model.objects.filter(pk=pk).update(**{column: target})
            except IntegrityError:
                continue
    Person.objects.filter(pk=claim.pk).update(
        claim_status=ClaimStatus.CONFIRMED, updated_at=timezone.now()
    )
    return target


@transaction.atomic
def do_confirm_claim(claim: Person, *, actor: Any = None, request: Any = None, via: str) -> Person:
    """The claim is the person it names: proven by a one-time code to the phone on file
    (``via="otp"``, no actor) or by staff of the person's area with the ID card
    (``via="id_card"``)."""
    claim = Person.objects.select_for_update().get(pk=claim.pk)
    if claim.claim_status != ClaimStatus.OPEN:
        return claim.claim_of
    if via == "id_card" and not (is_staff(actor) and can_reach(actor, claim.claim_of)):
        raise PermissionError("only staff of the person's area confirm with the ID card")
    target = merge_claim(claim)
    audit.record(
        "confirm_claim",
        actor=actor,
        request=request,
        obj=target,
        ward=target.ward_id,
        detail={"claim": claim.pk, "via": via},
    )
    return target


@transaction.atomic
def do_reject_claim(claim: Person, *, actor: Any, request: Any = None) -> Person:
    """Not the same human: the claim stays a record of its own, detached from the person."""
    if not (is_staff(actor) and can_reach(actor, claim.claim_of)):
        raise PermissionError("only staff of the person's area settle a claim")
    # As confirming does: on the locked row, and only while it is open. A proof (the one-time
    # code) may have merged it while the officer's page was open; that stands.
    claim = Person.objects.select_for_update().get(pk=claim.pk)
    if claim.claim_status != ClaimStatus.OPEN:
        return claim
    Person.objects.filter(pk=claim.pk).update(
        claim_status=ClaimStatus.REJECTED, updated_at=timezone.now()
    )
    audit.record(
        "reject_claim",
        actor=actor,
        request=request,
        obj=claim.claim_of,
        ward=claim.claim_of.ward_id,
        detail={"claim": claim.pk},
    )
    claim.refresh_from_db()
    return claim
