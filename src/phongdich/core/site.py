"""Facts about the site that every page and poster shows, with one provider registered by the app
that keeps them (the portal's hotline list, edited in its admin). Until one is registered, or when
it has nothing, the numbers come from ``PHONGDICH_HOTLINES``."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings

_hotlines_provider: Callable[[], Sequence[str]] | None = None


def register_hotlines(provider: Callable[[], Sequence[str]]) -> None:
    global _hotlines_provider
    _hotlines_provider = provider


def hotlines() -> list[str]:
    """The hotline numbers printed on every page and poster."""
    numbers = list(_hotlines_provider()) if _hotlines_provider is not None else []
    return numbers or list(settings.HOTLINES)
