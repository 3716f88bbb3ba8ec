"""Every state change of sampling and the lab, except results (``results.py``) and their import.

The staff pages, the JSON API and the benchmark call these functions and nothing else.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.models import Role
from phongdich.core import events
from phongdich.lib.codes import new_code
from phongdich.lib.errors import InputErrors
from phongdich.people.identity import can_reach, resolve
from phongdich.people.models import Person
from phongdich.people.validation import validate_person
from phongdich.places.models import Province
from phongdich.testing.errors import testing_error
from phongdich.testing.models import (
    CODE_LENGTH,
    Lab,
    Pool,
    Sample,
    SampleStatus,
    SamplingSession,
    SessionStatus,
)
from phongdich.testing.queries import in_target_list
from phongdich.testing.validation import (
    CLOCK_SKEW,
    clean_id_number,
    parse_code,
    parse_person_qr,
    validate_session,
)


def new_unique_code() -> str:
    """A tube or pool code used by neither table (the import file mixes both in one column)."""
    while True:
        code = new_code(CODE_LENGTH)
        if (
            not Sample.objects.filter(tube_code=code).exists()
            and not Pool.objects.filter(code=code).exists()
        ):
            return code


@transaction.atomic
def do_create_lab(
    name: str, province_code: int, *, staff: list[Any] = (), actor: Any = None, request: Any = None
) -> Lab:
    """Register a laboratory of a province and the technicians who work there."""
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 200:
        raise InputErrors.one("name", "required", "Cần tên phòng xét nghiệm.", "name is required.")
    province = Province.objects.filter(code=province_code).first()
    if province is None:
        raise InputErrors.one(
            "province_code",
            "unknown_province",
            "Không có tỉnh với mã này.",
            "province_code is not a known province.",
        )
    lab = Lab.objects.create(name=name, province=province)
    lab.staff.set(staff)
    audit.record("create", actor=actor, request=request, obj=lab, province=province)
    return lab


@transaction.atomic
def do_assign_technician(
    lab: Lab, user: Any, *, remove: bool = False, actor: Any = None, request: Any = None
) -> bool:
    """Add a lab technician to a laboratory (or take them off it); returns whether it changed.
    Only lab technicians work for a lab: the work list, receipt and results follow membership."""
    if getattr(user, "role", None) != Role.LAB_TECHNICIAN:
        raise InputErrors.one(
            "username",
            "not_lab_technician",
            "Chỉ tài khoản có vai trò kỹ thuật viên xét nghiệm mới thuộc phòng xét nghiệm.",
            "Only a lab technician account can belong to a laboratory.",
        )
    member = lab.staff.filter(pk=user.pk).exists()
    if member != remove:
        return False
    if remove:
        lab.staff.remove(user)
    else:
        lab.staff.add(user)
    audit.record(
        "unassign" if remove else "assign",
        actor=actor,
        request=request,
        obj=lab,
        province=lab.province,
        detail={"user": user.username},
    )
    return True


@transaction.atomic
def do_create_session(data: dict[str, Any], *, actor: Any, request: Any = None) -> SamplingSession:
    """Open a sampling session at a site of a ward in the actor's area."""
    clean, errors = validate_session(data, actor)
    if errors:
        raise InputErrors(errors)
    assert clean is not None  # noqa: S101
    session = SamplingSession.objects.create(
        site=clean.site,
        ward=clean.ward,
        date=clean.date,
        test_type=clean.test_type,
        team=clean.team,
        target_kind=clean.target_kind,
        target_case_id=clean.target_case_id,
        rat_device=clean.rat_device,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record("create", actor=actor, request=request, obj=session, ward=clean.ward)
    return session


@transaction.atomic
def do_close_session(session: SamplingSession, *, actor: Any, request: Any = None) -> None:
    """No more registrations; pools, results and releases go on."""
    SamplingSession.objects.filter(pk=session.pk).update(status=SessionStatus.CLOSED)
    session.status = SessionStatus.CLOSED
    audit.record("close", actor=actor, request=request, obj=session, ward=session.ward)


def _person_for(
    session: SamplingSession,
    *,
    actor: Any,
    request: Any,
    person: Person | None,
    qr: str,
    id_number: str,
    person_data: dict[str, Any] | None,
) -> Person:
    """Who is being sampled: from the target list, their personal QR, their CCCD, or typed in
    (matched like a check-in, so the same human keeps one record)."""
    if person is not None:
        if not in_target_list(session, person):
            raise InputErrors.one(
                "person_id",
                "not_in_target",
                "Người này không có trong danh sách cần lấy mẫu.",
                "This person is not on the session's target list.",
            )
        return person
    if qr.strip():
        found = Person.objects.filter(token=parse_person_qr(qr)).first()
        if found is None:
            raise InputErrors.one(
                "qr",
                "unknown_qr",
                "Mã QR cá nhân không đúng hoặc đã cũ.",
                "This personal QR code is not known.",
            )
        return found
    data = dict(person_data or {})
    if id_number.strip() and not str(data.get("full_name") or "").strip():
        found = Person.objects.filter(
            id_number=clean_id_number(id_number), claim_of__isnull=True
        ).first()
        # Outside the caller's reach the answer is the one for no one: nothing is disclosed.
        if found is None or not can_reach(actor, found, session=session):
            raise InputErrors.one(
                "id_number",
                "unknown_id_number",
                "Chưa có ai với số CCCD này: hãy nhập thông tin của người này.",
                "No one has this ID number yet: type in the person's details.",
            )
        return found
    if id_number.strip():
        data["id_number"] = id_number
    clean, errors = validate_person(data, prefix="", require_contact=True)
    if errors:
        raise InputErrors(errors)
    assert clean is not None  # noqa: S101
    return resolve(clean, actor=actor, request=request, session=session).person


def parse_tube_code(raw: str | None) -> str | None:
    if not raw or not raw.strip():
        return None
    code, error = parse_code(raw, "tube_code")
    if error:
        raise InputErrors([error])
    return code


def do_register_sample(
    session: SamplingSession,
    *,
    actor: Any,
    person: Person | None = None,
    qr: str = "",
    id_number: str = "",
    person_data: dict[str, Any] | None = None,
    tube_code: str | None = None,
    collected_at: datetime | None = None,
    request: Any = None,
) -> tuple[Sample, bool]:
    """Register one person at the site and give their sample a tube code; returns (sample,
    created). A pre-printed tube label may be scanned (``tube_code``), else a code is made.
    Registering the same person again in the session returns their first tube (retries are safe)."""
    if session.status != SessionStatus.OPEN:
        raise testing_error("session_closed")
    now = timezone.now()
    if collected_at is not None and (
        timezone.is_naive(collected_at) or collected_at > now + CLOCK_SKEW
    ):
        raise InputErrors.one(
            "collected_at",
            "in_future",
            "Thời điểm lấy mẫu không hợp lệ.",
            "collected_at must be an aware time, not in the future.",
        )
    code, tube_error = (
        parse_code(tube_code, "tube_code") if tube_code and tube_code.strip() else (None, None)
    )
    # Typed details may create a person (or a claim): that and the sample commit together, so
    # a refused registration leaves nobody behind. A QR or a listed person creates nothing.
    typed = person is None and not qr.strip()
    with transaction.atomic() if typed else contextlib.nullcontext():
        return _register(
            session,
            actor,
            request,
            person,
            qr,
            id_number,
            person_data,
            code,
            tube_error,
            collected_at or now,
        )


def _register(
    session: SamplingSession,
    actor: Any,
    request: Any,
    person: Person | None,
    qr: str,
    id_number: str,
    person_data: dict[str, Any] | None,
    code: str | None,
    tube_error: Any,
    collected_at: datetime,
) -> tuple[Sample, bool]:
    try:
        who = _person_for(
            session,
            actor=actor,
            request=request,
            person=person,
            qr=qr,
            id_number=id_number,
            person_data=person_data,
        )
    except InputErrors as error:  # report a mistyped tube code with the person's problems
        raise InputErrors(error.errors + ([tube_error] if tube_error else [])) from None
    if tube_error:
        raise InputErrors([tube_error])
    existing = Sample.objects.filter(session=session, person=who).first()
    if existing is not None:
        if code and code != existing.tube_code:
            raise testing_error("already_registered")
        return existing, False
    if code and (
        Sample.objects.filter(tube_code=code).exists() or Pool.objects.filter(code=code).exists()
    ):
        raise testing_error("tube_in_use")
    try:
        with transaction.atomic():
            sample = Sample.objects.create(
                session=session,
                person=who,
                tube_code=code or new_unique_code(),
                collected_at=collected_at,
                collected_by=user_or_none(actor),
            )
            audit.record(
                "register_sample", actor=actor, request=request, obj=sample, ward=session.ward
            )
    except IntegrityError:
        again = Sample.objects.filter(session=session, person=who).first()
        if again is None:
            raise testing_error("tube_in_use") from None
        return again, False
    return sample, True


def user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def do_release_results(session: SamplingSession, *, actor: Any, request: Any = None) -> int:
    """Show the session's final results on the public lookup page (when not automatic)."""
    ids = list(
        Sample.objects.filter(
            session=session, status=SampleStatus.RESOLVED, released_at__isnull=True
        ).values_list("pk", flat=True)
    )
    count = Sample.objects.filter(pk__in=ids).update(released_at=timezone.now())
    events.emit_many("result.released", "sample_ids", ids, session_id=session.pk)
    audit.record(
        "release_results",
        actor=actor,
        request=request,
        obj=session,
        ward=session.ward,
        detail={"count": count},
    )
    return count
