"""One permission layer for every app: which wards a user may see, and querysets scoped to them.

Rule: an administrator sees everything; a province-level account sees its province; a ward-level
account sees its ward; venue staff see only their venue (apps scope that by venue). An object outside
the caller's area is reported as *not found* (404), so its existence is not disclosed.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from phongdich.accounts.models import Role, User


def sees_everything(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.ADMIN)


def area_q(user: Any, ward_field: str = "ward") -> Q:
    """A filter on ``<ward_field>`` (a FK to Ward) limiting rows to the user's area.

    Returns a Q that matches nothing for anonymous users or accounts without an area.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return Q()
    if user.ward_id:
        return Q(**{f"{ward_field}_id": user.ward_id})
    if user.province_id:
        return Q(**{f"{ward_field}__province_id": user.province_id})
    return Q(pk__in=[])


def scope_by_area(qs: QuerySet, user: Any, ward_field: str = "ward") -> QuerySet:
    return qs.filter(area_q(user, ward_field))


def can_see_ward(user: Any, ward: Any) -> bool:
    """``ward`` is a Ward instance (needs ``code`` and ``province_id``)."""
    if not getattr(user, "is_authenticated", False) or ward is None:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.ward_id:
        return user.ward_id == ward.code
    return bool(user.province_id) and user.province_id == ward.province_id


def require_role(user: Any, *roles: str) -> None:
    """Raise 403 unless the user holds one of ``roles`` (administrators always pass)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    if user.role != Role.ADMIN and user.role not in roles:
        raise PermissionDenied


def access_ward(user: User, ward: Any) -> Any:
    if not can_see_ward(user, ward):
        raise Http404
    return ward
