"""Links that higher apps add to a person wherever a lower app shows one (a contact row of a
case): outreach adds the person's call log. The linked page checks access itself (404 outside
the viewer's area), so a provider only builds a URL and reads nothing."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.functional import Promise

Provider = Callable[[int], tuple[str | Promise, str] | None]
_PROVIDERS: list[Provider] = []


def register_person_link(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def person_links(person_id: int) -> list[tuple[str | Promise, str]]:
    return [link for p in _PROVIDERS if (link := p(person_id)) is not None]
