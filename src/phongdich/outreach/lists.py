"""Where the robot's answers show up in other apps' pages, through their registries: a contact
who reported symptoms is due a test now (tracing's work list, task "test"), and every person
shown on a case links to their call log (``core.person_links``)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from phongdich.core.person_links import register_person_link
from phongdich.outreach.models import OPEN, FollowUp, FollowUpKind


def symptomatic_contacts() -> Q:
    flagged = FollowUp.objects.filter(
        OPEN, kind=FollowUpKind.SYMPTOMS, contact__isnull=False
    ).values("contact_id")
    return Q(pk__in=flagged)


def call_log_link(person_id: int):
    return _("Call log"), reverse("outreach:person", args=[person_id])


def register_work_lists() -> None:
    from phongdich.tracing.queries import WORK_SOURCES, register_work_source

    if symptomatic_contacts not in WORK_SOURCES.get("test", []):
        register_work_source("test", symptomatic_contacts)
    register_person_link(call_log_link)
