from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.actions import do_issue_token, do_revoke_tokens
from phongdich.accounts.models import User


class Command(BaseCommand):
    help = (
        "Print a new API token for USERNAME (send it as 'Authorization: Bearer <token>'); "
        "--revoke revokes the user's tokens (or the one starting with --prefix)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, help="days until it expires (PHONGDICH_API_TOKEN_DAYS; 0: never)"
        )
        parser.add_argument("--revoke", action="store_true", help="revoke instead of issuing")
        parser.add_argument("--prefix", default="", help="with --revoke: only this token")

    def handle(self, *args, **opts):
        if opts["revoke"]:
            user = User.objects.filter(username=opts["username"]).first()
            if user is None:
                raise CommandError(f"No user {opts['username']!r}")
            count = do_revoke_tokens(user, prefix=opts["prefix"])
            self.stdout.write(f"revoked {count} token(s)")
            return
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['username']!r}")
        if opts["days"] is not None and not 0 <= opts["days"] <= 3650:
            raise CommandError("--days: expected 0 to 3650")
        self.stdout.write(do_issue_token(user, days=opts["days"]))
