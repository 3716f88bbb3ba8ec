from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.core.dashboard import register_cards
from phongdich.people.queries import list_open_claims


@register_cards
def claim_cards(user):
    if user.role not in {"admin", "province_officer", "ward_officer"}:
        return []
    return [
        {
            "title": _("Claims to settle"),
            "value": list_open_claims(user).count(),
            "text": _("details typed without proof that name your people"),
            "url": reverse("people:claims"),
        }
    ]
