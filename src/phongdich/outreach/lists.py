"""Where the robot's answers show up in other apps' lists, through their registries: a contact
who reported symptoms is due a test now (tracing's work list, task "test")."""

from __future__ import annotations

from django.db.models import Q

from phongdich.outreach.models import OPEN, FollowUp, FollowUpKind


def symptomatic_contacts() -> Q:
    flagged = FollowUp.objects.filter(
        OPEN, kind=FollowUpKind.SYMPTOMS, contact__isnull=False
    ).values("contact_id")
    return Q(pk__in=flagged)


def register_work_lists() -> None:
    from phongdich.tracing.queries import WORK_SOURCES, register_work_source

    if symptomatic_contacts not in WORK_SOURCES.get("test", []):
        register_work_source("test", symptomatic_contacts)
