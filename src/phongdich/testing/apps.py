from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "phongdich.testing"
    label = "testing"
    verbose_name = _("Testing")

    def ready(self) -> None:
        from phongdich.people.identity import register_reach_rule
        from phongdich.testing.reach import sampled_in_area

        register_reach_rule(sampled_in_area)
        from phongdich.testing import dashboard, rules, tasks  # noqa: F401  (registration)
