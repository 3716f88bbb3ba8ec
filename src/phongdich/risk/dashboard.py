from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.jurisdiction import area_q
from phongdich.accounts.models import Role
from phongdich.core.dashboard import register_cards
from phongdich.risk.fixes import today
from phongdich.risk.models import InspectionTask, RequiredFix, overdue_q
from phongdich.risk.queries import proposals_for

OFFICERS = {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER}  # who works inspections
STAFF = {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.CHAIRPERSON}


@register_cards
def risk_cards(user):
    if user.role not in STAFF:
        return []
    cards = [
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
    if user.role in OFFICERS:
        cards.append(
            {
                "title": _("Overdue fixes"),
                "value": RequiredFix.objects.filter(
                    overdue_q(today()),
                    task__in=InspectionTask.objects.filter(area_q(user), status="open"),
                ).count(),
                "text": _("required fixes past their deadline, in inspections of your area"),
                "url": reverse("risk:inspections") + "?overdue=1",
            }
        )
    return cards
