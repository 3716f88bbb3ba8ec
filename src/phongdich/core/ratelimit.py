"""Fixed-window rate limits, counted for the whole deployment.

Every server process and machine counts into one place: Redis when PHONGDICH_REDIS_URL is set
(one INCR), else the database (one upsert into ``core.RateCount``). The client is the real
address behind the trusted proxies (core.http.client_ip).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection

from phongdich.core.http import client_ip

_redis_client = None


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__("rate limited")
        self.retry_after = retry_after


def _redis():
    global _redis_client
    if _redis_client is None or _redis_client[0] != settings.REDIS_URL:
        import redis

        _redis_client = (settings.REDIS_URL, redis.Redis.from_url(settings.REDIS_URL))
    return _redis_client[1]


def _redis_hit(key: str, expires: int) -> int:
    pipe = _redis().pipeline()
    pipe.incr(key)
    pipe.expireat(key, expires)
    count, _ = pipe.execute()
    return int(count)


def _db_hit(key: str, expires: int) -> int:
    from phongdich.core.models import RateCount

    q = connection.ops.quote_name
    table, key_col, count_col = q(RateCount._meta.db_table), q("key"), q("count")
    until = connection.ops.adapt_datetimefield_value(datetime.fromtimestamp(expires, UTC))
    with connection.cursor() as cursor:
        # One statement, atomic on both databases: concurrent hits never lose a count. The
        # names are our own table's, quoted; the values are parameters.
        sql = (
            f"INSERT INTO {table} ({key_col}, {count_col}, {q('expires_at')}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({key_col}) DO UPDATE SET {count_col} = {table}.{count_col} + 1 "
            f"RETURNING {count_col}"
        )
        cursor.execute(sql, [key, until])
        count = cursor.fetchone()[0]
    # Now and then, forget windows that are over.
    if count == 1 and random.random() < 0.01:  # noqa: S311 (not a secret)
        RateCount.objects.filter(expires_at__lt=datetime.now(UTC)).delete()
    return count


def _db_peek(key: str) -> int:
    from phongdich.core.models import RateCount

    return RateCount.objects.filter(key=key).values_list("count", flat=True).first() or 0


def count_hit(key: str, window: int) -> tuple[int, int]:
    """Count one hit on ``key`` in the current window of ``window`` seconds; returns the count
    so far in this window and the seconds until it ends."""
    now = int(time.time())
    bucket = now // window
    expires = (bucket + 1) * window + 1
    full = f"rl:{key}:{bucket}"
    count = _redis_hit(full, expires) if settings.REDIS_URL else _db_hit(full, expires)
    return count, window - now % window


def current_count(key: str, window: int) -> tuple[int, int]:
    """The hits on ``key`` so far in this window, without counting one; and the seconds left."""
    now = int(time.time())
    full = f"rl:{key}:{now // window}"
    count = int(_redis().get(full) or 0) if settings.REDIS_URL else _db_peek(full)
    return count, window - now % window


def check_rate(request, scope: str, limit: int, window: int = 60) -> None:
    """Count one hit for this client in ``scope``; raise RateLimited past ``limit`` per window."""
    count, retry_after = count_hit(f"{scope}:{client_ip(request) or '-'}", window)
    if count > limit:
        raise RateLimited(retry_after)
