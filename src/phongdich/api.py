"""The JSON API (``/api/v1``). Each app contributes a router; errors share one shape."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils import translation
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.accounts.api_auth import SessionOrToken
from phongdich.campaigns.api import router as campaigns_router
from phongdich.care.api import router as care_router
from phongdich.checkpoints.api import router as checkpoints_router
from phongdich.core.openapi import DocumentedAPI
from phongdich.core.ratelimit import RateLimited
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.outreach.api import router as outreach_router
from phongdich.places.api import router as places_router
from phongdich.risk.api import router as risk_router
from phongdich.testing.api import router as testing_router
from phongdich.tracing.api import router as tracing_router
from phongdich.vaccination.api import router as vaccination_router

# Where the API is mounted (urls.py); checkpoints.fast_api matches check-in paths under it.
URL_PREFIX = "api/v1/"

api = DocumentedAPI(
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


def _error(request, status: int, code: str, vi: str, en: str, field: str = ""):
    body = {"errors": [{"field": field, "code": code, "message_vi": vi, "message_en": en}]}
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(
        request,
        401,
        "unauthenticated",
        "Cần đăng nhập hoặc mã truy cập API hợp lệ.",
        "A login or a valid API token is required.",
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "Không tìm thấy.", "Not found.")


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400:  # ninja's own: a body that is not JSON
        return _error(
            request,
            400,
            "bad_json",
            "Nội dung không phải JSON hợp lệ.",
            "The body is not valid JSON.",
        )
    return _error(request, exc.status_code, "http_error", str(exc), str(exc))


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    """The last guard: a number or date a schema let through that the database cannot hold
    (SQLite's 64-bit integers, PostgreSQL's 32-bit columns). Schemas bound their fields and
    name them; this keeps anything missed a 422 instead of a 500. Nothing was written: the
    database refused the statement and an atomic block around it rolls back."""
    return _error(
        request,
        422,
        "out_of_range",
        "Một số hoặc một ngày nằm ngoài phạm vi cho phép.",
        "A number or a date is out of the allowed range.",
    )


@api.exception_handler(RequestDataTooBig)
def too_large(request, exc):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 in the API's shape, not Django's 400 page."""
    return _error(
        request,
        413,
        "too_large",
        "Nội dung gửi lên quá lớn.",
        "The request body is too large.",
    )


def unknown_route(request, rest: str = ""):
    """Any address under /api/ that no operation has: 404 in the API's shape (the portal's
    page catch-all would answer with an HTML page)."""
    from django.http import JsonResponse

    body = {
        "errors": [
            {
                "field": "",
                "code": "not_found",
                "message_vi": "Không có địa chỉ API này.",
                "message_en": "There is no such API address.",
            }
        ]
    }
    return JsonResponse(body, status=404)


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
api.add_router("", outreach_router)
api.add_router("", campaigns_router)

__all__ = ["api", "translation"]
