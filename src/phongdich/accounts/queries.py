from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.db.models import Q, QuerySet

from phongdich.accounts.jurisdiction import require_role
from phongdich.accounts.models import AuditEvent, Role
from phongdich.lib.timeutil import VN_TZ


def access_audit_events(user: Any) -> QuerySet[AuditEvent]:
    """Administrators see the whole trail; province officers see events in their province
    (by the record's area or by an actor of their province)."""
    require_role(user, Role.PROVINCE_OFFICER)
    qs = AuditEvent.objects.all()
    if user.role == Role.PROVINCE_OFFICER:
        qs = qs.filter(Q(province_id=user.province_id) | Q(actor__province_id=user.province_id))
    return qs


def filter_audit_events(qs: QuerySet[AuditEvent], data: dict[str, Any]) -> QuerySet[AuditEvent]:
    if data.get("user"):
        qs = qs.filter(actor_username__icontains=data["user"])
    if data.get("action"):
        qs = qs.filter(action=data["action"])
    if data.get("object_type"):
        qs = qs.filter(object_type=data["object_type"])
    if data.get("role"):
        qs = qs.filter(actor_role=data["role"])
    if data.get("date_from"):
        qs = qs.filter(at__gte=datetime.combine(data["date_from"], time.min, tzinfo=VN_TZ))
    if data.get("date_to"):
        qs = qs.filter(at__lte=datetime.combine(data["date_to"], time.max, tzinfo=VN_TZ))
    return qs
