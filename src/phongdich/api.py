"""The JSON API (``/api/v1``). Each app contributes a router; errors share one shape."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.accounts.api_auth import SessionOrToken
from phongdich.care.api import router as care_router
from phongdich.checkpoints.api import router as checkpoints_router
from phongdich.core.ratelimit import RateLimited
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.places.api import router as places_router
from phongdich.risk.api import router as risk_router
from phongdich.testing.api import router as testing_router
from phongdich.tracing.api import router as tracing_router
from phongdich.vaccination.api import router as vaccination_router

# Where the API is mounted (urls.py); checkpoints.fast_api matches check-in paths under it.
URL_PREFIX = "api/v1/"

api = NinjaAPI(
    title="PhòngDịch API",
    version="1",
    urls_namespace="api",
    auth=SessionOrToken(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _field_of(loc: list) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload")]
    return ".".join(parts)


@api.exception_handler(NinjaValidationError)
def validation_errors(request, exc: NinjaValidationError):
    from phongdich.lib.errors import schema_error_messages

    errors = []
    for err in exc.errors:
        field = _field_of(list(err.get("loc", [])))
        code, vi, en = schema_error_messages(err.get("type", ""), field, err.get("msg", ""))
        errors.append({"field": field, "code": code, "message_vi": vi, "message_en": en})
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(InputErrors)
def input_errors(request, exc: InputErrors):
    return api.create_response(request, {"errors": [e.as_dict() for e in exc.errors]}, status=422)


@api.exception_handler(DomainError)
def checkpoint_error(request, exc: DomainError):
    return api.create_response(
        request, {"errors": [{"field": "", **exc.as_dict()}]}, status=exc.status
    )


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = api.create_response(
        request,
        {
            "errors": [
                {
                    "field": "",
                    "code": "rate_limited",
                    "message_vi": "Quá nhiều yêu cầu. Vui lòng thử lại sau ít phút.",
                    "message_en": "Too many requests. Please try again in a minute.",
                }
            ]
        },
        status=429,
    )
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(
        request,
        {
            "errors": [
                {
                    "field": "",
                    "code": "forbidden",
                    "message_vi": "Bạn không có quyền thực hiện việc này.",
                    "message_en": "You are not allowed to do this.",
                }
            ]
        },
        status=403,
    )


api.add_router("/places", places_router)
api.add_router("", checkpoints_router)
api.add_router("", tracing_router)
api.add_router("", testing_router)
api.add_router("", vaccination_router)
api.add_router("", care_router)
api.add_router("/risk", risk_router)

__all__ = ["api", "translation"]
