"""Venues by code, kept in each server process for PHONGDICH_VENUE_CACHE_SECONDS.

Every check-in needs its venue, and venues change rarely: looking one up again for each of
hundreds of check-ins a second costs more than the rest of the check-in. A save or delete of a
venue (status change, code rotation, edit) clears this process's entries at once; other
processes see the change when their entry expires. Only venues that exist are kept, so random
codes cannot fill the memory.
"""

from __future__ import annotations

import threading
from time import monotonic

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from phongdich.checkpoints.models import RetiredCode, Venue

MAX_ENTRIES = 20_000

_entries: dict[str, tuple[float, Venue]] = {}
_lock = threading.Lock()


def venue_by_code(code: str) -> Venue | None:
    """The venue with this (normalised) code, with its ward, from the cache or the database."""
    ttl = settings.VENUE_CACHE_SECONDS
    now = monotonic()
    entry = _entries.get(code)
    if entry is not None and entry[0] > now:
        return entry[1]
    venue = Venue.objects.select_related("ward").filter(code=code).first()
    if venue is not None and ttl > 0:
        with _lock:
            if len(_entries) >= MAX_ENTRIES:
                _entries.clear()
            _entries[code] = (now + ttl, venue)
    return venue


def clear() -> None:
    with _lock:
        _entries.clear()


@receiver(post_save, sender=Venue)
@receiver(post_delete, sender=Venue)
@receiver(post_save, sender=RetiredCode)
def _venue_changed(**kwargs) -> None:
    clear()
