from django.core.management.base import BaseCommand, CommandError

from phongdich.accounts.actions import AccountError, do_create_staff
from phongdich.accounts.models import Role
from phongdich.accounts.venues import can_find_venues, find_venue


class Command(BaseCommand):
    help = "Create a staff account with one role and one area (province or ward code)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", help="province code (e.g. 38) or ward code (e.g. 14797)")
        parser.add_argument("--venue", help="checkpoint code, for venue_staff")
        parser.add_argument("--password", help="generated and printed when omitted")
        parser.add_argument("--name", default="", help="full name")

    def handle(self, *args, **opts):
        venue = None
        if opts["venue"]:
            venue = _find_venue(opts["venue"])
        try:
            user, password = do_create_staff(
                opts["username"],
                opts["role"],
                area=opts["area"],
                password=opts["password"],
                full_name=opts["name"],
                venue=venue,
            )
        except AccountError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"created {user.username} ({user.role}, area {user.area_code or '-'})")
        if not opts["password"]:
            self.stdout.write(f"password: {password}")


def _find_venue(code: str):
    if not can_find_venues():
        raise CommandError("--venue needs the checkpoints app")
    venue = find_venue(code)
    if venue is None:
        raise CommandError(f"No checkpoint with code {code!r}")
    return venue
