from __future__ import annotations

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from phongdich.core.dashboard import missing_setup
from phongdich.core.siteurl import PortTaken, check_port_free, use_base_url


class Command(BaseCommand):
    help = "Run the production server (gunicorn) and the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument(
            "--trusted-proxy",
            action="append",
            default=None,
            metavar="ADDRESS",
            help="a reverse proxy (address or network) whose X-Forwarded-For names the client; "
            "repeat for several (default: PHONGDICH_TRUSTED_PROXIES)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not start the background task worker alongside",
        )

    def handle(self, *args, **opts):
        if opts["trusted_proxy"] is not None:
            use_trusted_proxies(opts["trusted_proxy"])
        try:
            check_port_free(opts["host"], opts["port"])
        except PortTaken as taken:
            raise CommandError(str(taken)) from None
        base = use_base_url(opts["host"], opts["port"])
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        # gunicorn forks its workers from this process: a connection opened by migrate must not
        # be inherited, or workers would share one database socket and read each other's rows.
        for text, action in missing_setup():
            self.stderr.write(f"Cần thiết lập / setup needed: {text} → {action}")
        connections.close_all()
        worker = None
        if not opts["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "phongdich", "worker"])
        self.stdout.write(f"PhòngDịch: {base}/ (listening on {opts['host']}:{opts['port']})")
        try:
            run_gunicorn(opts["host"], opts["port"], opts["workers"], opts["threads"])
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)


def use_trusted_proxies(proxies: list[str]) -> None:
    """Trust these proxies' X-Forwarded-For in this process and the workers it forks."""
    import ipaddress

    from django.conf import settings

    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise CommandError(f"--trusted-proxy: {proxy!r} is not an address or network") from None
    settings.TRUSTED_PROXIES = list(proxies)


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    from django.core.servers.basehttp import get_internal_wsgi_application
    from gunicorn.app.base import BaseApplication

    # settings.WSGI_APPLICATION (the project's wsgi, with the check-in fast path): core does not
    # import the project level above it.
    application = get_internal_wsgi_application()

    class App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", None)
            self.cfg.set("timeout", 60)
            self.cfg.set("graceful_timeout", 10)

        def load(self):
            return application

    App().run()
