from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "phongdich.outreach"
    verbose_name = _("Robot calls")

    def ready(self) -> None:
        from phongdich.outreach import dashboard, handlers, rules, tasks  # noqa: F401  (registration)
        from phongdich.outreach.lists import register_work_lists

        register_work_lists()
