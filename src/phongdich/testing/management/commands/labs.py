"""``phongdich labs list|add NAME --province CODE [--technician USER…]|assign LAB USER [--remove]``.

A lab technician sees the work list, receives samples and enters results only for the
laboratories they belong to; this is how an administrator sets that up without Django admin.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from phongdich.accounts.models import User
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.testing.actions import do_assign_technician, do_create_lab
from phongdich.testing.models import Lab


def _message(error: DomainError | InputErrors) -> str:
    errors = error.errors if isinstance(error, InputErrors) else [error]
    return "; ".join(f"{e.message_vi} / {e.message_en}" for e in errors)


class Command(BaseCommand):
    help = (
        "Laboratories and their technicians: 'list'; 'add NAME --province CODE "
        "[--technician USERNAME …]'; 'assign LAB USERNAME [--remove]' (LAB is the id 'list' "
        "prints, or the exact name)."
    )

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("list", help="every laboratory with its technicians")
        add = commands.add_parser("add", help="register a laboratory of a province")
        add.add_argument("name")
        add.add_argument("--province", type=int, required=True, help="province code, e.g. 38")
        add.add_argument(
            "--technician", action="append", default=[], help="username of a lab technician"
        )
        assign = commands.add_parser("assign", help="add a technician to a laboratory")
        assign.add_argument("lab", help="laboratory id or name")
        assign.add_argument("username")
        assign.add_argument("--remove", action="store_true", help="take them off instead")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "_" + action)(**options)
        except (DomainError, InputErrors) as error:
            raise CommandError(_message(error)) from None

    def _list(self, **options):
        labs = Lab.objects.select_related("province").prefetch_related("staff").order_by("pk")
        if not labs:
            self.stdout.write("Chưa có phòng xét nghiệm nào. / No laboratory yet.")
        for lab in labs:
            staff = ", ".join(sorted(u.username for u in lab.staff.all())) or "—"
            self.stdout.write(f"{lab.pk:4}  {lab.name} ({lab.province.name}): {staff}")

    def _add(self, *, name: str, province: int, technician: list[str], **options):
        users = [_user(username) for username in technician]
        with transaction.atomic():  # a lab with a refused technician is not left half-made
            lab = do_create_lab(name, province)
            for user in users:
                do_assign_technician(lab, user)
        self.stdout.write(f"Đã tạo phòng xét nghiệm #{lab.pk} {lab.name} / Created lab #{lab.pk}.")

    def _assign(self, *, lab: str, username: str, remove: bool, **options):
        found = _lab(lab)
        changed = do_assign_technician(found, _user(username), remove=remove)
        verb = ("đã rời", "left") if remove else ("đã thuộc", "now belongs to")
        if not changed:
            verb = ("không đổi:", "unchanged:")
        self.stdout.write(f"{username} {verb[0]} {found.name} / {username} {verb[1]} {found.name}")


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"Không có tài khoản {username!r}. / No account {username!r}.")
    return user


def _lab(ref: str) -> Lab:
    lab = (
        Lab.objects.filter(pk=int(ref)).first()
        if ref.isdigit()
        else Lab.objects.filter(name=ref).first()
    )
    if lab is None:
        raise CommandError(
            f"Không có phòng xét nghiệm {ref!r} (xem 'phongdich labs list'). / No lab {ref!r}."
        )
    return lab
