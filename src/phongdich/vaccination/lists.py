"""The vaccination lists for staff: sessions, registrations and adverse events, each paged,
searched, filtered and sorted (``core.listing``), with the total, and exported whole (streamed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.accounts import audit
from phongdich.core.collation import vi_order
from phongdich.core.listing import (
    choice_filter,
    date_filter,
    day_filter,
    export_response,
    int_filter,
    make_listing,
    person_search,
)
from phongdich.lib.phones import display_phone
from phongdich.lib.timeutil import format_vn, local_date
from phongdich.places.models import Ward
from phongdich.vaccination import queries
from phongdich.vaccination.adverse import SYMPTOMS
from phongdich.vaccination.models import (
    Outcome,
    PriorityGroup,
    RegistrationStatus,
    SessionStatus,
    Severity,
)
from phongdich.vaccination.names import vaccine_name


def filters_of(listing) -> dict[str, str]:
    """The filters of a list for its audit record: never the search text (a name, a phone)."""
    return {k: v for k, v in listing.values.items() if k != "q"} | {"page": listing.page.number}


def wards_of(queryset) -> list[tuple[int, str]]:
    """The wards a list's rows are in, by name in Vietnamese order, for its ward filter."""
    ids = queryset.order_by().values_list("ward_id", flat=True).distinct()
    return list(
        Ward.objects.filter(pk__in=ids).order_by(vi_order("name")).values_list("code", "name")
    )


# ---------------------------------------------------------------- sessions

SHOWS = ("upcoming", "past", "all")


def _show(request) -> str:
    show = request.GET.get("show", "")
    return show if show in SHOWS else "upcoming"


def session_listing(request):
    """Upcoming sessions first (soonest first) unless ``?show=past`` (latest first) or ``all``."""
    show = _show(request)
    today = local_date(timezone.now())
    sessions = queries.sessions_for(request.user)
    if show == "upcoming":
        sessions = sessions.filter(date__gte=today)
    elif show == "past":
        sessions = sessions.filter(date__lt=today)
    by_date = ("-date", "-pk") if show == "past" else ("date", "pk")
    listing = make_listing(
        request,
        sessions,
        sorts={
            "date": by_date,
            "site": (vi_order("site_name"), "date", "pk"),
            "ward": (vi_order("ward__name"), "date", "pk"),
        },
        filters={
            "status": choice_filter("status", SessionStatus.choices),
            "ward": int_filter("ward_id"),
            "since": date_filter("date__gte"),
            "until": date_filter("date__lte"),
        },
        search=lambda q: Q(site_name__icontains=q) | Q(address__icontains=q),
    )
    listing.values["show"] = show
    return listing


def session_list_context(request) -> dict:
    return {
        "listing": session_listing(request),
        "show": _show(request),
        "statuses": SessionStatus.choices,
        "wards": wards_of(queries.sessions_for(request.user)),
        "dates": True,
        "sorts": [("date", _("Date")), ("site", _("Site")), ("ward", _("Ward"))],
        "keep": [("show", _show(request))],
        "search_placeholder": _("site or address"),
    }


SESSION_HEADERS = [
    "Ngày",
    "Điểm tiêm",
    "Địa chỉ",
    "Phường/xã",
    "Vắc xin",
    "Số lô",
    "Số chỗ",
    "Trạng thái",
]


@login_required
def session_export(request, fmt: str):
    listing_qs = session_listing(request).page.paginator.object_list

    def rows():
        for s in listing_qs.iterator(chunk_size=1000):
            yield [
                s.date,
                s.site_name,
                s.address,
                s.ward.name,
                vaccine_name(s.product),
                ", ".join(s.lot_numbers or []),
                s.slots,
                s.get_status_display(),
            ]

    audit.record(
        "export",
        request=request,
        object_type="vaccination.session_list",
        detail={"format": fmt, "rows": listing_qs.count()},
    )
    return export_response(rows(), SESSION_HEADERS, "buoi-tiem", fmt)


# ---------------------------------------------------------------- registrations


def registration_listing(request):
    registrations = (
        queries.registrations_for(request.user)
        .filter(status=RegistrationStatus.ACTIVE)
        .select_related("person__vaccination_status")
    )
    return make_listing(
        request,
        registrations,
        sorts={
            "newest": ("-created_at", "-pk"),
            "name": (vi_order("person__full_name"), "pk"),
            "ward": (vi_order("ward__name"), vi_order("person__full_name"), "pk"),
            "due": ("person__vaccination_status__next_due_on", "pk"),
        },
        filters={
            "group": choice_filter("priority_group", PriorityGroup.choices),
            "ward": int_filter("ward_id"),
            "since": day_filter("created_at__gte"),
            "until": day_filter("created_at__lt", end=True),
        },
        search=lambda q: person_search("person__", q),
    )


def registration_list_context(request) -> dict:
    return {
        "listing": registration_listing(request),
        "groups": PriorityGroup.choices,
        "choice_filters": [("group", _("Priority group"), PriorityGroup.choices)],
        "wards": wards_of(queries.registrations_for(request.user)),
        "dates": True,
        "sorts": [
            ("newest", _("Newest first")),
            ("name", _("Name")),
            ("ward", _("Ward")),
            ("due", _("Next dose from")),
        ],
    }


REGISTRATION_HEADERS = [
    "Họ và tên",
    "Năm sinh",
    "Ngày sinh",
    "Số điện thoại",
    "Phường/xã",
    "Nhóm ưu tiên",
    "Số mũi",
    "Mũi tiếp theo từ",
    "Ngày đăng ký",
]


@login_required
def registration_export(request, fmt: str):
    listing_qs = registration_listing(request).page.paginator.object_list

    def rows():
        for r in listing_qs.iterator(chunk_size=1000):
            status = getattr(r.person, "vaccination_status", None)
            yield [
                r.person.full_name,
                r.person.birth_year,
                r.date_of_birth or "",
                display_phone(r.person.phone),
                r.ward.name,
                r.get_priority_group_display(),
                status.doses if status else 0,
                (status.next_due_on if status else None) or "",
                local_date(r.created_at),
            ]

    audit.record(
        "export",
        request=request,
        object_type="vaccination.registration_list",
        detail={"format": fmt, "rows": listing_qs.count()},
    )
    return export_response(rows(), REGISTRATION_HEADERS, "dang-ky-tiem", fmt)


# ---------------------------------------------------------------- adverse events


def event_listing(request):
    return make_listing(
        request,
        queries.adverse_events_for(request.user),
        sorts={
            "newest": ("-onset_at", "-pk"),
            "oldest": ("onset_at", "pk"),
            "name": (vi_order("person__full_name"), "pk"),
            "severity": ("severity", "-onset_at"),
        },
        filters={
            "severity": choice_filter("severity", Severity.choices),
            "outcome": choice_filter("outcome", Outcome.choices),
            "ward": int_filter("ward_id"),
            "since": day_filter("onset_at__gte"),
            "until": day_filter("onset_at__lt", end=True),
        },
        search=lambda q: person_search("person__", q) | Q(dose__lot__icontains=q),
    )


def symptom_names(codes: list[str]) -> str:
    """Symptoms by their names, as on the form (a code no longer listed is kept as is)."""
    return ", ".join(str(SYMPTOMS.get(code, code)) for code in codes)


EVENT_HEADERS = [
    "Khởi phát",
    "Họ và tên",
    "Năm sinh",
    "Phường/xã",
    "Mũi",
    "Vắc xin",
    "Lô",
    "Mức độ",
    "Triệu chứng",
    "Mô tả",
    "Diễn biến",
    "Nhập viện",
    "Trong thời gian theo dõi",
]


def event_export(request, fmt: str):
    listing_qs = event_listing(request).page.paginator.object_list

    def rows():
        for e in listing_qs.iterator(chunk_size=1000):
            yield [
                format_vn(e.onset_at),
                e.person.full_name,
                e.person.birth_year,
                e.ward.name,
                e.dose.dose_number,
                vaccine_name(e.dose.product),
                e.dose.lot,
                e.get_severity_display(),
                symptom_names(e.symptoms),
                e.description,
                e.get_outcome_display(),
                "x" if e.hospitalised else "",
                "x" if e.during_observation else "",
            ]

    audit.record(
        "export",
        request=request,
        object_type="vaccination.adverseevent_list",
        detail={"format": fmt, "rows": listing_qs.count()},
    )
    return export_response(rows(), EVENT_HEADERS, "phan-ung-sau-tiem", fmt)
