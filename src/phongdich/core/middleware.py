"""Response headers every page gets."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """``Cache-Control: private`` on every answer to a request that carries a cookie or a token:
    a logged-in officer's pages, a citizen's own status pages. A shared cache (a proxy, a
    corporate gateway) must never keep personal data for the next person. Anonymous requests
    without cookies (public pages, the check-in API's fast path) are left as they are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True)
        return response
