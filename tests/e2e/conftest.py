"""End-to-end tests: a real Chromium (Playwright's sync API) against pytest-django's ``live_server``.

The browser is Debian's ``/usr/bin/chromium``; test tools cannot download Playwright's own builds.
Without it these tests are skipped, unless ``PHONGDICH_REQUIRE_BROWSER=1`` (as in CI), where a
missing browser is a failure: a green run must not hide that the browser tests never ran.

Set ``PHONGDICH_E2E_SCREENSHOTS`` to a directory to keep screenshots of the main pages.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # reported by the playwright fixture: a skip, or a failure when required
    expect = None

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _need_browser(reason: str) -> None:
    if os.environ.get("PHONGDICH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; PHONGDICH_REQUIRE_BROWSER=1 makes this a failure", pytrace=False)
    pytest.skip(f"{reason} (set PHONGDICH_REQUIRE_BROWSER=1 to fail instead)")


# Module scope, not session: Playwright's sync API keeps an asyncio loop running in this
# thread while it is started, and tests of other packages that call asyncio.run() (telephony)
# fail when they run in the same worker after a browser test.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        _need_browser(f"end-to-end tests need Chromium at {CHROMIUM} (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need_browser("end-to-end tests need the playwright package (pip install -e '.[dev]')")
    with sync_playwright() as p:
        yield p


if expect is not None:
    expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def launch(playwright) -> Iterator[Callable[..., Any]]:
    """Start a Chromium; extra command-line switches for the tests that need them (fake camera)."""
    browsers = []

    def start(*extra_args: str) -> Any:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args]
        )
        browsers.append(browser)
        return browser

    yield start
    for browser in browsers:
        browser.close()


@pytest.fixture(scope="module")
def browser(launch) -> Any:
    return launch()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[..., Any]]:
    """Browser contexts (separate cookie jars) on the live server, in Vietnamese like a phone in
    Vietnam; closed after the test."""
    contexts = []

    def make(*, on: Any = None, **options: Any) -> Any:
        options = {
            "base_url": live_server.url,
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
            **DESKTOP,
            **options,
        }
        context = (on or browser).new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/staff/login/" not in url)


def snap(page: Any, name: str) -> None:
    """Keep a full-page screenshot when PHONGDICH_E2E_SCREENSHOTS names a directory."""
    folder = os.environ.get("PHONGDICH_E2E_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
