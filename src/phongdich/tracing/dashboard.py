from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.models import Role
from phongdich.core.dashboard import register_cards
from phongdich.tracing.queries import TRACING_ROLES, open_cases_count


@register_cards
def tracing_cards(user):
    if user.role not in {*TRACING_ROLES, Role.ADMIN}:
        return []
    return [
        {
            "title": _("Cases (F0)"),
            "value": open_cases_count(user),
            "text": _("under investigation"),
            "url": reverse("tracing:cases"),
        },
        {
            "title": _("Today's work list"),
            "value": None,
            "text": _("Contacts due a call, a test or release"),
            "url": reverse("tracing:worklist"),
        },
        {
            "title": _("Transmission chains"),
            "value": None,
            "text": _("Cases, contacts and venues"),
            "url": reverse("tracing:chains"),
        },
    ]
