from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.checkpoints.models import VenueStatus
from phongdich.checkpoints.queries import list_venues_for
from phongdich.core.dashboard import register_cards


@register_cards
def checkpoint_cards(user):
    if user.role not in {Role.ADMIN, Role.PROVINCE_OFFICER, Role.WARD_OFFICER, Role.VENUE_STAFF}:
        return []
    venues = list_venues_for(user)
    cards = [
        {
            "title": _("Checkpoints"),
            "value": venues.filter(status=VenueStatus.ACTIVE).count(),
            "text": _("active checkpoints"),
            "url": reverse("checkpoints:venues"),
        }
    ]
    pending = venues.filter(status=VenueStatus.PENDING).count()
    if pending and user.role != Role.VENUE_STAFF:
        cards.append(
            {
                "title": _("Waiting for approval"),
                "value": pending,
                "text": _("self-registered checkpoints"),
                "url": reverse("checkpoints:venues") + "?status=pending",
            }
        )
    return cards
