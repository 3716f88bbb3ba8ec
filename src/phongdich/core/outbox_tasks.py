"""The outbox's housekeeping job; delivery itself runs in every round of ``phongdich worker``."""

from phongdich.core.events import purge_delivered
from phongdich.core.schedule import periodic


@periodic("outbox.purge", every_seconds=24 * 3600)
def purge_outbox() -> int:
    return purge_delivered()
