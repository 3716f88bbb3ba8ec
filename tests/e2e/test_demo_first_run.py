"""``make demo`` from a fresh clone, as a new user meets it: ``phongdich demo`` on an empty data
directory and a port of its own, served by the real server; the printed lab technician enters
the waiting pool's result and a citizen downloads the signed test certificate. No manual step."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from phongdich.lib.poster import pdf_to_png_pages
from phongdich.lib.qr import decode_qr_png
from tests.e2e.conftest import DESKTOP, expect

pytestmark = pytest.mark.e2e

STARTED = re.compile(r"Mở (http://\S+)/ — đăng nhập")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The demo command running on a fresh SQLite data directory; (base URL, what it printed)."""
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "PHONGDICH_BASE_URL", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    env |= {"PHONGDICH_DATA_DIR": str(tmp_path / "var"), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "phongdich", "demo", "--people", "300", "--days", "1"]
    process = subprocess.Popen(  # noqa: S603
        [*command, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the server and its worker: stopped together below
    )
    printed = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            printed.append(line)
            started = STARTED.search(line)
            if started:
                break
        else:
            pytest.fail("demo stopped before serving:\n" + "".join(printed))
        base = started.group(1)
        assert base == f"http://127.0.0.1:{port}"
        _wait_until_served(base)
        yield base, "".join(printed)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_until_served(base: str) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail("the demo server did not answer")


def password_of(printed: str, username: str) -> str:
    [row] = [line for line in printed.splitlines() if line.strip().startswith(username + " ")]
    return row.split()[-1]


def test_the_demo_works_for_the_lab_and_the_citizen(launch, demo):
    base, printed = demo
    pool, code, year = re.search(
        r"Mẫu gộp chờ nhập kết quả: (\w+) \(có ống (\w+) của người sinh năm (\d{4})\)", printed
    ).groups()
    browser = launch()
    lab = browser.new_context(base_url=base, locale="vi-VN", **DESKTOP).new_page()
    lab.goto("/staff/login/")
    lab.fill("#id_username", "demo_xetnghiem")
    lab.fill("#id_password", password_of(printed, "demo_xetnghiem"))
    lab.locator("main form button[type=submit]").click()
    lab.goto("/staff/testing/lab/")
    expect(lab.locator("h1")).to_contain_text("CDC Thanh Hóa")
    lab.fill("#result-code", pool)
    lab.select_option("#result-value", "negative")
    lab.click("#result-button")
    expect(lab.locator(".messages li.success")).to_be_visible()

    citizen = browser.new_context(base_url=base, locale="vi-VN", **DESKTOP).new_page()
    citizen.goto("/ket-qua")
    citizen.fill("#f-code", code)
    citizen.fill("#f-birth_year", year)
    citizen.click("#lookup-button")
    expect(citizen.locator("#result")).to_have_attribute("data-result", "negative")
    link = citizen.locator("a[href*='/ket-qua/chung-nhan/']").first.get_attribute("href")
    pdf = citizen.request.get(link)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    [hc1] = [t for page in pdf_to_png_pages(pdf.body(), dpi=150) for t in decode_qr_png(page)]
    assert hc1.startswith("HC1:")
