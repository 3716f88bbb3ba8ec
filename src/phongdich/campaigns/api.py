"""JSON API of information campaigns: list and read the campaigns of the caller's area, the
preview count, create one (it waits for approval when its audience is large, as on the page),
approve (a chairperson or a province officer, never the author), cancel, and the result table
(counts only: no phone number, no name). The same queries and ``do_*`` actions as the pages."""

from __future__ import annotations

from ninja import Field, Router, Schema, Status

from phongdich.accounts.jurisdiction import require_role
from phongdich.campaigns import actions
from phongdich.campaigns.models import Campaign
from phongdich.campaigns.queries import access_campaign, campaigns_for
from phongdich.campaigns.reports import failures_by_code, results
from phongdich.campaigns.segments import Segment, describe, parse_segment, preview

router = Router(tags=["campaigns"])
PAGE = 50


class SegmentIn(Schema):
    """Who receives it: ``area`` is ``w<ward code>`` or ``p<province code>``."""

    area: str = Field(max_length=12)
    age_min: int | None = Field(None, ge=0, le=120)
    age_max: int | None = Field(None, ge=0, le=120)
    not_vaccinated: bool = False
    f1_quarantine: bool = False
    venue: str = Field("", max_length=20)
    visited_from: str = Field("", max_length=40)
    visited_until: str = Field("", max_length=40)


class CampaignIn(SegmentIn):
    title: str = Field(max_length=120)
    text: str = Field(max_length=2000)
    channel: str = Field("sms", max_length=8)
    ascii_only: bool = False
    scheduled_at: str = Field("", max_length=40)  # ISO 8601; empty: now
    draft: bool = False  # only save it; POST …/submit submits it


def _form(payload: Schema) -> dict:
    """The fields as the page's form sends them (the actions read form fields)."""
    data = payload.model_dump()
    return {k: ("" if v is None else v) for k, v in data.items() if v is not False}


def campaign_out(c: Campaign, table: bool = False) -> dict:
    out = {
        "id": c.pk,
        "title": c.title,
        "channel": c.channel,
        "text": c.text,
        "ascii_only": c.ascii_only,
        "status": c.status,
        "ward_code": c.ward_id,
        "province_code": c.province_id,
        "segment": describe(Segment.from_dict(c.segment)),
        "scheduled_at": c.scheduled_at,
        "estimated": c.estimated,
        "created_by": c.created_by_id,
        "approved_by": c.approved_by_id,
        "approved_at": c.approved_at,
        "cancelled_at": c.cancelled_at,
        "finished_at": c.finished_at,
    }
    if table:
        out["results"] = results(c)
    return out


@router.get("/campaigns", response=list[dict])
def list_campaigns(request, page: int = 1):
    """Campaigns of the caller's area, latest send time first, 50 a page."""
    start = (min(max(page, 1), 100_000) - 1) * PAGE
    rows = campaigns_for(request.user).order_by("-scheduled_at", "-pk")[start : start + PAGE]
    return [campaign_out(c) for c in rows]


@router.post("/campaigns/preview", response=dict)
def preview_count(request, payload: SegmentIn):
    """How many numbers the segment reaches (distinct numbers, opted-out ones apart)."""
    require_role(request.user, *actions.AUTHORS)
    segment, _ward, _province = parse_segment(request.user, _form(payload))
    counts = preview(segment)
    return {
        "numbers": counts.numbers,
        "opted_out": counts.opted_out,
        "people": counts.people,
        "to_send": counts.to_send,
        "segment": describe(segment),
    }


@router.get("/campaigns/{campaign_id}", response=dict)
def get_campaign(request, campaign_id: int):
    return campaign_out(access_campaign(request.user, campaign_id), table=True)


@router.post("/campaigns", response={201: dict})
def create_campaign(request, payload: CampaignIn):
    """Create a campaign: with ``draft`` only saved (status ``draft``); otherwise submitted at
    once, ``scheduled`` when its audience is small, else ``awaiting`` a second person's
    approval (``campaigns.approval_above``)."""
    campaign = actions.do_create_campaign(request.user, _form(payload), request=request)
    return Status(201, campaign_out(campaign))


@router.post("/campaigns/{campaign_id}/submit", response=dict)
def submit(request, campaign_id: int):
    """Submit a draft for sending (counted again; awaiting approval when large)."""
    require_role(request.user, *actions.AUTHORS)
    campaign = access_campaign(request.user, campaign_id)
    return campaign_out(actions.do_submit_campaign(request.user, campaign, request=request))


@router.post("/campaigns/{campaign_id}/approve", response=dict)
def approve(request, campaign_id: int):
    require_role(request.user, *actions.APPROVERS)
    campaign = access_campaign(request.user, campaign_id)
    return campaign_out(actions.do_approve_campaign(request.user, campaign, request=request))


@router.post("/campaigns/{campaign_id}/cancel", response=dict)
def cancel(request, campaign_id: int):
    campaign = access_campaign(request.user, campaign_id)
    return campaign_out(actions.do_cancel_campaign(request.user, campaign, request=request))


@router.get("/campaigns/{campaign_id}/results", response=dict)
def result_table(request, campaign_id: int):
    """Counts by outcome (for a call campaign: listened, answered, busy, no answer, failed,
    opted out) and failures by reason."""
    campaign = access_campaign(request.user, campaign_id)
    return {
        "id": campaign.pk,
        "status": campaign.status,
        "results": results(campaign),
        "failures": dict(failures_by_code(campaign)),
    }
