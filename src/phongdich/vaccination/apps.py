from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "phongdich.vaccination"
    verbose_name = _("Vaccination")

    def ready(self) -> None:
        from phongdich.vaccination import dashboard, rules  # noqa: F401  (registration)
