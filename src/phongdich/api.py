"""The JSON API (``/api/v1``). Each app contributes a router; errors share one shape."""

from __future__ import annotations

from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from phongdich.accounts.api_auth import SessionOrToken
from phongdich.places.api import router as places_router

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


api.add_router("/places", places_router)

__all__ = ["api", "translation"]
