"""No input gives a 5xx: every API operation and every page, walked with the values that gave
server errors (dates out of range, integers too large for a database column, words where numbers
are expected, NUL characters), answers 4xx or its normal answer, never 5xx. A refusal (4xx) is one
the OpenAPI schema documents for that operation, in its error shape, and it writes nothing."""

from __future__ import annotations

import functools
import re

import pytest

HUGE = "99999999999999999999"
BAD_DATES = ["0000-01-01", "10000-01-01", "99999-12-31", "2021-02-30"]
BAD_DATETIMES = ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00", "2021-02-30T10:00:00+07:00"]
BAD_QUERY = {
    "page": "x",
    "days": "abc",
    "ward": "abc",
    "province": HUGE,
    "venue": HUGE,
    "date": "2021-02-30",
    "from": "99999-01-01",
    "to": "0000-01-01",
    "since": "10000-01-01",
    "until": "2021-02-30",
    "count": HUGE,
    "size": "-" + HUGE,
    "limit": HUGE,
    "offset": "x",
    "q": "\x00",
    "phuong": HUGE,
    "ky": HUGE,
}


@functools.cache
def _schema():
    from phongdich.api import api

    return api.get_openapi_schema()


# What a refused request may write, by design: the audit trail records refused attempts on
# personal records (accounts.AuditEvent), rate limits count every attempt, refused ones included
# (core.RateCount), a wrong password is counted against brute force (accounts.LoginFailure), and
# a page may start a session for its CSRF token or language (sessions.Session).
MAY_WRITE_WHEN_REFUSING = {
    "accounts.AuditEvent",
    "core.RateCount",
    "accounts.LoginFailure",
    "sessions.Session",
}


@functools.cache
def _counting_sql() -> tuple[str, tuple[str, ...]]:
    from django.apps import apps
    from django.db import connection

    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed
            and not m._meta.proxy
            and m._meta.label not in MAY_WRITE_WHEN_REFUSING
        }
    )
    q = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {q(t)})" for t in tables)  # noqa: S608
    return f"SELECT {counts}", tuple(tables)


def _row_counts() -> dict[str, int]:
    """Rows per table of every model (one query), but those a refusal may write."""
    from django.db import connection

    sql, tables = _counting_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _written(before: dict[str, int]) -> dict[str, tuple[int, int]]:
    after = _row_counts()
    return {t: (n, after[t]) for t, n in before.items() if after[t] != n}


@functools.cache
def _error_validator():
    from jsonschema import Draft202012Validator

    from phongdich.core.openapi import ERROR_REF

    return Draft202012Validator({"$ref": ERROR_REF, "components": _schema()["components"]})


def _documented_refusal(path: str, method: str, response) -> str | None:
    """What is wrong with a 4xx answer by the schema: an undocumented status or another shape."""
    from phongdich.core.openapi import ERROR_REF

    documented = _schema()["paths"][path][method]["responses"]
    status = response.status_code
    answer = documented.get(status) or documented.get(str(status))
    if answer is None:
        return f"status {status} is not documented"
    if answer["content"]["application/json"]["schema"] != {"$ref": ERROR_REF}:
        return f"status {status} is not documented as an error"
    problems = [e.message for e in _error_validator().iter_errors(response.json())]
    return "; ".join(problems) or None


def _operations():
    schema = _schema()
    for path, methods in schema["paths"].items():
        for method, _op in methods.items():
            yield pytest.param(path, method, id=f"{method.upper()} {path}")


def _resolve(schema, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


# Which kind of value is bad in each variant, the others plausible, so that one refusal (a NUL in
# a name) does not hide another (an integer too large in the same body).
_MODES = ["ints", "dates", "text", "all"]
_PLAUSIBLE = {"date": "2024-01-01", "date-time": "2024-01-01T08:00:00+07:00"}


def _plausible(prop):
    if "enum" in prop:
        return prop["enum"][0]
    if prop.get("format") in _PLAUSIBLE:
        return _PLAUSIBLE[prop["format"]]
    return {"integer": 1, "number": 1.5, "boolean": True}.get(prop.get("type"), "abc")


def _bad_value(schema, prop, variant: int):
    prop = _resolve(schema, prop)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in prop:
            options = [_resolve(schema, p) for p in prop[key] if p.get("type") != "null"]
            if options:
                prop = options[0]
    kind, fmt = prop.get("type"), prop.get("format")
    mode = _MODES[variant % len(_MODES)]
    wanted = {"ints": ("integer", "number"), "dates": ("date", "date-time"), "text": ("string",)}
    if mode != "all" and kind not in ("array", "object") and (fmt or kind) not in wanted[mode]:
        return _plausible(prop)
    if fmt == "date":
        return BAD_DATES[variant % len(BAD_DATES)]
    if fmt == "date-time":
        return BAD_DATETIMES[variant % len(BAD_DATETIMES)]
    if kind == "integer":
        return int(HUGE) if variant % 2 == 0 else -int(HUGE)
    if kind == "number":
        return 1e308 if variant % 2 == 0 else -1e308
    if kind == "string":
        return ["a\x00b", "x" * 5000, "", "\u202e", "99999999999999999999"][variant % 5]
    if kind == "array":
        return [_bad_value(schema, prop.get("items", {}), variant)]
    if kind == "object":
        return _bad_body(schema, prop, variant)
    return HUGE


def _bad_body(schema, body, variant: int):
    body = _resolve(schema, body)
    return {
        name: _bad_value(schema, prop, variant)
        for name, prop in (body.get("properties") or {}).items()
    }


def _requests(path: str, method: str):
    """(url, body) pairs for one operation: path parameters too large, query strings and
    bodies of each bad kind."""
    schema = _schema()
    op = schema["paths"][path][method]
    for variant in range(2 * len(_MODES)):
        url = re.sub(r"\{[^}]+\}", HUGE if variant % 2 == 0 else "x", path)
        query = {}
        for param in op.get("parameters", []):
            if param["in"] == "query":
                query[param["name"]] = _bad_value(schema, param.get("schema", {}), variant)
        body = None
        content = (op.get("requestBody") or {}).get("content", {})
        if "application/json" in content:
            body = _bad_body(schema, content["application/json"]["schema"], variant)
        yield url, query, body


def _errors_shape(response):
    assert response.headers["Content-Type"].startswith("application/json"), response.content[:200]
    errors = response.json()["errors"]
    assert errors and all({"code", "message_vi", "message_en"} <= set(e) for e in errors)


@pytest.mark.parametrize(("path", "method"), list(_operations()))
@pytest.mark.parametrize("actor", ["anonymous", "admin_user", "ward_officer"])
def test_api_operation_never_answers_5xx(path, method, actor, client, request, venue):
    import json

    headers = {}
    if actor != "anonymous":
        from tests.conftest import bearer_headers

        headers = bearer_headers(request.getfixturevalue(actor))
    client.raise_request_exception = False
    failures = []
    for url, query, body in _requests(path, method):
        from urllib.parse import urlencode

        full = url + ("?" + urlencode(query, doseq=True) if query else "")
        kwargs = {"headers": headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        before = _row_counts()
        response = getattr(client, method)(full, **kwargs)
        if response.status_code >= 500:
            failures.append((full, body, response.status_code))
        elif response.status_code >= 400:
            _errors_shape(response)
            if problem := _documented_refusal(path, method, response):
                failures.append((full, body, problem))
            if written := _written(before):
                failures.append((full, body, response.status_code, "wrote", written))
    assert not failures


def _pages():
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                yield route

    for route in sorted(set(walk(get_resolver().url_patterns, ""))):
        if route.startswith(("api/", "cms/", "admin/", "static/", "^", "documents/", "django-")):
            continue
        yield route


def _page_urls(route: str):
    for value in (HUGE, "2021-02-30"):
        url = "/" + re.sub(r"<int:[^>]+>", HUGE, route)
        url = re.sub(r"<(?:\w+:)?[^>]+>", value if value != HUGE else "x", url)
        yield url


@pytest.mark.parametrize("route", list(_pages()))
@pytest.mark.parametrize("actor", ["anonymous", "admin_user"])
def test_page_never_answers_5xx(route, actor, client, request, venue):
    from urllib.parse import urlencode

    if actor != "anonymous":
        client.force_login(request.getfixturevalue(actor))
    client.raise_request_exception = False
    form = {key: value for key, value in BAD_QUERY.items()}
    form.update(
        name="a\x00b",
        full_name="a\x00b",
        phone="09\x000",
        cccd="0\x00",
        address="\x00",
        birth_date="10000-01-01",
        dob="0000-01-01",
        year="99999",
        when="10000-01-01T00:00",
        deadline="2021-02-30",
        quarantine_until="99999-01-01",
    )
    failures = []
    for url in _page_urls(route):
        for method, kwargs in (
            ("get", {"path": url + "?" + urlencode(BAD_QUERY)}),
            ("post", {"path": url, "data": form}),
        ):
            before = _row_counts()
            response = getattr(client, method)(**kwargs)
            if response.status_code >= 500:
                failures.append((method, kwargs["path"], response.status_code))
            elif response.status_code >= 400 and (written := _written(before)):
                failures.append((method, kwargs["path"], response.status_code, "wrote", written))
    assert not failures


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/tim-kiem?q=%00", 200),  # SQLite full-text: "unterminated string"
        ("/cong-khai-tthc?phuong=99999999999999999999&ky=99999999999999999999", 200),
        ("/cong-khai-tthc?phuong=%C2%B2", 200),  # "²".isdigit() but int("²") fails
        ("/staff/portal/articles/99999999999999999999/sms", 404),
        ("/staff/tracing/?q=%00", 200),  # PostgreSQL: text cannot contain NUL
        ("/staff/tracing/?since=9999-12-31&until=9999-12-31", 200),  # no such UTC moment
        (
            "/staff/tracing/?since=0001-01-01&q=F0-99999999999999999999",
            200,
        ),  # OverflowError in SQLite
        ("/api/v1/testing/sessions?ward_code=99999999999999999999", 422),
    ],
)
def test_found_server_errors_answer_4xx_or_the_page(url, status, client, admin_user):
    client.force_login(admin_user)
    assert client.get(url).status_code == status
