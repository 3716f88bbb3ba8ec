"""Poster files for a venue: A4 PDF, PNG and SVG, all encoding ``<site>/c/<code>``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.api_auth import bearer_user
from phongdich.checkpoints.models import Venue, VenueStatus
from phongdich.checkpoints.queries import access_venue
from phongdich.core import site
from phongdich.lib.poster import PosterData, render_poster_pdf, render_poster_png
from phongdich.lib.qr import qr_svg

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}


def checkin_url(venue: Venue) -> str:
    return f"{settings.BASE_URL}/c/{venue.code}"


def render_poster(venue: Venue, fmt: str) -> bytes:
    data = PosterData(
        venue_name=venue.name,
        address=f"{venue.address}, {venue.ward.name}",
        url=checkin_url(venue),
        venue_code=venue.code,
        hotlines=tuple(site.hotlines()),
        printed_at=timezone.now(),
        issuer=venue.ward.name,
    )
    if fmt == "pdf":
        return render_poster_pdf(data)
    if fmt == "png":
        return render_poster_png(data)
    return qr_svg(checkin_url(venue), scale=10, error="q")


def poster_response(venue: Venue, fmt: str, *, request: Any, actor: Any = None) -> HttpResponse:
    if fmt not in CONTENT_TYPES or venue.status != VenueStatus.ACTIVE:
        raise Http404
    response = HttpResponse(render_poster(venue, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'inline; filename="diem-kiem-dich-{venue.code}.{fmt}"'
    audit.record(
        "print_poster",
        actor=actor,
        request=request,
        obj=venue,
        ward=venue.ward,
        detail={"format": fmt},
    )
    return response


def staff_poster(request, code: str, fmt: str):
    """Staff with a session, or an API client with the token it created the venue with."""
    if request.headers.get("Authorization"):
        user = bearer_user(request)
        if user is None:
            raise Http404
        request.user = user
    venue = access_venue(request.user, code)
    response = poster_response(venue, fmt, request=request)
    response["Cache-Control"] = "private, no-store"
    return response


def registrant_poster(request, token: str, fmt: str):
    from phongdich.checkpoints.views import MANAGE_SALT

    try:
        pk = signing.loads(token, salt=MANAGE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    venue = Venue.objects.select_related("ward").filter(pk=pk).first()
    if venue is None:
        raise Http404
    return poster_response(venue, fmt, request=request)
