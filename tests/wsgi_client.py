"""Calling a WSGI application the way gunicorn does, from a test.

Django's test client enters at the request handler, behind ``phongdich.wsgi.application``;
this one enters at the WSGI application itself, so requests go through the check-in fast path
(``checkpoints.fast_api``) as they do in production.
"""

from __future__ import annotations

import io
import json
import sys
from contextlib import contextmanager
from typing import Any

from django.core.signals import request_finished, request_started
from django.db import close_old_connections


@contextmanager
def connections_kept():
    """As Django's test client: the test's transaction must survive the request signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


class WsgiResponse:
    def __init__(self, status: str, headers: list[tuple[str, str]], content: bytes) -> None:
        self.status_code = int(status.split(" ", 1)[0])
        self.reason = status.split(" ", 1)[1]
        self.header_list = headers
        self.headers = {name.lower(): value for name, value in headers}
        self.content = content

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return json.loads(self.content)


def call(
    app,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    remote_addr: str = "127.0.0.1",
    host: str = "127.0.0.1:8000",
    sized: bool = True,
) -> WsgiResponse:
    """``sized=False`` leaves out CONTENT_LENGTH, as for a chunked request body."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": remote_addr,
        "HTTP_HOST": host,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if body and sized:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
    started: list = []
    with connections_kept():
        result = app(environ, lambda status, hdrs, exc_info=None: started.append((status, hdrs)))
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
    status, hdrs = started[0]
    return WsgiResponse(status, list(hdrs), content)


def post_json(app, path: str, data: Any, headers: dict[str, str] | None = None, **kw):
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return call(
        app, "POST", path, body, {"Content-Type": "application/json", **(headers or {})}, **kw
    )
