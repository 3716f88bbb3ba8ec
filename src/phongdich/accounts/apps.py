from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "phongdich.accounts"
    verbose_name = _("Staff accounts and audit")

    def ready(self) -> None:
        from phongdich.accounts.rule_audit import record_rule_change
        from phongdich.core.signals import rule_changed

        rule_changed.connect(record_rule_change, dispatch_uid="accounts.rule_audit")
