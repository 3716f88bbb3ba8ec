"""Response headers every page gets."""

from __future__ import annotations

import re

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


class Nonce:
    """This request's script nonce, made when a template first writes it
    (``{{ request.csp_nonce }}``); a page without inline scripts gets a policy without one."""

    value = ""

    def __str__(self) -> str:
        if not self.value:
            import secrets

            self.value = secrets.token_urlsafe(16)
        return self.value


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every answer. Pages run only the site's own script files and
    the inline scripts that carry this request's nonce (``request.csp_nonce``); nothing from
    another origin, no plugins, no framing. JSON and files get a policy that allows nothing.

    Wagtail's admin (``/cms/``) renders inline scripts and event handlers of its own that cannot
    carry a nonce: there scripts from this origin and inline ones are allowed, other origins
    still not. Only staff with the CMS permission reach those pages."""

    RELAXED_PREFIXES = ("/cms/",)

    def __init__(self, get_response=None):
        self.get_response = get_response

    def __call__(self, request):
        self.process_request(request)
        return self.process_response(request, self.get_response(request))

    def process_request(self, request):
        request.csp_nonce = Nonce()

    def process_response(self, request, response):
        if "Content-Security-Policy" in response:
            return response  # a view's own, stricter policy (portal documents)
        if not response.get("Content-Type", "").startswith("text/html"):
            response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
            return response
        response["Content-Security-Policy"] = self.page_policy(request)
        return response

    def page_policy(self, request) -> str:
        from django.conf import settings

        nonce = getattr(request, "csp_nonce", None)
        if request.path.startswith(self.RELAXED_PREFIXES):
            script = "'self' 'unsafe-inline'"
        elif nonce is not None and nonce.value:  # the page has inline scripts that used it
            script = f"'self' 'nonce-{nonce.value}'"
        else:
            script = "'self'"
        images = "'self' data: blob:"
        tiles = settings.MAP_TILE_URL
        if tiles.startswith(("https://", "http://")):
            images += " " + "/".join(tiles.split("/")[:3])
        return "; ".join(
            [
                "default-src 'self'",
                f"script-src {script}",
                # Inline style attributes (a bar's width) and the styles libraries set.
                "style-src 'self' 'unsafe-inline'",
                f"img-src {images}",
                "media-src 'self' blob:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )


# How NUL and UTF-16 surrogates are written in JSON text; a raw NUL byte or an unpaired surrogate
# in UTF-8 already fails to parse.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


class UnstorableJsonMiddleware:
    """A JSON body with a NUL character or a lone surrogate in any string (no database stores
    the first, no encoder writes the second) is answered 422 naming the field, in the API's
    error shape, before any view: they gave a 500. Only bodies that contain such an escape at all
    are parsed here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("POST", "PUT", "PATCH")
            and request.content_type == "application/json"
        ):
            refused = self.refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    @staticmethod
    def refusal(request):
        import json

        from django.http import JsonResponse

        from phongdich.lib.text import unstorable_text

        try:
            body = request.body
        except Exception:  # too large: Django's own answer follows
            return None
        if not _SUSPECT_ESCAPE.search(body):
            return None
        try:
            where = unstorable_text(json.loads(body))
        except (ValueError, RecursionError):
            return None
        if where is None:
            return None
        error = {
            "field": where,
            "code": "bad_characters",
            "message_vi": f"Trường {where} chứa ký tự không hợp lệ (NUL hoặc mã UTF-16 lẻ).",
            "message_en": (
                f"Field {where} contains characters that are not allowed (NUL or a lone surrogate)."
            ),
        }
        return JsonResponse({"errors": [error]}, status=422)


# The largest integer both databases compare with an id column (SQLite's and PostgreSQL's 64 bits).
_ID_LIMIT = 2**63 - 1


class OutOfRangeIdMiddleware:
    """A page address with a number no database can hold (``/staff/care/99999999999999999999/``)
    is a page that does not exist: 404, before the view sends the number to the database, where
    SQLite raised OverflowError (a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        values = list(view_args) + list(view_kwargs.values())
        if any(isinstance(v, int) and not -_ID_LIMIT <= v <= _ID_LIMIT for v in values):
            from django.http import Http404

            raise Http404
        return None
