"""Rule changes made in Django admin go into the audit trail, like every other change that
alters what officers see (quarantine days, overlap minutes, pool sizes)."""

from __future__ import annotations

from typing import Any

from phongdich.accounts import audit


def record_rule_change(sender: Any, *, rule: Any, old: Any, request: Any, deleted: bool, **_: Any):
    audit.record(
        "delete_rule" if deleted else "change_rule",
        request=request,
        object_type="core.rule",
        object_id=rule.key,
        detail={
            "key": rule.key,
            "from": old,
            "to": None if deleted else rule.value,
            "note": rule.note,
        },
    )
