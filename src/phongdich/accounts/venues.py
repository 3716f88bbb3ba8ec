"""Staff of a checkpoint belong to a venue, which a higher app (checkpoints) owns. It registers
how to find one by code here, so that accounts never imports it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_FINDERS: list[Callable[[str], Any]] = []


def register_venue_finder(func: Callable[[str], Any]) -> Callable[[str], Any]:
    if func not in _FINDERS:
        _FINDERS.append(func)
    return func


def find_venue(code: str) -> Any:
    """The venue with this code, or None (also when no app that owns venues is installed)."""
    for finder in _FINDERS:
        venue = finder(code)
        if venue is not None:
            return venue
    return None


def can_find_venues() -> bool:
    return bool(_FINDERS)
