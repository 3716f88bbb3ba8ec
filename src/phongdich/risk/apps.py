from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "phongdich.risk"
    verbose_name = _("Risk levels and workplace risk")

    def ready(self) -> None:
        from phongdich.risk import dashboard, rules, tasks  # noqa: F401  (registration)
