from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaccinationConfig(AppConfig):
    name = "phongdich.vaccination"
    verbose_name = _("Vaccination")

    def ready(self) -> None:
        from phongdich.people.identity import register_reach_rule
        from phongdich.vaccination.reach import vaccinated_in_area

        register_reach_rule(vaccinated_in_area)
        from phongdich.vaccination import dashboard, rules  # noqa: F401  (registration)
