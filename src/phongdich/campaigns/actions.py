"""Writes of campaigns: create (with the count preview), approve, cancel. Sending is
``campaigns.sending`` (the worker); reports are ``campaigns.reports``."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import Role
from phongdich.campaigns import rules, texts
from phongdich.campaigns.channels import channel, channel_codes
from phongdich.campaigns.models import Campaign, Recipient, RecipientStatus, Status
from phongdich.campaigns.segments import Segment, parse_segment, preview
from phongdich.core.rules import get_rule
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import VN_TZ

AUTHORS = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER)
APPROVERS = (Role.CHAIRPERSON, Role.PROVINCE_OFFICER)
MAX_PARTS = 5  # a longer text belongs on the portal, with a link in the message
PAST_GRACE = timedelta(minutes=5)


def _scheduled(data: dict, errors: list[FieldError], now: datetime) -> datetime | None:
    raw = str(data.get("scheduled_at") or "").strip()
    if not raw:
        return now
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = None
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=VN_TZ)
    if value is None or value < now - PAST_GRACE:
        errors.append(
            FieldError(
                "scheduled_at",
                "invalid_send_time",
                "Thời điểm gửi không hợp lệ hoặc đã qua.",
                "The send time is not valid or has passed.",
            )
        )
        return None
    return value


def validate_text(data: dict, errors: list[FieldError]) -> str:
    text = str(data.get("text") or "").strip()
    if not text:
        errors.append(
            FieldError("text", "required", "Hãy nhập nội dung tin nhắn.", "Enter the message.")
        )
    elif texts.parts(text, bool(data.get("ascii_only"))) > MAX_PARTS:
        errors.append(
            FieldError(
                "text",
                "too_long",
                f"Tin nhắn dài quá {MAX_PARTS} tin SMS; hãy rút gọn hoặc đưa link bài viết.",
                f"The message takes more than {MAX_PARTS} SMS; shorten it or link an article.",
            )
        )
    return text


def do_create_campaign(user: Any, data: dict, *, request=None, now: datetime | None = None):
    """Create a campaign from form fields (``title``, ``text``, ``ascii_only``, ``channel``,
    ``scheduled_at`` and the segment's fields); every error at once, nothing written then.
    A campaign reaching more numbers than ``campaigns.approval_above`` waits for approval.
    With ``draft`` set it is only saved (``do_submit_campaign`` submits it later)."""
    require_role(user, *AUTHORS)
    now = now or timezone.now()
    errors: list[FieldError] = []
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 120:
        errors.append(
            FieldError(
                "title",
                "required",
                "Hãy đặt tên chiến dịch (tối đa 120 ký tự).",
                "Give the campaign a title (at most 120 characters).",
            )
        )
    text = validate_text(data, errors)
    code = str(data.get("channel") or "sms")
    if code not in channel_codes():
        errors.append(
            FieldError("channel", "unknown_channel", "Kênh gửi không hợp lệ.", "Unknown channel.")
        )
    scheduled_at = _scheduled(data, errors, now)
    try:
        segment, ward, province = parse_segment(user, data)
    except InputErrors as exc:
        errors.extend(exc.errors)
    if errors:
        raise InputErrors(errors)
    counts = preview(segment)
    status = _submitted_status(counts.to_send)
    if data.get("draft"):
        status = Status.DRAFT
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title,
            channel=code,
            text=text,
            ascii_only=bool(data.get("ascii_only")),
            segment=segment.as_dict(),
            province=province,
            ward=ward,
            scheduled_at=scheduled_at,
            status=status,
            estimated=counts.to_send,
            source=str(data.get("source") or "")[:40],
            created_by=user,
        )
        audit.record(
            "create",
            actor=user,
            request=request,
            obj=campaign,
            ward=ward,
            province=province,
            detail={"estimated": counts.to_send, "status": campaign.status},
        )
    return campaign


def _not_allowed(vi: str, en: str) -> InputErrors:
    return InputErrors.one("campaign", "not_allowed", vi, en)


def _submitted_status(to_send: int) -> str:
    above = to_send > get_rule(rules.APPROVAL_ABOVE.key)
    return Status.AWAITING_APPROVAL if above else Status.SCHEDULED


def do_submit_campaign(
    user: Any, campaign: Campaign, *, request=None, now: datetime | None = None
) -> Campaign:
    """Submit a draft: counted again now, then scheduled, or awaiting a second person's approval
    when its audience is large. A send time already past sends at once."""
    require_role(user, *AUTHORS)
    now = now or timezone.now()
    counts = preview(Segment.from_dict(campaign.segment))
    status = _submitted_status(counts.to_send)
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Status.DRAFT).update(
            status=status, estimated=counts.to_send, scheduled_at=max(campaign.scheduled_at, now)
        )
        if not updated:
            raise _not_allowed("Chiến dịch đã được gửi duyệt.", "The campaign is not a draft.")
        audit.record(
            "submit",
            actor=user,
            request=request,
            obj=campaign,
            ward=campaign.ward_id,
            province=campaign.province_id,
            detail={"estimated": counts.to_send, "status": status},
        )
    campaign.refresh_from_db()
    return campaign


def do_approve_campaign(user: Any, campaign: Campaign, *, request=None) -> Campaign:
    """A second person (chairperson of the ward, or a province officer) approves; the author
    never approves their own campaign."""
    require_role(user, *APPROVERS)
    if campaign.created_by_id == user.pk:
        raise _not_allowed(
            "Người tạo chiến dịch không tự phê duyệt được.", "The author cannot approve it."
        )
    with transaction.atomic():
        updated = Campaign.objects.filter(pk=campaign.pk, status=Status.AWAITING_APPROVAL).update(
            status=Status.SCHEDULED, approved_by=user, approved_at=timezone.now()
        )
        if not updated:
            raise _not_allowed(
                "Chiến dịch không còn chờ phê duyệt.",
                "The campaign is no longer awaiting approval.",
            )
        audit.record(
            "approve",
            actor=user,
            request=request,
            obj=campaign,
            ward=campaign.ward_id,
            province=campaign.province_id,
        )
    campaign.refresh_from_db()
    return campaign


def do_cancel_campaign(user: Any, campaign: Campaign, *, request=None) -> Campaign:
    """Stop a campaign before or while it sends: messages not yet taken by a worker are
    cancelled; those already handed to the gateway cannot be called back."""
    require_role(user, *AUTHORS, *APPROVERS)
    with transaction.atomic():
        updated = Campaign.objects.filter(
            pk=campaign.pk,
            status__in=[Status.DRAFT, Status.AWAITING_APPROVAL, Status.SCHEDULED, Status.SENDING],
        ).update(status=Status.CANCELLED, cancelled_by=user, cancelled_at=timezone.now())
        if not updated:
            raise _not_allowed(
                "Chiến dịch đã gửi xong hoặc đã huỷ.", "The campaign has finished or was cancelled."
            )
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING).update(
            status=RecipientStatus.CANCELLED
        )
        withdraw = channel(campaign.channel).cancel
        if withdraw is not None:  # calls queued but not yet placed
            withdraw(campaign.pk)
        audit.record(
            "cancel",
            actor=user,
            request=request,
            obj=campaign,
            ward=campaign.ward_id,
            province=campaign.province_id,
        )
    campaign.refresh_from_db()
    return campaign
