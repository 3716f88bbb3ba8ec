from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "phongdich.tracing"
    verbose_name = _("Contact tracing")

    def ready(self) -> None:
        from phongdich.people.identity import register_reach_rule
        from phongdich.tracing.reach import recorded_in_area

        register_reach_rule(recorded_in_area)
        from phongdich.tracing import dashboard, holds, rules, tasks  # noqa: F401  (registration)
