"""A real Kannel on loopback for tests and benchmarks: bearerbox, smsbox, and Kannel's own fake
SMSC (``fakesmsc`` from the Debian package ``kannel-extras``) standing in for the operator.

``fakesmsc`` logs every message bearerbox hands it as ``Got message N: <from to type data>``;
:meth:`KannelServer.messages` reads them back, decoding UCS-2. The smsc_fake connection in
bearerbox answers every message it passes on with an SMSC-accepted (8) and a delivered (1)
report, so delivery reports flow for real.

Ports are free loopback ports picked at start; the configuration goes into a temporary
directory, which also holds the logs (test numbers only) for a failing test to show.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BEARERBOX = "bearerbox"
SMSBOX = "smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
USERNAME = "phongdich"
PASSWORD = "test-password"  # loopback only; a throwaway instance
ADMIN_PASSWORD = "test-admin"

_GOT_MESSAGE = re.compile(r"Got message \d+: <(\S*) (\S*) (\S+) (.*)>$")


def find_binaries() -> dict[str, str] | None:
    """Paths of the three programs, or None when Kannel is not installed."""
    found = {
        "bearerbox": shutil.which(BEARERBOX) or _sbin(BEARERBOX),
        "smsbox": shutil.which(SMSBOX) or _sbin(SMSBOX),
        "fakesmsc": FAKESMSC if os.access(FAKESMSC, os.X_OK) else None,
    }
    if not all(found.values()):
        return None
    return {k: v for k, v in found.items() if v}


def _sbin(name: str) -> str | None:
    path = f"/usr/sbin/{name}"
    return path if os.access(path, os.X_OK) else None


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports (all sockets held open until every port is chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@dataclass(frozen=True)
class SmscMessage:
    """One message as the (fake) operator received it."""

    sender: str
    receiver: str
    coding: str  # "text", "data", "ucs-2" or "udh"
    text: str


def _decode(kind: str, data: str) -> str:
    if kind == "text":
        return data
    # Kannel url-encodes these with '+' for a space byte.
    raw = urllib.parse.unquote_to_bytes(data.replace("+", "%20"))
    if kind in ("ucs-2", "ucs2"):
        return raw.decode("utf-16-be")
    return raw.decode("latin-1")


_CONFIG = """\
group = core
admin-port = {admin_port}
admin-interface = 127.0.0.1
admin-password = {admin_password}
smsbox-port = {smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{dir}/bearerbox.log"
log-level = 1
dlr-storage = internal
sms-resend-freq = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {smsbox_port}
sendsms-port = {sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{dir}/smsbox.log"
log-level = 1
http-request-retry = 3
http-queue-delay = 1

group = sendsms-user
username = {username}
password = {password}
max-messages = 5
concatenation = true

{service}group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = {fake_port}
connect-allow-ip = 127.0.0.1
"""


_SERVICE = """\
group = sms-service
keyword = default
post-url = "{url}"
max-messages = 1
omit-empty = true
catch-all = true
send-sender = true

"""


class KannelServer:
    """Start with :meth:`start`, stop with :meth:`stop` (or use it as a context manager)."""

    def __init__(self, workdir: Path, binaries: dict[str, str], *, replies_url: str = "") -> None:
        """``replies_url``: where smsbox POSTs messages people send (a ``sms-service`` with
        ``post-url``: the text as the body, the number in ``X-Kannel-From``); the answer's
        body goes back to the person as an SMS."""
        self.replies_url = replies_url
        self.dir = Path(workdir)
        self.bin = binaries
        self.admin_port, self.smsbox_port, self.sendsms_port, self.fake_port = free_ports(4)
        self.config_path = self.dir / "kannel.conf"
        self.fakesmsc_log = self.dir / "fakesmsc.log"
        self._procs: dict[str, subprocess.Popen[bytes]] = {}

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def start(self, *, with_smsc: bool = True, timeout: float = 20.0) -> KannelServer:
        self.config_path.write_text(
            _CONFIG.format(
                dir=self.dir,
                admin_port=self.admin_port,
                admin_password=ADMIN_PASSWORD,
                smsbox_port=self.smsbox_port,
                sendsms_port=self.sendsms_port,
                fake_port=self.fake_port,
                username=USERNAME,
                password=PASSWORD,
                service=_SERVICE.format(url=self.replies_url) if self.replies_url else "",
            )
        )
        try:
            self._spawn("bearerbox", [self.bin["bearerbox"], "-v", "4", str(self.config_path)])
            self._wait_for_port(self.smsbox_port, timeout, "bearerbox")
            self._spawn("smsbox", [self.bin["smsbox"], "-v", "4", str(self.config_path)])
            self._wait_for_port(self.sendsms_port, timeout, "smsbox")
            self._wait_for_status("smsbox", timeout)
            if with_smsc:
                self.connect_smsc(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def connect_smsc(self, timeout: float = 20.0) -> None:
        """Start the fake SMSC: bearerbox then sends it everything queued so far."""
        # No messages on the command line: fakesmsc reads messages to send from stdin, which
        # stays open (and empty) so that it keeps running.
        log = self.fakesmsc_log.open("ab")
        self._procs["fakesmsc"] = subprocess.Popen(  # noqa: S603 — fixed argv, no shell
            [self.bin["fakesmsc"], "-H", "127.0.0.1", "-r", str(self.fake_port)],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_for_status("online", timeout)

    def send_reply(self, sender: str, receiver: str, text: str) -> None:
        """A person's SMS to us, through the fake SMSC (``sender`` without "+"; ASCII text)."""
        proc = self._procs["fakesmsc"]
        assert proc.stdin is not None
        proc.stdin.write(f"{sender} {receiver} text {text}\n".encode())
        proc.stdin.flush()

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.dir / f"{name}.out").open("ab")
        self._procs[name] = subprocess.Popen(  # noqa: S603 — fixed argv, no shell
            argv, stdout=log, stderr=subprocess.STDOUT, cwd=self.dir
        )
        log.close()

    def _check_alive(self, what: str) -> None:
        for name, proc in self._procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited ({proc.returncode}) while waiting for {what}")

    def _wait_for_port(self, port: int, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(what)
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                return
            time.sleep(0.05)
        raise TimeoutError(f"{what} did not open port {port} in {timeout} s")

    def status(self) -> str:
        url = f"http://127.0.0.1:{self.admin_port}/status.txt?password={ADMIN_PASSWORD}"
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace")

    def _wait_for_status(self, needle: str, timeout: float) -> None:
        """bearerbox's status page lists the smsbox connection and the SMSC's state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(needle)
            with contextlib.suppress(OSError):
                text = self.status()
                if needle == "smsbox" and "smsbox:" in text:
                    return
                if needle == "online" and re.search(r"fake\[fake\].*\(online", text):
                    return
            time.sleep(0.05)
        raise TimeoutError(f"Kannel status did not show {needle!r} in {timeout} s")

    def messages(self) -> list[SmscMessage]:
        """Every message the fake SMSC has received so far, in order."""
        if not self.fakesmsc_log.exists():
            return []
        found = []
        for line in self.fakesmsc_log.read_text("latin-1").splitlines():
            match = _GOT_MESSAGE.search(line)
            if match:
                sender, receiver, kind, data = match.groups()
                found.append(SmscMessage(sender, receiver, kind, _decode(kind, data)))
        return found

    def wait_for_messages(self, predicate, count: int = 1, timeout: float = 10.0):
        """The messages matching ``predicate`` once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [m for m in self.messages() if predicate(m)]
            if len(matching) >= count or time.monotonic() > deadline:
                return matching
            time.sleep(0.05)

    def stop(self) -> None:
        # smsbox first, so that bearerbox does not queue for a box that is gone; fakesmsc
        # last, closing its stdin ends it cleanly.
        for name in ("smsbox", "bearerbox", "fakesmsc"):
            proc = self._procs.pop(name, None)
            if proc is None:
                continue
            if proc.stdin:
                proc.stdin.close()
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def logs(self) -> str:
        """The tail of every log, for a failing test's message."""
        parts = []
        for path in sorted(self.dir.glob("*.log")) + sorted(self.dir.glob("*.out")):
            lines = path.read_text("utf-8", "replace").splitlines()[-30:]
            parts.append(f"--- {path.name}\n" + "\n".join(lines))
        return "\n".join(parts)

    def __enter__(self) -> KannelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class DlrReceiver:
    """A tiny HTTP server standing in for our delivery-report endpoint: it records the query
    of every callback Kannel makes and answers 200."""

    def __init__(self) -> None:
        self.reports: list[dict[str, list[str]]] = []
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                params = urllib.parse.parse_qs(query, keep_blank_values=True)
                with receiver._cond:
                    receiver.reports.append(params)
                    receiver._cond.notify_all()
                # One write, no Nagle: split small writes would stall on delayed ACKs.
                self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: the test reads self.reports

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # smsbox opens many callbacks at once; 5 drops some

        self._server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/sms/dlr"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def wait_for(self, predicate, count: int = 1, timeout: float = 10.0):
        """The reports matching ``predicate`` once there are ``count`` of them (or at timeout)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                matching = [r for r in self.reports if predicate(r)]
                remaining = deadline - time.monotonic()
                if len(matching) >= count or remaining <= 0:
                    return matching
                self._cond.wait(remaining)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
