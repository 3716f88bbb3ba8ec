"""What a staff member sees first after login; each app adds its own cards as it lands."""

from __future__ import annotations

from typing import Any


def dashboard_context(user: Any) -> dict[str, Any]:
    area = user.ward or user.province
    cards: list[dict[str, Any]] = []
    for provider in _CARD_PROVIDERS:
        cards.extend(provider(user))
    return {
        "area": area,
        "cards": cards,
        "can_audit": user.role in {"admin", "province_officer"},  # accounts.Role values
        "is_admin": user.role == "admin",
        "setup": missing_setup() if user.role == "admin" else [],
    }


_CARD_PROVIDERS: list[Any] = []


def register_cards(provider: Any) -> Any:
    """Apps call this at import time (in their AppConfig.ready) to add dashboard cards."""
    _CARD_PROVIDERS.append(provider)
    return provider


# What a fresh install still lacks (no laboratory, no signing keys…). Each check returns a list
# of (message, what to do) pairs; administrators see them on their dashboard and ``serve``
# prints them at start-up, so the citizen never is the first to find out.
_SETUP_CHECKS: list[Any] = []


def register_setup_check(check: Any) -> Any:
    """Apps call this in their AppConfig.ready with a function returning ``[(text, action)]``."""
    _SETUP_CHECKS.append(check)
    return check


def missing_setup() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for check in _SETUP_CHECKS:
        out.extend(check())
    return out
