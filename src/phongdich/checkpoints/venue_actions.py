"""Registering checkpoints and changing them: approval, suspension, a new code."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.models import Role
from phongdich.checkpoints.models import RetiredCode, Venue, VenueStatus
from phongdich.checkpoints.validation import validate_venue
from phongdich.core import events
from phongdich.lib.codes import new_code
from phongdich.lib.errors import InputErrors


def _new_venue_code() -> str:
    while True:
        code = new_code()
        if (
            not Venue.objects.filter(code=code).exists()
            and not RetiredCode.objects.filter(code=code).exists()
        ):
            return code


@transaction.atomic
def do_register_venue(data: dict[str, Any], *, actor: Any = None, request: Any = None) -> Venue:
    """Create a checkpoint. Officers' venues are active at once; a public self-registration is
    ``pending`` until the ward officer approves it, unless PHONGDICH_AUTO_APPROVE_VENUES is on."""
    clean, errors = validate_venue(data)
    if errors:
        raise InputErrors(errors)
    assert clean is not None  # noqa: S101
    is_officer = actor is not None and getattr(actor, "role", None) in {
        Role.ADMIN,
        Role.PROVINCE_OFFICER,
        Role.WARD_OFFICER,
    }
    if is_officer:
        from phongdich.accounts.jurisdiction import can_see_ward

        if not can_see_ward(actor, clean.ward):
            raise InputErrors.one(
                "ward_code",
                "outside_area",
                "Phường/xã này không thuộc địa bàn của bạn.",
                "ward_code is outside your area.",
            )
    active = is_officer or settings.AUTO_APPROVE_VENUES
    venue = _create_venue(clean, actor if is_officer else None, active=active)
    audit.record(
        "create",
        actor=actor,
        request=request,
        obj=venue,
        ward=clean.ward,
        detail={"status": venue.status},
    )
    events.emit("venue.registered", venue_id=venue.pk, ward_id=clean.ward.pk, status=venue.status)
    return venue


def _create_venue(clean: Any, officer: Any, *, active: bool) -> Venue:
    return Venue.objects.create(
        code=_new_venue_code(),
        name=clean.name,
        kind=clean.kind,
        address=clean.address,
        ward=clean.ward,
        phone=clean.phone,
        operator=clean.operator,
        lat=clean.lat,
        lon=clean.lon,
        default_stay_minutes=clean.default_stay_minutes,
        status=VenueStatus.ACTIVE if active else VenueStatus.PENDING,
        created_by=officer,
        approved_by=officer,
        approved_at=timezone.now() if active else None,
    )


@transaction.atomic
def do_set_venue_status(venue: Venue, status: str, *, actor: Any, request: Any = None) -> Venue:
    if status not in VenueStatus.values:
        raise InputErrors.one(
            "status",
            "not_allowed",
            "Trạng thái không hợp lệ.",
            f"status must be one of {', '.join(VenueStatus.values)}.",
        )
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    old = venue.status
    venue.status = status
    fields = ["status"]
    if status == VenueStatus.ACTIVE and venue.approved_at is None:
        venue.approved_by, venue.approved_at = actor, timezone.now()
        fields += ["approved_by", "approved_at"]
    venue.save(update_fields=fields)
    audit.record(
        "approve" if old == VenueStatus.PENDING and status == VenueStatus.ACTIVE else "set_status",
        actor=actor,
        request=request,
        obj=venue,
        ward=venue.ward,
        detail={"from": old, "to": status},
    )
    return venue


@transaction.atomic
def do_rotate_venue_code(venue: Venue, *, actor: Any, request: Any = None) -> Venue:
    """Give the venue a new code; posters with the old one get 'code replaced', not check-ins."""
    venue = Venue.objects.select_for_update().get(pk=venue.pk)
    RetiredCode.objects.create(code=venue.code, venue=venue, retired_at=timezone.now())
    old = venue.code
    venue.code = _new_venue_code()
    venue.save(update_fields=["code"])
    audit.record(
        "rotate_code", actor=actor, request=request, obj=venue, ward=venue.ward, detail={"old": old}
    )
    return venue
