from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.care.models import EnrolmentStatus
from phongdich.care.queries import CARE_ROLES, enrolments_for, open_alerts_for, own
from phongdich.core.dashboard import register_cards


@register_cards
def care_cards(user):
    if user.role not in {*CARE_ROLES, Role.ADMIN}:
        return []
    active = own(user, enrolments_for(user)).filter(status=EnrolmentStatus.ACTIVE)
    warnings = open_alerts_for(user).count()
    return [
        {
            "title": _("Home care"),
            "value": warnings,
            "text": _("warning signs not yet acknowledged, of %(n)s patients at home")
            % {"n": active.count()},
            "url": reverse("care:console"),
        }
    ]
