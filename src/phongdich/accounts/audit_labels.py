"""What the audit log's action codes mean, in the reader's language (the rows keep the codes)."""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext_lazy

from phongdich.accounts.models import Role

ACTIONS = {
    "add_contact": gettext_lazy("added a contact"),
    "add_to_pool": gettext_lazy("added to a pool"),
    "answer_invitation": gettext_lazy("answered an invitation"),
    "approve": gettext_lazy("approved"),
    "assign": gettext_lazy("assigned a technician"),
    "cancel": gettext_lazy("cancelled"),
    "case_from_result": gettext_lazy("opened a case from a result"),
    "case_not_created": gettext_lazy("case not opened"),
    "checkin_paper": gettext_lazy("entered a paper declaration"),
    "checkin_scan": gettext_lazy("checked in by scan"),
    "checkout": gettext_lazy("checked out"),
    "close": gettext_lazy("closed"),
    "create": gettext_lazy("created"),
    "delete_rule": gettext_lazy("deleted a rule"),
    "export": gettext_lazy("exported"),
    "invite": gettext_lazy("invited"),
    "issue_certificate": gettext_lazy("issued a certificate"),
    "issue_token": gettext_lazy("issued an API token"),
    "keys_init": gettext_lazy("created signing keys"),
    "keys_retire": gettext_lazy("retired a signing key"),
    "keys_rotate": gettext_lazy("rotated the signing key"),
    "login": gettext_lazy("logged in"),
    "login_failed": gettext_lazy("failed login"),
    "lookup": gettext_lazy("looked up"),
    "observe": gettext_lazy("recorded an observation"),
    "otp_failed": gettext_lazy("wrong two-factor code"),
    "override_window": gettext_lazy("adjusted the infectious window"),
    "pool_samples": gettext_lazy("pooled samples"),
    "print_certificate": gettext_lazy("printed a certificate"),
    "print_labels": gettext_lazy("printed labels"),
    "print_poster": gettext_lazy("printed a poster"),
    "public_lookup": gettext_lazy("looked up by a citizen"),
    "purge": gettext_lazy("purged old records"),
    "receive": gettext_lazy("received at the lab"),
    "record_dose": gettext_lazy("recorded a dose"),
    "record_results": gettext_lazy("recorded results"),
    "register": gettext_lazy("registered"),
    "register_sample": gettext_lazy("registered a sample"),
    "release_results": gettext_lazy("released results"),
    "report_aefi": gettext_lazy("reported an adverse event"),
    "reset_password": gettext_lazy("reset a password"),
    "rotate_code": gettext_lazy("issued a new code"),
    "screen": gettext_lazy("screened"),
    "search": gettext_lazy("searched"),
    "set_population": gettext_lazy("set a population figure"),
    "set_status": gettext_lazy("changed a status"),
    "unassign": gettext_lazy("removed a technician"),
    "update": gettext_lazy("changed"),
    "update_aefi": gettext_lazy("updated an adverse event"),
    "view": gettext_lazy("viewed"),
    "void_dose": gettext_lazy("voided a dose"),
}


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def role_label(code: str) -> str:
    return str(dict(Role.choices).get(code, code))


def record_label(object_type: str) -> str:
    """``tracing.case`` → the model's name (“ca bệnh”); other kinds of record unchanged."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return str(model._meta.verbose_name)
