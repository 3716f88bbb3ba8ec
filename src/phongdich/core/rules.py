"""Domain rules with defaults in code and overrides in the database (``Rule``), cached briefly.

Apps declare their rules with ``define``; everything reads them with ``get_rule``. An administrator
changes a value in Django admin; every process sees it within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

CACHE_SECONDS = 30


@dataclass(frozen=True)
class RuleSpec:
    key: str
    default: Any
    description: str
    source: str = ""
    check: Callable[[Any], bool] | None = None


_SPECS: dict[str, RuleSpec] = {}
_cache: dict[str, Any] = {}
_loaded_at = 0.0


def define(
    key: str,
    default: Any,
    description: str,
    source: str = "",
    check: Callable[[Any], bool] | None = None,
) -> RuleSpec:
    spec = RuleSpec(key, default, description, source, check)
    _SPECS[key] = spec
    return spec


def all_specs() -> list[RuleSpec]:
    return sorted(_SPECS.values(), key=lambda s: s.key)


def validate(key: str, value: Any) -> None:
    spec = _SPECS.get(key)
    if spec is None:
        raise ValidationError(f"Unknown rule {key!r}")
    if type(value) is not type(spec.default) and not (
        isinstance(spec.default, float) and isinstance(value, int)
    ):
        raise ValidationError(f"{key} must be of type {type(spec.default).__name__}")
    if spec.check is not None and not spec.check(value):
        raise ValidationError(f"{key}: value {value!r} is out of range")


def _overrides() -> dict[str, Any]:
    global _loaded_at
    now = time.monotonic()
    if now - _loaded_at > CACHE_SECONDS:
        from phongdich.core.models import Rule

        _cache.clear()
        _cache.update(dict(Rule.objects.values_list("key", "value")))
        _loaded_at = now
    return _cache


def get_rule(key: str) -> Any:
    spec = _SPECS[key]
    value = _overrides().get(key, spec.default)
    if isinstance(spec.default, dict) and isinstance(value, dict):
        return {**spec.default, **value}
    return value


def reset_cache() -> None:
    global _loaded_at
    _loaded_at = 0.0
