from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.core.dashboard import register_cards
from phongdich.outreach.queries import OFFICER_ROLES, follow_ups_for, queue_for


@register_cards
def outreach_cards(user):
    if user.role not in {*OFFICER_ROLES, "admin"}:
        return []
    waiting = follow_ups_for(user).count()
    queued = queue_for(user)["pending"].count()
    return [
        {
            "title": _("Robot calls"),
            "value": waiting,
            "text": _("people to call back after a robot call; %(n)s calls waiting")
            % {"n": queued},
            "url": reverse("outreach:follow_ups"),
        }
    ]
