from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.actions import do_issue_token
from phongdich.accounts.models import User


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (send it as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        user = User.objects.filter(username=opts["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {opts['username']!r}")
        self.stdout.write(do_issue_token(user))
