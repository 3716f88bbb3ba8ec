"""Reads of campaigns, scoped to the caller's area (a campaign elsewhere is not found)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from phongdich.accounts.jurisdiction import area_q, require_role, sees_everything
from phongdich.accounts.models import Role
from phongdich.campaigns.models import Campaign

STAFF = (Role.WARD_OFFICER, Role.PROVINCE_OFFICER, Role.CHAIRPERSON)


def campaigns_for(user: Any) -> QuerySet[Campaign]:
    require_role(user, *STAFF)
    qs = Campaign.objects.select_related("ward", "province", "created_by", "approved_by")
    if sees_everything(user):
        return qs
    if user.ward_id:
        return qs.filter(ward_id=user.ward_id)
    return qs.filter(province_id=user.province_id) if user.province_id else qs.none()


def access_campaign(user: Any, pk: int) -> Campaign:
    campaign = campaigns_for(user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


__all__ = ["STAFF", "access_campaign", "area_q", "campaigns_for"]
