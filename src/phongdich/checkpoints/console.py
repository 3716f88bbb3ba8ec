"""Staff console (/staff/checkpoints/…): venues, who is inside, paper forms, scanner, exports."""

from __future__ import annotations

import time
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.models import Role
from phongdich.checkpoints import actions, venue_actions
from phongdich.checkpoints.declarations import EXPOSURES, SYMPTOMS
from phongdich.checkpoints.forms import declaration_from_post, venue_from_post
from phongdich.checkpoints.models import CheckoutKind, Source, VenueKind, VenueStatus, Visit
from phongdich.checkpoints.queries import (
    access_venue,
    inside_visits,
    list_venues_for,
    open_visit_of,
    today_counts,
    visits_between,
)
from phongdich.checkpoints.views import _form_context
from phongdich.core.collation import vi_order
from phongdich.core.listing import choice_filter, export_response, int_filter, make_listing
from phongdich.lib.errors import InputErrors
from phongdich.lib.phones import InvalidPhone, display_phone, normalise_any_phone
from phongdich.lib.timeutil import format_vn, local_date, local_day_bounds
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.people.identity import can_reach
from phongdich.people.models import Person
from phongdich.places.models import Ward

OFFICERS = {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER}


def _officer(user) -> bool:
    return user.role in OFFICERS


@login_required
def venue_list(request):
    if request.user.role not in OFFICERS | {Role.VENUE_STAFF}:
        raise PermissionDenied
    venues = list_venues_for(request.user).select_related("ward")
    listing = make_listing(
        request,
        venues,
        sorts={
            "status": ("status", vi_order("name"), "pk"),
            "name": (vi_order("name"), "pk"),
            "ward": (vi_order("ward__name"), vi_order("name"), "pk"),
            "newest": ("-created_at", "-pk"),
        },
        filters={
            "status": choice_filter("status", VenueStatus.choices),
            "kind": choice_filter("kind", VenueKind.choices),
            "ward": int_filter("ward_id"),
        },
        search=lambda q: Q(name__icontains=q) | Q(address__icontains=q) | Q(code__iexact=q.strip()),
    )
    ward_ids = venues.order_by().values_list("ward_id", flat=True).distinct()
    return render(
        request,
        "checkpoints/console/venue_list.html",
        {
            "listing": listing,
            "venues": listing.rows,
            "statuses": VenueStatus.choices,
            "choice_filters": [("kind", _("Kind"), VenueKind.choices)],
            "wards": list(
                Ward.objects.filter(pk__in=ward_ids)
                .order_by(vi_order("name"))
                .values_list("code", "name")
            ),
            "sorts": [
                ("status", _("Status")),
                ("name", _("Name")),
                ("ward", _("Ward")),
                ("newest", _("Newest first")),
            ],
            "search_placeholder": _("name or code"),
            "can_create": _officer(request.user),
            "kinds": VenueKind.choices,
        },
    )


@login_required
def venue_create(request):
    if not _officer(request.user):
        raise PermissionDenied
    context = {"kinds": VenueKind.choices, "values": {}, "errors": {}, "staff_form": True}
    if request.user.ward_id:
        context["values"] = {"ward_code": request.user.ward_id}
    if request.method == "POST":
        try:
            venue = venue_actions.do_register_venue(
                venue_from_post(request.POST), actor=request.user, request=request
            )
        except InputErrors as error:
            context.update(values=request.POST, errors=errors_by_field(error.errors))
            return render(request, "checkpoints/register.html", context, status=422)
        return redirect("checkpoints:console", code=venue.code)
    return render(request, "checkpoints/register.html", context)


# The live list refreshes every 5 seconds; auditing each refresh wrote 720 rows an hour per open
# console and buried every other event. Opening the list is audited, and a console left open
# is audited again once an hour.
AUDIT_AGAIN_AFTER = 3600


def _audit_list_opened(request, venue, object_type: str) -> None:
    key = f"audited:inside:{venue.code}"
    now = int(time.time())
    last = request.session.get(key)
    if isinstance(last, int) and 0 <= now - last < AUDIT_AGAIN_AFTER:
        return
    request.session[key] = now
    audit.record(
        "view", request=request, object_type=object_type, object_id=venue.code, ward=venue.ward
    )


@login_required
def console(request, code: str):
    venue = access_venue(request.user, code)
    request.session.pop(f"audited:inside:{venue.code}", None)  # a new opening is always audited
    _audit_list_opened(request, venue, "checkpoints.console")
    return render(
        request,
        "checkpoints/console/console.html",
        {
            "venue": venue,
            "counts": today_counts(venue),
            "visits": inside_visits(venue)[:300],
            "is_officer": _officer(request.user),
            "statuses": VenueStatus.choices,
        },
    )


@login_required
def inside_fragment(request, code: str):
    """The live list (htmx polls it). Reading it is a view of personal data: audited when the
    list is opened (the console page) or fetched on its own, then once an hour."""
    venue = access_venue(request.user, code)
    _audit_list_opened(request, venue, "checkpoints.inside")
    return render(
        request,
        "checkpoints/console/_inside.html",
        {"venue": venue, "counts": today_counts(venue), "visits": inside_visits(venue)[:300]},
    )


@login_required
@require_POST
def set_status(request, code: str):
    venue = access_venue(request.user, code)
    if not _officer(request.user):
        raise PermissionDenied
    try:
        venue = venue_actions.do_set_venue_status(
            venue, request.POST.get("status", ""), actor=request.user, request=request
        )
    except InputErrors as error:
        messages.error(request, error.errors[0].message_vi)
        return redirect("checkpoints:console", code=venue.code)
    # Say what happened: an approval is a decision the registrant is waiting for.
    messages.success(
        request,
        _("%(name)s is now: %(status)s.")
        % {"name": venue.name, "status": venue.get_status_display()},
    )
    return redirect("checkpoints:console", code=venue.code)


@login_required
@require_POST
def rotate(request, code: str):
    venue = access_venue(request.user, code)
    if not _officer(request.user):
        raise PermissionDenied
    venue = venue_actions.do_rotate_venue_code(venue, actor=request.user, request=request)
    messages.success(
        request, _("New code issued. Print the new poster; the old one no longer works.")
    )
    return redirect("checkpoints:console", code=venue.code)


@login_required
@require_POST
def staff_checkout(request, code: str, visit_id: int):
    venue = access_venue(request.user, code)
    visit = get_object_or_404(Visit, pk=visit_id, venue=venue)
    actions.do_checkout(visit, kind=CheckoutKind.STAFF, actor=request.user, request=request)
    if request.headers.get("HX-Request"):
        return inside_fragment(request, venue.code)
    return redirect("checkpoints:console", code=venue.code)


def _lookup(request, venue, query: str) -> Person | None:
    """A person the staff member may reach (people.identity: venue staff, the people seen at
    their venue; officers, their area), by CCCD or phone; anyone else is not found."""
    query = query.strip()
    if not query:
        return None
    people = Person.objects.filter(claim_of__isnull=True).select_related("ward")
    candidates: list[Person] = []
    if query.isdigit() and len(query) in (9, 12):
        candidates = list(people.filter(id_number=query)[:1])
    if not candidates:
        try:
            phone = normalise_any_phone(query)
        except InvalidPhone:
            phone = None
        if phone:
            candidates = list(people.filter(phone=phone).order_by("-updated_at")[:20])
    person = next((p for p in candidates if can_reach(request.user, p, venue=venue)), None)
    if person is not None:
        audit.record("lookup", request=request, obj=person, ward=venue.ward)
    return person


@login_required
def paper_form(request, code: str):
    """Enter a paper declaration on someone's behalf (keyboard first: tab through, Enter saves)."""
    venue = access_venue(request.user, code)
    # The lookup is posted, not a query string: a phone or CCCD never goes into a URL (and so
    # into proxy and server logs).
    lookup = request.POST.get("lookup", "") if request.method == "POST" else ""
    if request.method == "POST" and "lookup" not in request.POST:
        try:
            result = actions.do_checkin(
                venue_code=venue.code,
                client_id=request.POST.get("client_id"),
                person=person_from_post(request.POST),
                declaration=declaration_from_post(request.POST),
                source=Source.PAPER,
                actor=request.user,
                request=request,
            )
        except InputErrors as error:
            context = _form_context(
                venue,
                None,
                errors=errors_by_field(error.errors),
                values=request.POST,
                client_id=request.POST.get("client_id"),
            )
            return render(request, "checkpoints/console/paper.html", context, status=422)
        if result.already_inside:
            # A second paper entry for someone who never left: nothing new is written, and
            # staff are told so rather than seeing a second "checked in".
            messages.warning(
                request,
                _("%(name)s is already inside since %(time)s: this entry was not added again.")
                % {
                    "name": result.person.full_name,
                    "time": format_vn(result.visit.checked_in_at),
                },
            )
        else:
            messages.success(
                request, _("Saved: %(name)s checked in.") % {"name": result.person.full_name}
            )
        if result.visit.flagged:
            messages.warning(
                request,
                _("Risk declared: %(name)s — contact the health station.")
                % {"name": result.person.full_name},
            )
        return redirect("checkpoints:paper", code=venue.code)
    found = _lookup(request, venue, lookup)
    values = {}
    if found is not None:
        values = {
            "full_name": found.full_name,
            "birth_year": found.birth_year,
            "gender": found.gender,
            "phone": found.phone,
            "id_number": found.id_number or "",
            "nationality": found.nationality,
            "ward_code": found.ward_id or "",
            "address": found.address,
        }
    inside = open_visit_of(found.pk, venue) if found is not None else None
    return render(
        request,
        "checkpoints/console/paper.html",
        _form_context(venue, None, values=values, found=found, lookup=lookup, inside_since=inside),
    )


@login_required
def scanner(request, code: str):
    venue = access_venue(request.user, code)
    return render(request, "checkpoints/console/scanner.html", {"venue": venue})


def _export_day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return local_date(timezone.now())


def _declared(table: dict, codes: list[str]) -> str:
    """Declared items by their Vietnamese names, as on the form (codes unknown kept as is)."""
    return ", ".join(table[c][1] if c in table else c for c in codes)


@login_required
def export(request, code: str, fmt: str):
    venue = access_venue(request.user, code)
    day = _export_day(request)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    raw_days = request.GET.get("days", "1")
    days = max(1, min(int(raw_days) if raw_days.isdigit() else 1, 28))
    start = local_day_bounds(day - timedelta(days=days - 1))[0]
    end = local_day_bounds(day)[1]
    headers = [
        _("Check-in"),
        _("Check-out"),
        _("Full name"),
        _("Year of birth"),
        _("Sex"),
        _("Phone"),
        _("ID number"),
        _("Address"),
        _("Source"),
        _("Symptoms"),
        _("Exposures"),
        _("Flagged"),
    ]
    visits = visits_between(venue, start, end)

    def rows():
        for v in visits.iterator(chunk_size=2000):
            yield [
                format_vn(v.checked_in_at),
                format_vn(v.checked_out_at) if v.checked_out_at else "",
                v.person.full_name,
                v.person.birth_year,
                v.person.get_gender_display(),
                display_phone(v.person.phone),
                v.person.id_number or "",
                v.person.address,
                v.get_source_display(),
                _declared(SYMPTOMS, v.symptoms),
                _declared(EXPOSURES, v.exposures),
                _("yes") if v.flagged else "",
            ]

    audit.record(
        "export",
        request=request,
        object_type="checkpoints.visit_list",
        object_id=venue.code,
        ward=venue.ward,
        detail={"format": fmt, "rows": visits.count(), "from": str(start), "to": str(end)},
    )
    return export_response(rows(), headers, f"luot-vao-{venue.code}-{day.isoformat()}", fmt)
