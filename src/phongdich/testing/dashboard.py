from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role, User
from phongdich.core.dashboard import register_cards, register_setup_check
from phongdich.testing.models import Lab
from phongdich.testing.queries import OFFICERS, positives_for, work_list


@register_cards
def testing_cards(user):
    if user.role not in {*OFFICERS, Role.LAB_TECHNICIAN, Role.ADMIN}:
        return []
    cards = [
        {
            "title": _("Sampling sessions"),
            "value": None,
            "text": _("Register people, tubes and pools"),
            "url": reverse("testing:sessions"),
        }
    ]
    if user.role in {*OFFICERS, Role.ADMIN}:
        cards.append(
            {
                "title": _("Positive results"),
                "value": positives_for(user).count(),
                "text": _("in the last 7 days, each opened as a case (F0)"),
                "url": reverse("testing:positives"),
            }
        )
    if user.role == Role.LAB_TECHNICIAN and not Lab.objects.filter(staff=user).exists():
        cards.append(
            {
                "title": _("No laboratory yet"),
                "value": None,
                "text": _(
                    "Your account does not belong to a laboratory: ask an administrator to add "
                    "you to yours. Until then you cannot receive samples or enter results."
                ),
                "url": reverse("testing:lab"),
                "warning": True,
            }
        )
    if user.role in {Role.LAB_TECHNICIAN, Role.ADMIN}:
        lists = work_list(user, limit=1000)
        cards.append(
            {
                "title": _("Lab work list"),
                "value": len(lists["result"]) + len(lists["retest"]),
                "text": _("pools and tubes waiting for a result, retests included"),
                "url": reverse("testing:lab"),
            }
        )
    return cards


@register_setup_check
def testing_setup():
    missing = []
    if not Lab.objects.exists():
        missing.append(
            (
                _("No laboratory is registered: lab technicians cannot receive samples."),
                'phongdich labs add "<tên>" --province <mã tỉnh> --technician <tài khoản>',
            )
        )
    alone = User.objects.filter(role=Role.LAB_TECHNICIAN, is_active=True, labs__isnull=True)
    names = sorted(alone.values_list("username", flat=True)[:5])
    if names:
        missing.append(
            (
                _("Lab technicians who belong to no laboratory: %(names)s")
                % {"names": ", ".join(names)},
                "phongdich labs assign <lab> <tài khoản>",
            )
        )
    return missing
