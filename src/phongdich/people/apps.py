from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "phongdich.people"
    verbose_name = _("People")

    def ready(self) -> None:
        from phongdich.people import dashboard  # noqa: F401  (registers its card)
