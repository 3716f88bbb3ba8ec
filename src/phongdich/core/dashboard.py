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
    }


_CARD_PROVIDERS: list[Any] = []


def register_cards(provider: Any) -> Any:
    """Apps call this at import time (in their AppConfig.ready) to add dashboard cards."""
    _CARD_PROVIDERS.append(provider)
    return provider
