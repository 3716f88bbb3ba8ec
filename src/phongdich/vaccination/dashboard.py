from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.accounts.jurisdiction import area_q
from phongdich.accounts.models import Role
from phongdich.core.dashboard import register_cards, register_setup_check
from phongdich.lib.timeutil import local_date
from phongdich.vaccination.models import (
    AdverseEvent,
    KeyKind,
    KeyStatus,
    Session,
    SessionStatus,
    Severity,
    SigningKey,
)
from phongdich.vaccination.queries import AEFI_ROLES, OFFICERS, VACCINATION_ROLES


@register_cards
def vaccination_cards(user):
    if user.role not in {*AEFI_ROLES, Role.ADMIN}:
        return []
    today = local_date(timezone.now())
    cards = []
    if user.role in {*VACCINATION_ROLES, Role.ADMIN}:
        upcoming = Session.objects.filter(
            area_q(user, "ward"),
            date__gte=today,
            status__in=[SessionStatus.PLANNED, SessionStatus.OPEN],
        )
        cards.append(
            {
                "title": _("Vaccination sessions"),
                "value": upcoming.count(),
                "text": _("planned or open"),
                "url": reverse("vaccination:sessions"),
            }
        )
    serious = AdverseEvent.objects.filter(
        area_q(user, "ward"),
        severity__in=[Severity.SEVERE, Severity.SERIOUS],
        onset_at__gte=timezone.now() - timedelta(days=30),
    ).count()
    cards.append(
        {
            "title": _("Adverse events"),
            "value": serious,
            "text": _("severe or serious in the last 30 days"),
            "url": reverse("vaccination:adverse_events"),
        }
    )
    if user.role in {*OFFICERS, Role.ADMIN}:
        cards.append(
            {
                "title": _("Vaccination coverage"),
                "value": None,
                "text": _("By ward and age band"),
                "url": reverse("vaccination:coverage"),
            }
        )
    return cards


@register_setup_check
def signing_keys_setup():
    if SigningKey.objects.filter(kind=KeyKind.DSC, status=KeyStatus.ACTIVE).exists():
        return []
    return [
        (
            _("No certificate signing key: vaccination and test certificates cannot be issued."),
            "phongdich certkeys init",
        )
    ]
