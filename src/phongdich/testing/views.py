"""Sampling pages for staff: sessions, registering people, tubes, pools and their labels."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.core.collation import vi_order
from phongdich.core.listing import choice_filter, int_filter, make_listing
from phongdich.core.rules import get_rule
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import local_date
from phongdich.people.forms import errors_by_field, person_from_post
from phongdich.people.models import Person
from phongdich.places.models import Ward
from phongdich.testing import actions, labels, pooling, queries
from phongdich.testing.models import SessionStatus, TargetKind, TestType
from phongdich.testing.queries import OFFICERS, TESTING_ROLES

SESSION_FIELDS = (
    "site",
    "ward_code",
    "date",
    "test_type",
    "team",
    "target_kind",
    "target_case_id",
    "rat_device",
)


def _list_context(request, values=None, errors=None) -> dict:
    user = request.user
    listing = make_listing(
        request,
        queries.sessions_for(user).select_related("ward").annotate(samples_count=Count("samples")),
        sorts={"newest": ("-date", "-pk"), "oldest": ("date", "pk"), "site": ("site", "pk")},
        filters={
            "status": choice_filter("status", SessionStatus.choices),
            "ward": int_filter("ward_id"),
        },
        search=lambda q: Q(site__icontains=q) | Q(team__icontains=q),
    )
    province = user.ward.province if user.ward_id else user.province
    ward_ids = queries.sessions_for(user).order_by().values_list("ward_id", flat=True).distinct()
    return {
        "listing": listing,
        "sessions": listing.rows,
        "statuses": SessionStatus.choices,
        "filter_wards": list(
            Ward.objects.filter(pk__in=ward_ids)
            .order_by(vi_order("name"))
            .values_list("code", "name")
        ),
        "sorts": [
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("site", _("Sampling site")),
        ],
        "can_create": user.role in {*OFFICERS, Role.ADMIN},
        "wards": province.wards.all() if province else [],
        "test_types": TestType.choices,
        "target_kinds": TargetKind.choices,
        "values": values
        or {"ward_code": user.ward_id or "", "date": local_date(timezone.now()).isoformat()},
        "errors": errors or {},
    }


@login_required
def session_list(request):
    return render(request, "testing/session_list.html", _list_context(request))


@login_required
@require_POST
def session_create(request):
    require_role(request.user, *OFFICERS)
    data = {name: request.POST.get(name, "").strip() for name in SESSION_FIELDS}
    try:
        session = actions.do_create_session(data, actor=request.user, request=request)
    except InputErrors as error:
        return render(
            request,
            "testing/session_list.html",
            _list_context(request, request.POST, errors_by_field(error.errors)),
            status=422,
        )
    return redirect("testing:session", session_id=session.pk)


def _render_session(request, session, *, values=None, errors=None, status=200):
    samples = list(
        session.samples.select_related("person", "pool").order_by("collected_at", "pk")[:2000]
    )
    registered = {s.person_id for s in samples}
    targets = [(p, p.pk in registered) for p in queries.target_list(session)]
    pools = session.pools.annotate(size=Count("samples")).order_by("created_at", "pk")
    advice = queries.pool_advice(session) if session.test_type == TestType.RT_PCR else None
    audit.record(
        "view", request=request, obj=session, ward=session.ward, detail={"samples": len(samples)}
    )
    return render(
        request,
        "testing/session_detail.html",
        {
            "session": session,
            "samples": samples,
            "targets": targets,
            "pools": pools,
            "advice": advice,
            "max_pool_size": get_rule("testing.max_pool_size"),
            "turnaround": queries.turnaround(session.samples.all()),
            "is_open": session.status == SessionStatus.OPEN,
            "can_manage": request.user.role in {*OFFICERS, Role.ADMIN},
            "manual_release": not get_rule("testing.release_automatically"),
            "values": values or {"ward_code": session.ward_id},
            "errors": errors or {},
        },
        status=status,
    )


@login_required
def session_detail(request, session_id: int):
    return _render_session(request, queries.access_session(request.user, session_id))


@login_required
@require_POST
def register(request, session_id: int):
    """Register a person: from the target list, a personal QR, a CCCD, or typed in."""
    require_role(request.user, *TESTING_ROLES)
    session = queries.access_session(request.user, session_id)
    post = request.POST
    person = None
    if post.get("person_id"):
        person = Person.objects.filter(pk=post.get("person_id")).first()
        if person is None:
            raise Http404
    try:
        sample, created = actions.do_register_sample(
            session,
            actor=request.user,
            request=request,
            person=person,
            qr=post.get("qr", ""),
            id_number=post.get("id_number", "") if not post.get("full_name") else "",
            person_data=person_from_post(post) if post.get("full_name") else None,
            tube_code=post.get("tube_code") or None,
        )
    except InputErrors as error:
        return _render_session(
            request, session, values=post, errors=errors_by_field(error.errors), status=422
        )
    except DomainError as error:
        messages.error(request, error.message_vi if _vi(request) else error.message_en)
        return redirect("testing:session", session_id=session.pk)
    text = (
        _("Registered %(name)s: tube %(code)s.")
        if created
        else _("Already registered: %(name)s has tube %(code)s.")
    )
    messages.success(request, text % {"name": sample.person.full_name, "code": sample.tube_code})
    return redirect("testing:session", session_id=session.pk)


def _vi(request) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("vi")


def _run(request, session, action, success: str):
    """Run a pool/session action from a form post; errors become messages on the session page."""
    require_role(request.user, *TESTING_ROLES)
    try:
        result = action()
    except InputErrors as error:
        for e in error.errors:
            messages.error(request, e.message_vi if _vi(request) else e.message_en)
    except DomainError as error:
        messages.error(request, error.message_vi if _vi(request) else error.message_en)
    else:
        value = len(result) if isinstance(result, list) else result
        messages.success(request, success % {"count": value, "code": value})
    return redirect("testing:session", session_id=session.pk)


def _size(request) -> int | None:
    try:
        return int(request.POST.get("size", ""))
    except ValueError:
        return None


@login_required
@require_POST
def pool_samples(request, session_id: int):
    session = queries.access_session(request.user, session_id)
    return _run(
        request,
        session,
        lambda: pooling.do_pool_samples(
            session, size=_size(request), actor=request.user, request=request
        ),
        _("%(count)s pools made."),
    )


@login_required
@require_POST
def pool_create(request, session_id: int):
    session = queries.access_session(request.user, session_id)
    return _run(
        request,
        session,
        lambda: (
            pooling.do_create_pool(
                session, size=_size(request), actor=request.user, request=request
            ).code
        ),
        _("New pool %(code)s: scan its tubes."),
    )


@login_required
@require_POST
def pool_add(request, code: str):
    pool = queries.access_pool(request.user, code)
    return _run(
        request,
        pool.session,
        lambda: (
            pooling.do_add_to_pool(
                pool, request.POST.get("tube_code", ""), actor=request.user, request=request
            ).tube_code
        ),
        _("Tube %(code)s added to the pool."),
    )


@login_required
@require_POST
def pool_close(request, code: str):
    pool = queries.access_pool(request.user, code)
    return _run(
        request,
        pool.session,
        lambda: pooling.do_close_pool(pool, actor=request.user, request=request).code,
        _("Pool %(code)s closed."),
    )


@login_required
@require_POST
def session_close(request, session_id: int):
    require_role(request.user, *OFFICERS)
    session = queries.access_session(request.user, session_id)
    return _run(
        request,
        session,
        lambda: actions.do_close_session(session, actor=request.user, request=request) or 0,
        _("Session closed."),
    )


@login_required
@require_POST
def release(request, session_id: int):
    session = queries.access_session(request.user, session_id)
    return _run(
        request,
        session,
        lambda: actions.do_release_results(session, actor=request.user, request=request),
        _("%(count)s results released."),
    )


@login_required
def label_sheet(request, session_id: int, kind: str):
    """Printable labels (A4 sheets, or one per page for a thermal printer with
    ``?layout=thermal``): the session's tubes, its pools, or fresh tube codes."""
    require_role(request.user, *TESTING_ROLES)
    session = queries.access_session(request.user, session_id)
    layout = request.GET.get("layout", "a4")
    if layout not in labels.LAYOUTS:
        layout = "a4"
    try:
        if kind == "tubes":
            pdf = labels.tube_labels_pdf(session, layout)
        elif kind == "pools":
            pdf = labels.pool_labels_pdf(session, layout)
        elif kind == "blank":
            count = int(request.GET.get("count", "24") or 24)
            pdf = labels.blank_tube_labels_pdf(session, count, layout)[0]
        else:
            raise Http404
    except ValueError:  # nothing to print, or a count that is not a number
        raise Http404 from None
    audit.record(
        "print_labels",
        request=request,
        obj=session,
        ward=session.ward,
        detail={"kind": kind, "layout": layout},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="nhan-{kind}-{layout}-{session.pk}.pdf"'
    return response
