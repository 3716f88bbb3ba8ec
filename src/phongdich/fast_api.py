"""Citizens' check-ins and check-outs without the full middleware stack.

A kiosk or phone app that checks in through the API without logging in sends no cookie and no
token. For such a request most of Django's middleware (sessions, CSRF, authentication, 2FA,
messages, static files) has nothing to do, yet the middleware chain, URL resolution and ninja's
operation machinery cost as much CPU as the check-in itself. ``FastPath`` wraps the WSGI application and answers exactly
these requests itself:

- ``POST /api/v1/checkins`` and ``POST /api/v1/checkouts``,
- with no ``Authorization`` header and no cookies at all (phones' and kiosks' API clients send
  none; a cookie can carry a session or a CSRF token that Django's middleware acts on),
- with a body that is a JSON object and passes the endpoint's schema.

Everything else goes to Django unchanged, including every malformed, oversized or schema-invalid
body, so each error keeps one implementation. The answer is Django's own (a test compares status,
body and headers): the view code is shared (``checkpoints.api.checkin_answer`` and
``checkout_answer``), ninja's renderer and exception handlers build the response, the middleware
that acts on such a request runs its hooks here (security headers, host and user-agent checks,
language, ``Vary``, frame options), and Django's request signals are sent, so database connections
are kept and closed the same way.

A middleware this module does not know turns the fast path off (every request then goes through
Django), so adding one to ``MIDDLEWARE`` can never be skipped silently.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signals
from django.core.handlers.exception import response_for_exception
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpResponse
from django.urls import set_script_prefix
from django.utils.cache import patch_vary_headers
from django.utils.log import log_response
from django.utils.module_loading import import_string
from pydantic import BaseModel, ValidationError

from phongdich.lib.text import unstorable_text

logger = logging.getLogger(__name__)

# What each middleware does for an anonymous, cookie-less JSON POST to a ninja endpoint:
# "hooks" (run its process_request / process_response here), "vary_cookie" (the session
# middleware adds ``Vary: Cookie``, because the API's authenticator looks at the session),
# or None (nothing: no static file; without cookies no session and no CSRF token, and ninja's
# views are CSRF-exempt; an anonymous user).
KNOWN_MIDDLEWARE: dict[str, str | None] = {
    "django.middleware.security.SecurityMiddleware": "hooks",
    "phongdich.core.middleware.ContentSecurityPolicyMiddleware": "hooks",
    # The fast path checks the same itself and leaves such bodies to Django.
    "phongdich.core.middleware.UnstorableJsonMiddleware": None,
    # Its only hook looks at numbers in a page's address; the check-in routes have none.
    "phongdich.core.middleware.OutOfRangeIdMiddleware": None,
    "whitenoise.middleware.WhiteNoiseMiddleware": None,
    "django.contrib.sessions.middleware.SessionMiddleware": "vary_cookie",
    "django.middleware.locale.LocaleMiddleware": "hooks",
    "django.middleware.common.CommonMiddleware": "hooks",
    "django.middleware.csrf.CsrfViewMiddleware": None,
    "django.contrib.auth.middleware.AuthenticationMiddleware": None,
    "phongdich.accounts.middleware.IdleTimeoutMiddleware": None,
    "phongdich.core.middleware.PrivateCacheMiddleware": None,
    "phongdich.accounts.middleware.OtpRequiredMiddleware": None,
    "django.contrib.messages.middleware.MessageMiddleware": None,
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "hooks",
}


class _VaryCookie:
    """Stands in for SessionMiddleware's response hook: the API's authenticator reads the session
    whenever the view is reached, and a read session adds ``Vary: Cookie``."""

    def process_response(self, request, response):
        if getattr(request, "_fast_path_view_ran", False):
            patch_vary_headers(response, ("Cookie",))
        return response


def _not_called(request):  # pragma: no cover - the hooks are called one by one, never chained
    raise AssertionError("fast path middleware is not chained")


def middleware_hooks(names: Iterable[str]) -> list[Any] | None:
    """The middleware instances whose hooks the fast path runs, in MIDDLEWARE order; None when a
    middleware is not known here (the fast path is then off)."""
    hooks: list[Any] = []
    for name in names:
        if name not in KNOWN_MIDDLEWARE:
            logger.info("Fast check-in path off: middleware %s is not known to it.", name)
            return None
        kind = KNOWN_MIDDLEWARE[name]
        if kind == "hooks":
            hooks.append(import_string(name)(_not_called))
        elif kind == "vary_cookie":
            hooks.append(_VaryCookie())
    return hooks


def _routes() -> dict[str, tuple[type[BaseModel], Callable]]:
    from phongdich.api import URL_PREFIX
    from phongdich.checkpoints.api import checkin_answer, checkout_answer
    from phongdich.checkpoints.schemas import CheckinIn, CheckoutIn

    return {
        f"/{URL_PREFIX}checkins": (CheckinIn, checkin_answer),
        f"/{URL_PREFIX}checkouts": (CheckoutIn, checkout_answer),
    }


class FastPath:
    """WSGI wrapper: anonymous check-ins and check-outs here, every other request to ``app``."""

    def __init__(self, app: Callable) -> None:
        self.app = app
        self.routes: dict[str, tuple[type[BaseModel], Callable]] | None = None
        self.hooks: list[Any] | None = None
        self.enabled = settings.API_FAST_PATH

    def _setup(self) -> None:
        """On the first request (URLs and the API load after Django is set up). Threads may race
        here; each computes the same values, and ``routes``, which marks it done, is set last."""
        from phongdich.api import api

        self.api = api
        self.max_body = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        self.hooks = middleware_hooks(settings.MIDDLEWARE)
        self.routes = _routes() if self.hooks is not None else {}

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not self.enabled or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        if self.routes is None:
            self._setup()
        route = self.routes.get(environ.get("PATH_INFO", ""))  # type: ignore[union-attr]
        if route is None or "HTTP_AUTHORIZATION" in environ or "HTTP_COOKIE" in environ:
            return self.app(environ, start_response)
        schema, answer = route
        payload = self._payload(environ, schema)
        if payload is None:  # not ours to judge: Django and ninja give the error
            return self.app(environ, start_response)
        return self._serve(environ, start_response, payload, answer)

    def _payload(self, environ: dict, schema: type[BaseModel]) -> BaseModel | None:
        """The validated payload, or None; the body read is put back for Django either way."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if length <= 0 or (self.max_body is not None and length > self.max_body):
            return None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than json allows
            return None
        if not isinstance(data, dict) or unstorable_text(data) is not None:
            return None  # NUL or a lone surrogate: Django's parser names the field
        try:
            return schema.model_validate(data)
        except ValidationError:
            return None

    def _serve(
        self, environ: dict, start_response: Callable, payload: BaseModel, answer
    ) -> Iterable[bytes]:
        # The steps of Django's WSGIHandler and BaseHandler, in their order.
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=WSGIHandler, environ=environ)
        request = WSGIRequest(environ)
        request.user = AnonymousUser()
        response = self._respond(request, payload, answer)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        # As Django's WSGIHandler: closing the response sends request_finished.
        response._handler_class = WSGIHandler
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response

    def _respond(self, request: WSGIRequest, payload: BaseModel, answer) -> HttpResponse:
        hooks = self.hooks or []
        ran = 0
        response = None
        try:
            for hook in hooks:
                if hasattr(hook, "process_request"):
                    response = hook.process_request(request)
                ran += 1  # a hook that raised gets no process_response, as in Django
                if response is not None:
                    break
            if response is None:
                response = self._view(request, payload, answer)
        except Exception as exc:  # as Django's handler: a 400, 403, 404 or 500 page
            response = response_for_exception(request, exc)
        for hook in reversed(hooks[:ran]):
            if hasattr(hook, "process_response"):
                try:
                    response = hook.process_response(request, response)
                except Exception as exc:  # as Django wraps each middleware
                    response = response_for_exception(request, exc)
        return response

    def _view(self, request: WSGIRequest, payload: BaseModel, answer) -> HttpResponse:
        request._fast_path_view_ran = True
        try:
            status, data = answer(request, payload)
        except Exception as exc:
            return self.api.on_exception(request, exc)  # re-raises what ninja would re-raise
        return self.api.create_response(request, data, status=status)


def wrap(app: Callable) -> Callable:
    """The WSGI application served: ``app`` behind the fast path."""
    return FastPath(app)
