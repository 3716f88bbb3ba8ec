"""Fixtures for the SMS tests: a real Kannel with a fake operator, and our report endpoint.

Kannel comes from the Debian packages ``kannel`` and ``kannel-extras``. Without them these
tests are skipped, unless ``PHONGDICH_REQUIRE_TOOLS=1`` (as in CI), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.sms.kannel_server import DlrReceiver, KannelServer, find_binaries

DLR_SECRET = b"test dlr secret"


def _need_tool(reason: str) -> None:
    if os.environ.get("PHONGDICH_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{reason}; PHONGDICH_REQUIRE_TOOLS=1 makes this a failure", pytrace=False)
    pytest.skip(f"{reason} (set PHONGDICH_REQUIRE_TOOLS=1 to fail instead)")


@pytest.fixture(scope="session")
def kannel_binaries() -> dict[str, str]:
    binaries = find_binaries()
    if binaries is None:
        _need_tool("needs bearerbox, smsbox and fakesmsc (apt-get install kannel kannel-extras)")
    return binaries


@pytest.fixture(scope="module")
def kannel(kannel_binaries, tmp_path_factory) -> Iterator[KannelServer]:
    """bearerbox + smsbox + the fake SMSC, connected and ready; shared by a test module."""
    server = KannelServer(tmp_path_factory.mktemp("kannel"), kannel_binaries)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def kannel_without_smsc(kannel_binaries, tmp_path) -> Iterator[KannelServer]:
    """bearerbox + smsbox with the operator link down (the fake SMSC not started yet)."""
    server = KannelServer(tmp_path, kannel_binaries)
    server.start(with_smsc=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def dlr_receiver() -> Iterator[DlrReceiver]:
    receiver = DlrReceiver()
    yield receiver
    receiver.close()
