from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.core.dashboard import register_cards
from phongdich.risk.queries import proposals_for

STAFF = {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.CHAIRPERSON}


@register_cards
def risk_cards(user):
    if user.role not in STAFF:
        return []
    return [
        {
            "title": _("Risk levels"),
            "value": proposals_for(user).count(),
            "text": _("proposals waiting for approval"),
            "url": reverse("risk:levels"),
        },
        {
            "title": _("Epidemic map"),
            "value": None,
            "text": _("Levels, cases, venues and sessions by ward"),
            "url": reverse("risk:staff_map"),
        },
    ]
