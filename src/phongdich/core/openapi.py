"""The API's OpenAPI schema, telling the truth about errors and logins.

Every operation documents the error answers it can give, all in the one shape the API's exception
handlers emit (``ErrorOut``: ``{"errors": [{field, code, message_vi, message_en}]}``). Most
follow from the operation itself, so they are derived here in one place:

- 400 (the body is not JSON): operations with a JSON body ninja parses;
- 413 (the body is too large): operations with a body;
- 422 (a field is wrong): operations with any parameter or body;
- 401 (no login or token) and 403 (not the role for it): operations that need a login;
- 404 (no such record, or not in the caller's area): operations with an id in their path.

What depends on the view's own logic (409 a conflict, 410 gone, 429 rate-limited, 503 not set up
yet, or a 404 for an id in the body) the view declares with ``@answers(...)``.

Security is written on every operation: ``[]`` for a public operation (``auth=None``), the
token scheme *or* ``{}`` (no login) for one that serves citizens and staff alike (its last
authenticator is marked ``openapi_anonymous``, accounts.api_auth.anonymous), and the token
scheme alone otherwise. The top level names the token scheme, the API's default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

ERROR_SCHEMA = "ErrorOut"
ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA}"

ERROR_COMPONENTS: dict[str, dict[str, Any]] = {
    "FieldErrorOut": {
        "title": "FieldErrorOut",
        "type": "object",
        "properties": {
            "field": {
                "type": "string",
                "description": "Trường bị lỗi, '' nếu không thuộc trường nào / "
                "the field at fault, '' when none (dotted path: person.phone, members.0.name)",
            },
            "code": {"type": "string", "description": "Mã lỗi ổn định / stable snake_case code"},
            "message_vi": {"type": "string"},
            "message_en": {"type": "string"},
        },
        "required": ["field", "code", "message_vi", "message_en"],
        "additionalProperties": False,
    },
    ERROR_SCHEMA: {
        "title": ERROR_SCHEMA,
        "description": "Mọi lỗi của API có một dạng / every error of the API has this one shape",
        "type": "object",
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/components/schemas/FieldErrorOut"},
            }
        },
        "required": ["errors"],
        "additionalProperties": False,
    },
}

DESCRIPTIONS = {
    400: "Nội dung không phải JSON hợp lệ / the body is not valid JSON",
    401: "Cần đăng nhập hoặc mã truy cập API / a login or an API token is required",
    403: "Không có quyền / not allowed for the caller's role",
    404: "Không tìm thấy, hoặc ngoài địa bàn của người gọi / not found, or outside the caller's area",
    409: "Xung đột với trạng thái hiện tại / conflicts with the record's current state",
    410: "Không còn hiệu lực / no longer valid",
    413: "Nội dung quá lớn / the body is too large",
    422: "Dữ liệu không hợp lệ, nêu tên trường / invalid input, naming the field",
    429: "Quá nhiều yêu cầu, thử lại sau Retry-After giây / too many requests, retry after Retry-After",
    503: "Hệ thống chưa được thiết lập cho việc này / not set up for this yet",
}


def answers(*statuses: int) -> Callable:
    """Declare error statuses an API view can answer that its signature does not imply (see the
    module's docstring); put it below the router's decorator."""

    def mark(view: Callable) -> Callable:
        view.openapi_errors = frozenset(statuses) | getattr(view, "openapi_errors", frozenset())  # type: ignore[attr-defined]
        return view

    return mark


def access(operation) -> str:
    """``public``, ``optional`` (staff with a login, anyone else as a citizen) or ``login``."""
    callbacks = operation.auth_callbacks or []
    if not callbacks:
        return "public"
    if any(getattr(cb, "openapi_anonymous", False) for cb in callbacks):
        return "optional"
    return "login"


def error_statuses(operation, details: dict) -> set[int]:
    """The error statuses an operation can answer, from its parameters, body and logins plus what
    its view declared."""
    statuses = set(getattr(operation.view_func, "openapi_errors", ()))
    params = details.get("parameters") or []
    if details.get("requestBody"):
        statuses |= {413, 422}
    if any(getattr(m, "__ninja_param_source__", None) == "body" for m in operation.models):
        statuses.add(400)  # ninja parses the JSON body (a view that reads it itself answers 422)
    if params:
        statuses.add(422)
    if any(p.get("in") == "path" for p in params):
        statuses.add(404)
    if access(operation) == "login":
        statuses |= {401, 403}
    return statuses


def _error_response(status: int) -> dict:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS.get(status, "Lỗi / error"),
        "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Số giây cần chờ / seconds to wait",
                "schema": {"type": "integer"},
            }
        }
    return response


class TruthfulSchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        self["components"].setdefault("schemas", {}).update(ERROR_COMPONENTS)
        default = [
            {cb.__class__.__name__: []}
            for cb in (api.auth if isinstance(api.auth, list | tuple) else [api.auth])
            if hasattr(cb, "openapi_security_schema")
        ]
        if default:
            self["security"] = default

    def operation_details(self, operation) -> dict:
        details = super().operation_details(operation)
        kind = access(operation)
        if kind == "public":
            details["security"] = []
        elif kind == "optional":
            details["security"] = [*self.operation_security(operation), {}]
        responses = details["responses"]
        declared = {int(s) for s in responses if int(s) >= 400}
        for status in declared:
            del responses[status]  # replaced below: every error has the one shape
        for status in sorted(declared | error_statuses(operation, details)):
            responses[status] = _error_response(status)
        return details


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose schema documents errors and logins per operation (TruthfulSchema)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return TruthfulSchema(self, path_prefix)


def one_of_required(*fields: str) -> dict:
    """``json_schema_extra`` for an input that needs at least one of ``fields`` (not null); the
    view refuses the input without any of them (422 naming the first)."""
    return {
        "anyOf": [
            {"required": [name], "properties": {name: {"not": {"type": "null"}}}} for name in fields
        ]
    }
