from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.core.dashboard import register_cards
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
