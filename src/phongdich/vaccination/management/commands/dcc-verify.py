"""``phongdich dcc-verify [--trust CERT]… [--at ISO-TIME] (HC1-TEXT | FILE)`` — check any HC1
certificate, ours or another country's, and print the outcome as JSON.

FILE is a text file holding ``HC1:…`` (``-`` reads standard input), or a JSON file in the format of
the EU conformance data (dgc-testdata), which brings its own signing certificate
(``TESTCTX.CERTIFICATE``) and clock (``TESTCTX.VALIDATIONCLOCK``); its ``PREFIX`` is verified.
A clock without a time-zone offset is read as UTC, as the data's own harness does
(docs/reference/dcc-conformance.md); the output's ``notes`` then say so (``clock_assumed_utc``),
in Vietnamese and English, and so does standard error.

Trust: every ``--trust`` (a PEM or DER certificate, or a trust list JSON as exported by
``certkeys export-trust-list``) plus the file's own certificate; with neither, this server's trust
list. ``--at`` overrides the time (default: the file's clock, else now).

The exit status is 0 when the certificate is valid and 1 when it is not.
"""

from __future__ import annotations

import base64
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from phongdich.lib.dcc import TrustList, load_certificate
from phongdich.lib.dcc.clock import ValidationClock, note_message, parse_validation_clock
from phongdich.vaccination.certificates import result_dict, verify_text
from phongdich.vaccination.keys import trust_list


def _trust_from_file(path: str, trust: TrustList) -> None:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"--trust {path}: {exc.strerror}") from None
    try:
        if data.lstrip().startswith(b"{"):
            for entry in TrustList.from_json(data):
                trust.add(entry)
        else:
            trust.add(load_certificate(data))
    except ValueError as exc:
        raise CommandError(f"--trust {path}: not a certificate or trust list ({exc})") from None


def _instant(text: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"{what}: not an ISO 8601 time: {text!r}") from None
    if timezone.is_naive(moment):
        raise CommandError(f"{what}: give a time zone offset, e.g. {text}+07:00")
    return moment


def _file_clock(text: str) -> ValidationClock:
    # Unlike --at, which an operator types (and would mean local time), a conformance file
    # without an offset means UTC: most of NL's data is written that way.
    try:
        return parse_validation_clock(text)
    except ValueError:
        raise CommandError(f"TESTCTX.VALIDATIONCLOCK: not an ISO 8601 time: {text!r}") from None


def _note(code: str) -> dict[str, str]:
    message_vi, message_en = note_message(code)
    return {"code": code, "message_vi": message_vi, "message_en": message_en}


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument(
            "certificate",
            help="HC1:… text, a file holding it, or a "
            "conformance-data JSON file ('-' for standard input)",
        )
        parser.add_argument(
            "--trust",
            action="append",
            default=[],
            metavar="CERT",
            help="a signing certificate (PEM/DER) or trust list JSON; repeatable",
        )
        parser.add_argument("--at", help="verify at this ISO 8601 time instead of now")

    def _read(self, argument: str) -> tuple[str, dict[str, Any] | None]:
        if argument.strip().upper().startswith("HC1:") or argument == "":
            return argument, None
        if argument == "-":
            return sys.stdin.read(), None
        path = Path(argument)
        if not path.is_file():
            return argument, None  # not a file: verify it as text (it will fail at 'unprefix')
        text = path.read_text(encoding="utf-8-sig")
        if text.lstrip().startswith("{"):
            try:
                document = json.loads(text)
            except ValueError as exc:
                raise CommandError(f"{argument}: invalid JSON ({exc})") from None
            if not isinstance(document, dict) or "PREFIX" not in document:
                raise CommandError(f"{argument}: not a conformance-data file (no PREFIX)")
            return str(document["PREFIX"]), document
        return text, None

    def handle(self, *args, certificate: str, trust: list[str], at: str | None, **options):
        text, document = self._read(certificate)
        context = (document or {}).get("TESTCTX") or {}
        own = TrustList()
        for path in trust:
            _trust_from_file(path, own)
        if context.get("CERTIFICATE"):
            try:
                own.add(load_certificate(base64.b64decode(context["CERTIFICATE"])))
            except ValueError as exc:
                raise CommandError(f"TESTCTX.CERTIFICATE is not a certificate ({exc})") from None
        chosen = own if trust or context.get("CERTIFICATE") else trust_list()
        if at:
            clock = ValidationClock(_instant(at, "--at"))
        elif context.get("VALIDATIONCLOCK"):
            clock = _file_clock(str(context["VALIDATIONCLOCK"]))
        else:
            clock = ValidationClock(timezone.now())
        outcome = result_dict(verify_text(text, at=clock.moment, trust=chosen))
        outcome["verified_at"] = clock.moment.isoformat()
        outcome["notes"] = [_note(code) for code in clock.notes]
        for note in outcome["notes"]:
            self.stderr.write(f"{note['message_vi']} / {note['message_en']}")
        self.stdout.write(json.dumps(outcome, ensure_ascii=False, indent=2, default=str))
        self.valid = outcome["valid"]

    def run_from_argv(self, argv):
        # call_command() returns normally; from the shell the exit status says valid or not.
        self.valid = False
        super().run_from_argv(argv)
        sys.exit(0 if self.valid else 1)
