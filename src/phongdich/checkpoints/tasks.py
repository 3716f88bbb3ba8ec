"""Periodic jobs of checkpoints, run by ``phongdich worker``."""

from phongdich.checkpoints.actions import do_auto_checkout, do_purge_old_visits
from phongdich.core.schedule import periodic


@periodic("checkpoints.auto_checkout", every_seconds=300)
def auto_checkout() -> int:
    return do_auto_checkout()


@periodic("checkpoints.purge_old_visits", every_seconds=3600)
def purge_old_visits() -> int:
    return do_purge_old_visits()
