"""Writing the audit trail. Every view, export and change of a personal record calls ``record``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from phongdich.accounts.models import AuditEvent
from phongdich.core.http import client_ip

__all__ = ["client_ip", "record"]


def record(
    action: str,
    *,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: Any = None,
    object_type: str = "",
    object_id: Any = "",
    ward: Any = None,
    province: Any = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    ward_id = getattr(ward, "pk", ward)
    province_id = getattr(province, "pk", province)
    if ward is not None and province is None:
        province_id = getattr(ward, "province_id", None)
    return AuditEvent.objects.create(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        ward_id=ward_id,
        province_id=province_id,
        ip=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request else ""),
        path=(request.get_full_path()[:300] if request else ""),
        detail=detail or {},
    )
