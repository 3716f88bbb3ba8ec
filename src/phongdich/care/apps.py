from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "phongdich.care"
    verbose_name = _("Home care")

    def ready(self) -> None:
        from phongdich.care import alerts, dashboard, rules  # noqa: F401  (registration)
