"""The served OpenAPI schema tells the truth: every error an operation documents has the one error
shape, public operations say so in ``security`` (judged by calling the operation's own
authenticators, not from a list), either-or inputs are stated, and real error answers validate
against what the schema documents for that operation and status."""

from __future__ import annotations

import json
import uuid

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import bearer_headers

ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _validator(schema: dict, node: dict) -> Draft202012Validator:
    return Draft202012Validator({**node, "components": schema["components"]})


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            yield path, method, op


def _opens_to_anonymous(operation) -> bool:
    """Whether a request without any login or token gets past the operation's authenticators."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    callbacks = operation.auth_callbacks or []
    if not callbacks:
        return True
    request = RequestFactory().post("/", data="{}", content_type="application/json")
    request.user = AnonymousUser()
    return any(callback(request) for callback in callbacks)


def _ninja_operations():
    """(operationId, ninja Operation) of every operation the API serves."""
    from phongdich.api import api

    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                yield operation.operation_id or api.get_openapi_operation_id(operation), operation


def test_the_error_shape_is_the_one_the_handlers_emit(schema):
    from phongdich.lib.errors import FieldError

    item = schema["components"]["schemas"]["FieldErrorOut"]
    assert (
        set(item["required"])
        == set(item["properties"])
        == set(FieldError("", "", "", "").as_dict())
    )
    assert not item["additionalProperties"]
    errors = schema["components"]["schemas"]["ErrorOut"]["properties"]["errors"]
    assert errors["items"] == {"$ref": "#/components/schemas/FieldErrorOut"}


def test_every_error_response_is_documented_in_the_error_shape(schema):
    problems = []
    for path, method, op in _operations(schema):
        responses = {int(status): answer for status, answer in op["responses"].items()}
        errors = {status: answer for status, answer in responses.items() if status >= 400}
        for status, answer in errors.items():
            if answer.get("content", {}).get("application/json", {}).get("schema") != {
                "$ref": ERROR_REF
            }:
                problems.append((method, path, status, "not the error shape"))
        body = "requestBody" in op
        wanted = set()
        if body:
            wanted |= {413, 422}
        if "$ref" in op.get("requestBody", {}).get("content", {}).get("application/json", {}).get(
            "schema", {}
        ):
            wanted.add(400)  # a body ninja parses
        if op.get("parameters"):
            wanted.add(422)
        if any(p["in"] == "path" for p in op.get("parameters", [])):
            wanted.add(404)
        if missing := wanted - set(errors):
            problems.append((method, path, sorted(missing), "missing"))
        if not body and {400, 413} & set(errors):
            problems.append((method, path, "400/413 without a body"))
        if 429 in errors and "Retry-After" not in errors[429].get("headers", {}):
            problems.append((method, path, "429 without Retry-After"))
    assert problems == []


def test_security_and_login_errors_follow_each_operations_authenticators(schema):
    by_id = {op["operationId"]: op for _, _, op in _operations(schema)}
    assert schema["security"] == [{"SessionOrToken": []}]  # the API's default
    anonymous_ones, problems = 0, []
    for op_id, operation in _ninja_operations():
        op = by_id[op_id]
        security, errors = op["security"], {int(s) for s in op["responses"] if int(s) >= 400}
        if _opens_to_anonymous(operation):
            anonymous_ones += 1
            if not (security == [] or {} in security):
                problems.append((op_id, "public but security needs a login", security))
            if 401 in errors:
                problems.append((op_id, "public but documents 401"))
            if security == [] and 403 in errors:
                problems.append((op_id, "no login at all but documents 403"))
        else:
            if security == [] or {} in security:
                problems.append((op_id, "needs a login but security says none", security))
            if not {401, 403} <= errors:
                problems.append((op_id, "needs a login but does not document 401 and 403"))
    assert problems == []
    assert anonymous_ones >= 5  # check-in, check-out, lookup, registration, trust list, ...


def test_either_or_inputs_are_stated_in_the_schema(schema):
    components = schema["components"]["schemas"]
    for name, fields in (
        ("CheckoutIn", {"client_id": str(uuid.uuid4()), "visit_id": 1}),
        ("CaseIn", {"person_id": 1, "person": {"full_name": "A"}}),
        ("DoseIn", {"person_id": 1, "person": {"full_name": "A"}}),
        ("CheckinIn", {"person": {"full_name": "A"}, "person_token": "abc"}),
    ):
        validator = _validator(schema, components[name])
        base = {
            "CaseIn": {"confirmed_at": "2024-01-01T08:00:00+07:00", "sample_date": "2024-01-01"},
            "DoseIn": {"dose_number": 1},
            "CheckinIn": {"venue": "X", "client_id": str(uuid.uuid4()), "declaration": {}},
        }.get(name, {})
        assert not validator.is_valid(base), name
        assert not validator.is_valid({**base, **dict.fromkeys(fields)}), name  # nulls
        for field, value in fields.items():
            assert validator.is_valid({**base, field: value}), (name, field)


def _documented(schema, method: str, path: str, status: int) -> dict:
    answer = schema["paths"][path][method]["responses"].get(str(status))
    assert answer is not None, f"{method} {path} does not document {status}"
    return answer["content"]["application/json"]["schema"]


@pytest.mark.parametrize(
    ("status", "method", "path", "url", "actor", "body"),
    [
        (400, "post", "/api/v1/cases", "/api/v1/cases", "ward_officer", "{not json"),
        (401, "get", "/api/v1/testing/sessions", "/api/v1/testing/sessions", None, None),
        (403, "get", "/api/v1/testing/labs", "/api/v1/testing/labs", "venue_staff", None),
        (404, "get", "/api/v1/cases/{case_id}", "/api/v1/cases/987654", "admin_user", None),
        (
            404,
            "post",
            "/api/v1/testing/lookup",
            "/api/v1/testing/lookup",
            None,
            "unknown code",
        ),
        (413, "post", "/api/v1/cases", "/api/v1/cases", "ward_officer", "big"),
        (422, "post", "/api/v1/checkins", "/api/v1/checkins", None, json.dumps({"venue": 1})),
        (422, "post", "/api/v1/checkouts", "/api/v1/checkouts", None, "{}"),
    ],
)
def test_real_error_answers_match_the_documented_schema(
    schema, client, request, settings, status, method, path, url, actor, body
):
    headers = bearer_headers(request.getfixturevalue(actor)) if actor else {}
    if body == "unknown code":  # well-formed (check character included), never issued
        from phongdich.lib.codes import new_code

        body = json.dumps({"code": new_code(), "birth_year": 1990})
    if body == "big":
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
        body = json.dumps({"notes": "x" * 2000})
    kwargs = {"headers": headers}
    if body is not None:
        kwargs.update(data=body, content_type="application/json")
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status, response.content[:300]
    documented = _documented(schema, method, path, status)
    assert documented == {"$ref": ERROR_REF}
    _validator(schema, documented).validate(response.json())


def _models(annotation, found: set) -> None:
    """The pydantic models in a type annotation, with those in their fields, recursively."""
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, found)
    for argument in typing.get_args(annotation):
        _models(argument, found)


def test_no_two_schemas_share_a_component_name(db):
    """Components are named by class: two apps' ``SessionOut`` made the testing sessions
    documented with the vaccination sessions' fields."""
    found: set = set()
    for _, operation in _ninja_operations():
        for model in [*operation.models, *operation.response_models.values()]:
            _models(model, found)
    by_name: dict[str, set] = {}
    for model in found:
        by_name.setdefault(model.__name__, set()).add(model.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}
