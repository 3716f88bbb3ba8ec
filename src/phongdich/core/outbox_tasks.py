"""The outbox's housekeeping job; delivery itself runs in every round of ``phongdich worker``."""

from phongdich.core.events import purge_delivered
from phongdich.core.schedule import periodic


@periodic("outbox.purge", every_seconds=24 * 3600)
def purge_outbox() -> int:
    return purge_delivered()


@periodic("sms.purge_counts", every_seconds=24 * 3600)
def purge_sms_counts() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from phongdich.core.sms import purge_counts
    from phongdich.lib.timeutil import local_date

    return purge_counts(local_date(timezone.now()) - timedelta(days=2))
