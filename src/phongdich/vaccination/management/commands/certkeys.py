"""``phongdich certkeys init|rotate|retire KID|list|export-trust-list [FILE]``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phongdich.lib.errors import DomainError
from phongdich.vaccination import keys


class Command(BaseCommand):
    help = (
        "Certificate signing keys: 'init' creates an ES256 country signing CA and a document "
        "signer; 'rotate' makes a new signer active (the old one stays trusted); 'retire KID' "
        "removes a signer from the trust list; 'list'; 'export-trust-list [FILE]' writes the "
        "public trust list (kid → certificate) as JSON. Private keys are stored encrypted "
        "with PHONGDICH_CERT_KEY_PASSPHRASE."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("init", help="create the keys (does nothing when they exist)")
        rotate = commands.add_parser("rotate", help="new active document signer")
        rotate.add_argument(
            "--new-csca", action="store_true", help="also replace the country signing CA"
        )
        retire = commands.add_parser("retire", help="remove a signer from the trust list")
        retire.add_argument("kid", help="the signer's kid (base64 or hexadecimal)")
        commands.add_parser("list", help="every key with its status and validity")
        export = commands.add_parser("export-trust-list", help="the public trust list as JSON")
        export.add_argument("file", nargs="?", help="write here instead of standard output")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "_" + action.replace("-", "_"))(**options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message_en}") from None

    def _init(self, **options):
        signer, created = keys.do_init_keys()
        if created:
            self.stdout.write(
                f"Created the signing keys; active document signer kid {signer.kid} "
                f"(valid until {signer.not_after:%d/%m/%Y})."
            )
        else:
            self.stdout.write(
                f"Signing keys already exist; active document signer kid "
                f"{signer.kid}. Nothing changed (use 'certkeys rotate' for a new "
                "signer)."
            )

    def _rotate(self, *, new_csca: bool = False, **options):
        signer = keys.do_rotate_keys(new_csca=new_csca)
        self.stdout.write(
            f"New active document signer kid {signer.kid} (valid until "
            f"{signer.not_after:%d/%m/%Y}). The previous signer stays in the trust "
            "list until 'certkeys retire KID'."
        )

    def _retire(self, *, kid: str, **options):
        row = keys.do_retire_key(kid)
        self.stdout.write(f"Retired {row.kid}: certificates it signed no longer verify here.")

    def _list(self, **options):
        for row in keys.list_keys():
            self.stdout.write(
                f"{row.kind:4} {row.kid:14} {row.status:8} "
                f"{row.not_before:%d/%m/%Y} → {row.not_after:%d/%m/%Y}"
            )

    def _export_trust_list(self, *, file: str | None = None, **options):
        text = keys.trust_list_json()
        if file:
            Path(file).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"Wrote the trust list to {file}.")
        else:
            self.stdout.write(text)
