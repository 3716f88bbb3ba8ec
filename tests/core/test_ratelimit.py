"""Rate limits counted for the whole deployment (the database, or Redis when configured), keyed
by the real client address behind trusted proxies only."""

from __future__ import annotations

import os
import threading

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from phongdich.core.http import client_ip
from phongdich.core.ratelimit import RateLimited, check_rate, count_hit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("steady_rate_window")]


def _request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    assert client_ip(_request("10.1.2.3", "203.0.113.1")) == "203.0.113.1"
    # The client writes what it likes on the left; the proxy appends the address it saw.
    assert client_ip(_request("10.1.2.3", "1.2.3.4, 203.0.113.1, 10.9.9.9")) == "203.0.113.1"
    assert client_ip(_request("10.1.2.3", "garbage")) == "10.1.2.3"
    assert client_ip(_request("10.1.2.3")) == "10.1.2.3"


def test_limits_key_on_the_client_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for _ in range(2):
        check_rate(_request("127.0.0.1", "203.0.113.1"), "t-proxy", 2)
    with pytest.raises(RateLimited):
        check_rate(_request("127.0.0.1", "203.0.113.1"), "t-proxy", 2)
    check_rate(_request("127.0.0.1", "203.0.113.2"), "t-proxy", 2)  # another client behind it


def test_counts_outlive_the_process_cache():
    """Another server process has its own memory; the counts are in the database."""
    for _ in range(3):
        check_rate(_request("198.51.100.7"), "t-shared", 3)
    cache.clear()
    with pytest.raises(RateLimited) as limited:
        check_rate(_request("198.51.100.7"), "t-shared", 3)
    assert 0 < limited.value.retry_after <= 60


@pytest.mark.django_db(transaction=True)
def test_concurrent_hits_are_all_counted():
    def hit():
        from django.db import connection

        try:
            for _ in range(10):
                count_hit("t-concurrent", 60)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert count_hit("t-concurrent", 60)[0] == 41


def test_redis_counts_when_configured(settings):
    """PHONGDICH_REDIS_URL: the counts go to Redis (a real one on loopback)."""
    import redis

    url = os.environ.get("PHONGDICH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url).ping()
    except redis.ConnectionError:
        if os.environ.get("PHONGDICH_REQUIRE_TOOLS") == "1":
            raise
        pytest.skip("no Redis on loopback")
    settings.REDIS_URL = url
    redis.Redis.from_url(url).flushdb()
    from phongdich.core.models import RateCount

    for _ in range(2):
        check_rate(_request("198.51.100.8"), "t-redis", 2)
    with pytest.raises(RateLimited):
        check_rate(_request("198.51.100.8"), "t-redis", 2)
    assert not RateCount.objects.exists()
    redis.Redis.from_url(url).flushdb()


def test_serve_takes_trusted_proxies(settings):
    from django.core.management.base import CommandError

    from phongdich.core.management.commands.serve import use_trusted_proxies

    use_trusted_proxies(["10.0.0.1", "192.168.0.0/16"])
    assert client_ip(_request("192.168.4.4", "203.0.113.5")) == "203.0.113.5"
    with pytest.raises(CommandError):
        use_trusted_proxies(["not-an-address"])
