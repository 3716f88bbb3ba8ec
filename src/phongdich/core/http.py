"""Small request helpers every app uses."""

from __future__ import annotations

from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a reverse proxy, configure it to set REMOTE_ADDR (e.g. gunicorn's
    ``--forwarded-allow-ips``): a client-supplied X-Forwarded-For is never trusted here."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
