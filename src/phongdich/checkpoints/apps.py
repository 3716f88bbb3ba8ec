from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "phongdich.checkpoints"
    verbose_name = _("Checkpoints (Điểm kiểm dịch)")

    def ready(self) -> None:
        from phongdich.accounts.venues import register_venue_finder
        from phongdich.checkpoints import dashboard, tasks, venue_cache  # noqa: F401  (registration)
        from phongdich.checkpoints.queries import get_venue_by_code, seen_at_own_venue
        from phongdich.people.identity import register_reach_rule

        register_venue_finder(get_venue_by_code)
        register_reach_rule(seen_at_own_venue)
