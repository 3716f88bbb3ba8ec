"""Small request helpers every app uses."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. ``X-Forwarded-For`` counts only when the peer is one of the trusted
    proxies (PHONGDICH_TRUSTED_PROXIES): then the client is the nearest address in it that is not
    itself a trusted proxy. From anyone else, the header is ignored (a client can write anything
    there)."""
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ())
    if not proxies or peer is None:
        return peer
    networks = _networks(proxies)
    if not _trusted(_address(peer), networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    client = peer
    for hop in reversed(forwarded.split(",")):
        address = _address(hop)
        if address is None:  # a malformed hop: trust nothing further out
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
