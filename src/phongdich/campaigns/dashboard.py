from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.campaigns.models import Status
from phongdich.campaigns.queries import STAFF, campaigns_for
from phongdich.core.dashboard import register_cards


@register_cards
def campaign_cards(user):
    if user.role not in (*STAFF, Role.ADMIN):
        return []
    waiting = campaigns_for(user).filter(
        status__in=[Status.AWAITING_APPROVAL, Status.SCHEDULED, Status.SENDING]
    )
    return [
        {
            "title": _("Information campaigns"),
            "value": waiting.count(),
            "text": _("awaiting approval, scheduled or sending"),
            "url": reverse("campaigns:list"),
        }
    ]
