"""Where the site answers: the address printed in links, poster QR codes and certificates.

``PHONGDICH_BASE_URL`` wins when it is set (a proxy, a domain name). Without it, ``serve`` and
``demo`` derive it from their ``--host``/``--port``, so a demo on port 8010 does not print
posters whose QR codes point at port 8000. A port already in use is reported in Vietnamese and
English before anything starts.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket

from django.conf import settings

ENV = "PHONGDICH_BASE_URL"
ANY_ADDRESS = {"0.0.0.0", "::", ""}  # noqa: S104 - the addresses that mean "every interface"


class PortTaken(Exception):
    def __init__(self, host: str, port: int, reason: str) -> None:
        self.host, self.port = host, port
        where = f"{host}:{port}" if host else f"port {port}"
        super().__init__(
            f"Không mở được {where}: {reason}. Hãy dừng chương "
            f"trình đang dùng cổng này hoặc chọn cổng khác (--port). / Cannot listen on "
            f"{where}: {reason}. Stop the program using it or choose "
            "another port with --port."
        )


def _lan_address() -> str:
    """The address other machines reach this one at (for ``--host 0.0.0.0``); no packet is
    sent: connecting a UDP socket only asks the kernel which interface it would use."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("10.255.255.255", 1))
        return s.getsockname()[0]
    return "127.0.0.1"


_SET_HERE: list[str] = []  # values this process wrote to the environment itself


def derived_base_url(host: str, port: int) -> str:
    """``PHONGDICH_BASE_URL`` when set, else the address ``--host``/``--port`` serve on."""
    given = os.environ.get(ENV, "").strip()
    if given and given not in _SET_HERE:
        return str(settings.BASE_URL)
    shown = _lan_address() if host in ANY_ADDRESS else host
    if ":" in shown:  # an IPv6 literal
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def use_base_url(host: str, port: int) -> str:
    """Make this process (and the processes it starts) use the derived address."""
    url = derived_base_url(host, port)
    if url == settings.BASE_URL:
        return url
    os.environ[ENV] = url
    _SET_HERE.append(url)
    settings.BASE_URL = url
    settings.CSRF_TRUSTED_ORIGINS = [*settings.CSRF_TRUSTED_ORIGINS, url]
    if not os.environ.get("ALLOWED_HOSTS", "").strip():
        name = url.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
        if name not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, name]
            os.environ["ALLOWED_HOSTS"] = ",".join(settings.ALLOWED_HOSTS)
    return url


def check_port_free(host: str, port: int) -> None:
    """Raise ``PortTaken`` with a message for people when ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: SO_REUSEADDR, so a port in TIME_WAIT after a restart is not "taken".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            reason = {
                errno.EADDRINUSE: "cổng đang được chương trình khác dùng / already in use",
                errno.EACCES: "không đủ quyền / permission denied",
                errno.EADDRNOTAVAIL: "địa chỉ không thuộc máy này / address not on this machine",
            }.get(error.errno or 0, error.strerror or str(error))
            raise PortTaken(host, port, reason) from None
