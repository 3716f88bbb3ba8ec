"""Fixed-window rate limits per client address, in the cache.

With the default in-process cache each server worker counts on its own (the limit is per worker);
set PHONGDICH_REDIS_URL to share counts between workers and machines.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from phongdich.core.http import client_ip


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


def check_rate(request, scope: str, limit: int, window: int = 60) -> None:
    """Count one hit for this client in ``scope``; raise RateLimited past ``limit`` per window."""
    now = int(time.time())
    bucket = now // window
    key = f"rl:{scope}:{client_ip(request) or '-'}:{bucket}"
    if cache.add(key, 1, timeout=window + 1):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window + 1)
        return
    if count > limit:
        raise RateLimited(window - now % window)
