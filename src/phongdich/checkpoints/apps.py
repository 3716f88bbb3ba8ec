from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "phongdich.checkpoints"
    verbose_name = _("Checkpoints (Điểm kiểm dịch)")

    def ready(self) -> None:
        from phongdich.checkpoints import dashboard, tasks, venue_cache  # noqa: F401  (registration)
