from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel under every app: rules, periodic jobs and the worker, the outbox of domain
    events, dashboard and rate-limit registries, health check, ``serve``. It imports no app."""

    name = "phongdich.core"
    label = "core"
    verbose_name = _("Platform core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from phongdich.core import outbox_tasks  # noqa: F401  (registers its periodic job)
