from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "phongdich.care"
    verbose_name = _("Home care")

    def ready(self) -> None:
        from phongdich.care import alerts, rules  # noqa: F401  (jobs, event handlers, rules)
