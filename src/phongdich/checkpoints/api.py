from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from ninja import Router, Status

from phongdich.accounts import audit
from phongdich.accounts.api_auth import STAFF_OR_CITIZEN
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.checkpoints import actions, venue_actions
from phongdich.checkpoints.errors import CheckpointError
from phongdich.checkpoints.family import do_family_checkin
from phongdich.checkpoints.models import CheckoutKind, Venue, Visit
from phongdich.checkpoints.queries import (
    access_venue,
    can_staff_venue,
    inside_visits,
    open_visit_of,
)
from phongdich.checkpoints.schemas import (
    CheckinIn,
    CheckinOut,
    CheckoutIn,
    CheckoutOut,
    ScanPreviewIn,
    ScanPreviewOut,
    VenueIn,
    VenueOut,
    VisitOut,
)
from phongdich.core.openapi import answers
from phongdich.core.ratelimit import check_rate
from phongdich.lib.errors import InputErrors
from phongdich.people.actions import person_by_token

router = Router(tags=["checkpoints"])


def venue_out(venue: Venue) -> dict:
    base = settings.BASE_URL
    return {
        "code": venue.code,
        "name": venue.name,
        "kind": venue.kind,
        "status": venue.status,
        "ward_code": venue.ward_id,
        "checkin_url": f"{base}/c/{venue.code}",
        "poster_pdf_url": base + reverse("checkpoints:poster", args=[venue.code, "pdf"]),
        "poster_png_url": base + reverse("checkpoints:poster", args=[venue.code, "png"]),
        "poster_svg_url": base + reverse("checkpoints:poster", args=[venue.code, "svg"]),
    }


@router.post("/venues", response={201: VenueOut})
def create_venue(request, payload: VenueIn):
    """Officers create an active checkpoint in their area."""
    require_role(request.user, Role.PROVINCE_OFFICER, Role.WARD_OFFICER)
    venue = venue_actions.do_register_venue(
        payload.model_dump(), actor=request.user, request=request
    )
    return Status(201, venue_out(venue))


def _checkin_out(result: actions.CheckinResult) -> dict:
    visit = result.visit
    return {
        "visit_id": visit.pk,
        "client_id": visit.client_id,
        "person_id": visit.person_id,
        "person_token": visit.person.token,
        "flagged": visit.flagged,
        "checked_in_at": visit.checked_in_at,
        "already_inside": result.already_inside,
    }


@router.post("/checkins", response={200: CheckinOut, 201: CheckinOut}, auth=STAFF_OR_CITIZEN)
@answers(404, 409, 410, 429)
def checkin(request, payload: CheckinIn):
    """Check a person in with their declaration. Repeating a ``client_id`` returns the same visit
    (200) and creates nothing."""
    return Status(*checkin_answer(request, payload))


def checkin_answer(request, payload: CheckinIn) -> tuple[int, dict]:
    """The status and body of a check-in: for this view and for the anonymous fast path
    (``checkpoints.fast_api``), which serves citizens' check-ins without the middleware stack."""
    if not request.user.is_authenticated:
        check_rate(request, "checkin", settings.CHECKIN_RATE_PER_MINUTE)
    result, family = do_family_checkin(
        venue_code=payload.venue,
        client_id=payload.client_id,
        person=payload.person.model_dump() if payload.person else None,
        person_token=payload.person_token,
        declaration=payload.declaration.model_dump(),
        members=[member.model_dump() for member in payload.members],
        scanned_at=payload.scanned_at,
        source=payload.source,
        actor=request.user if request.user.is_authenticated else None,
        request=request,
        prefix=lambda n: f"members.{n - 1}.",
    )
    body = _checkin_out(result)
    body["members"] = [_checkin_out(member) for member in family]
    return (201 if result.created else 200), body


@router.post("/checkouts", response=CheckoutOut, auth=STAFF_OR_CITIZEN)
@answers(404, 429)
def checkout(request, payload: CheckoutIn):
    """Close a visit by ``visit_id`` (staff) or by the device's ``client_id``."""
    return checkout_answer(request, payload)[1]


def checkout_answer(request, payload: CheckoutIn) -> tuple[int, dict]:
    """The status and body of a check-out (this view and ``checkpoints.fast_api``)."""
    user = request.user
    if not user.is_authenticated:
        check_rate(request, "checkin", settings.CHECKIN_RATE_PER_MINUTE)
    if payload.client_id is not None:
        visit = actions.do_self_checkout(payload.client_id, at=payload.scanned_at)
    elif payload.visit_id is not None:
        visit = Visit.objects.select_related("venue__ward").filter(pk=payload.visit_id).first()
        # A bare visit id is guessable: only staff of that venue may close by id.
        if visit is not None and not can_staff_venue(user, visit.venue):
            visit = None
        if visit is not None:
            visit = actions.do_checkout(
                visit, at=payload.scanned_at, kind=CheckoutKind.STAFF, actor=user, request=request
            )
    else:
        raise InputErrors.one(
            "visit_id",
            "required",
            "Cần visit_id hoặc client_id.",
            "visit_id or client_id is required.",
        )
    if visit is None:
        raise CheckpointError("unknown_visit", "Không tìm thấy lượt vào.", "No such visit.", 404)
    return 200, {
        "visit_id": visit.pk,
        "checked_in_at": visit.checked_in_at,
        "checked_out_at": visit.checked_out_at,
        "checkout_kind": visit.checkout_kind,
    }


@router.get("/venues/{code}/visits", response=list[VisitOut])
def venue_visits(request, code: str, inside: bool = False, limit: int = 500):
    """Visits at a venue (newest first); ``inside=true`` for the people inside now."""
    try:
        venue = access_venue(request.user, code)
    except Http404:
        raise CheckpointError(
            "unknown_venue",
            "Không tìm thấy điểm kiểm dịch.",
            "No such checkpoint (or not yours).",
            404,
        ) from None
    qs = (
        inside_visits(venue)
        if inside
        else (Visit.objects.filter(venue=venue).select_related("person").order_by("-checked_in_at"))
    )
    visits = list(qs[: max(1, min(limit, 5000))])
    audit.record(
        "view",
        request=request,
        object_type="checkpoints.visit_list",
        object_id=venue.code,
        ward=venue.ward,
        detail={"count": len(visits), "inside": inside},
    )
    return [
        {
            "visit_id": v.pk,
            "person": {
                "id": v.person.pk,
                "full_name": v.person.full_name,
                "birth_year": v.person.birth_year,
                "phone": v.person.phone,
            },
            "source": v.source,
            "checked_in_at": v.checked_in_at,
            "checked_out_at": v.checked_out_at,
            "flagged": v.flagged,
            "symptoms": v.symptoms,
            "exposures": v.exposures,
        }
        for v in visits
    ]


@router.post("/venues/{code}/scan-preview", response=ScanPreviewOut)
def scan_preview(request, code: str, payload: ScanPreviewIn):
    """The name and year of birth behind a scanned personal QR, for the venue's staff to
    compare with the person before they confirm (posted: a token never goes into a URL)."""
    try:
        venue = access_venue(request.user, code)
    except Http404:
        raise CheckpointError(
            "unknown_venue",
            "Không tìm thấy điểm kiểm dịch.",
            "No such checkpoint (or not yours).",
            404,
        ) from None
    person = person_by_token(payload.token.strip().removeprefix("PD1:"))
    if person is None or person.claim_of_id is not None:
        raise CheckpointError(
            "unknown_token",
            "Mã cá nhân không đúng hoặc đã được đổi.",
            "This personal code is not known (or was replaced).",
            404,
        )
    audit.record("lookup", request=request, obj=person, ward=venue.ward)
    inside = open_visit_of(person.pk, venue)
    return {
        "full_name": person.full_name,
        "birth_year": person.birth_year,
        "inside_since": inside.checked_in_at if inside else None,
    }
