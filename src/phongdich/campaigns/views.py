"""Staff pages of campaigns: the list, a new campaign with a live count (htmx), its results,
approval and cancelling, and an export of counts and masked ids (never a phone number)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.campaigns import actions, texts
from phongdich.campaigns.channels import channel_choices
from phongdich.campaigns.models import Recipient, RecipientStatus, Status
from phongdich.campaigns.queries import STAFF, access_campaign, campaigns_for
from phongdich.campaigns.reports import failures_by_code, results
from phongdich.campaigns.segments import Segment, describe, parse_segment, preview
from phongdich.campaigns.sending import quiet_hours
from phongdich.lib.errors import InputErrors
from phongdich.lib.exports import write_csv
from phongdich.lib.sms.policy import is_quiet, next_allowed_time
from phongdich.lib.timeutil import to_local
from phongdich.places.models import Province, Ward

PREFILL = ("title", "text", "source", "area", "venue", "visited_from", "visited_until")


def _areas(user) -> list[tuple[str, str]]:
    """The areas the caller may address: their ward, or their province and its wards."""
    if user.ward_id:
        return [(f"w{user.ward_id}", str(user.ward))]
    if user.role == Role.ADMIN:
        return [(f"p{p.code}", _("All of %(p)s") % {"p": p}) for p in Province.objects.all()]
    province = Province.objects.get(code=user.province_id)
    choices = [(f"p{province.code}", _("All of %(p)s") % {"p": province})]
    wards = Ward.objects.filter(province=province).order_by("name")
    choices.extend((f"w{w.code}", w.name) for w in wards)
    return choices


def _field_errors(exc: InputErrors, request) -> dict[str, list[str]]:
    english = request.LANGUAGE_CODE == "en"
    found: dict[str, list[str]] = {}
    for e in exc.errors:
        found.setdefault(e.field, []).append(e.message_en if english else e.message_vi)
    return found


def _local_input(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%dT%H:%M") if value else ""


@login_required
@require_GET
def campaign_list(request):
    campaigns = campaigns_for(request.user).order_by("-scheduled_at")[:200]
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns,
            "can_create": request.user.role in (*actions.AUTHORS, Role.ADMIN),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request):
    require_role(request.user, *actions.AUTHORS)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            campaign = actions.do_create_campaign(request.user, request.POST, request=request)
        except InputErrors as exc:
            errors = _field_errors(exc, request)
            values = request.POST
        else:
            if campaign.status == Status.AWAITING_APPROVAL:
                messages.success(request, _("Campaign saved; it waits for approval."))
            else:
                messages.success(request, _("Campaign scheduled."))
            return redirect("campaigns:detail", pk=campaign.pk)
    else:
        values = {k: request.GET.get(k, "") for k in PREFILL}
        values["scheduled_at"] = _local_input(timezone.now())
    return render(
        request,
        "campaigns/new.html",
        {
            "values": values,
            "errors": errors,
            "areas": _areas(request.user),
            "channels": channel_choices(),
            "max_parts": actions.MAX_PARTS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_preview(request):
    """The live count and the text as it will arrive (htmx, from the form's fields)."""
    require_role(request.user, *actions.AUTHORS)
    data = request.POST if request.method == "POST" else request.GET
    context: dict = {"ascii_only": bool(data.get("ascii_only"))}
    text = str(data.get("text") or "").strip()
    if text:
        context["final_text"] = texts.final_text(text, context["ascii_only"])
        context["parts"] = texts.parts(text, context["ascii_only"])
    try:
        segment, _ward, _province = parse_segment(request.user, data)
    except InputErrors as exc:
        context["errors"] = [m for msgs in _field_errors(exc, request).values() for m in msgs]
    else:
        context["counts"] = preview(segment)
        context["segment"] = describe(segment)
    raw_when = str(data.get("scheduled_at") or "")
    try:
        when = datetime.fromisoformat(raw_when) if raw_when else timezone.now()
        if when.tzinfo is None:
            when = timezone.make_aware(when)
    except ValueError:
        when = None
    if when is not None and is_quiet(when, quiet_hours()):
        context["starts_at"] = next_allowed_time(when, quiet_hours())
    return render(request, "campaigns/_preview.html", context)


@login_required
@require_GET
def campaign_detail(request, pk: int):
    campaign = access_campaign(request.user, pk)
    user = request.user
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "segment": describe(Segment.from_dict(campaign.segment)),
            "results": results(campaign),
            "failures": failures_by_code(campaign),
            "final_text": texts.final_text(campaign.text, campaign.ascii_only),
            "parts": texts.parts(campaign.text, campaign.ascii_only),
            "can_approve": campaign.status == Status.AWAITING_APPROVAL
            and user.role in (*actions.APPROVERS, Role.ADMIN)
            and campaign.created_by_id != user.pk,
            "can_submit": campaign.status == Status.DRAFT
            and user.role in (*actions.AUTHORS, Role.ADMIN),
            "can_cancel": campaign.status
            in (Status.DRAFT, Status.AWAITING_APPROVAL, Status.SCHEDULED, Status.SENDING)
            and user.role in (*actions.AUTHORS, *actions.APPROVERS, Role.ADMIN),
        },
    )


def _act(request, pk: int, action, done: str) -> HttpResponse:
    campaign = access_campaign(request.user, pk)
    try:
        action(request.user, campaign, request=request)
    except InputErrors as exc:
        for msgs in _field_errors(exc, request).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, done)
    return redirect("campaigns:detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_approve(request, pk: int):
    require_role(request.user, *actions.APPROVERS)
    return _act(request, pk, actions.do_approve_campaign, _("Campaign approved."))


@login_required
@require_POST
def campaign_submit(request, pk: int):
    require_role(request.user, *actions.AUTHORS)
    return _act(request, pk, actions.do_submit_campaign, _("Campaign submitted."))


@login_required
@require_POST
def campaign_cancel(request, pk: int):
    require_role(request.user, *STAFF)
    return _act(request, pk, actions.do_cancel_campaign, _("Campaign cancelled."))


@login_required
@require_GET
def campaign_export(request, pk: int):
    """The result table and one row per recipient with a masked id: no number, no name."""
    campaign = access_campaign(request.user, pk)
    table = results(campaign)
    rows: list[list] = [[_("Result"), key, n, "", ""] for key, n in table.items()]
    for r in (
        Recipient.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("message_id", "status", "error", "submitted_at", "reported_at")
    ):
        label = str(RecipientStatus(r[1]).label)
        rows.append([_("Message"), f"…{r[0][-8:]}", label, r[2], r[4] or r[3]])
    audit.record(
        "export",
        request=request,
        obj=campaign,
        ward=campaign.ward_id,
        province=campaign.province_id,
        detail={"rows": len(rows)},
    )
    headers = [_("Kind"), _("Id or result"), _("Status or count"), _("Error"), _("When")]
    body = write_csv(rows, headers)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}.csv"'
    return response
