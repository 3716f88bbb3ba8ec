"""The worker's campaign job: every few seconds, send what is due (campaigns.sending)."""

from __future__ import annotations

from phongdich.campaigns import sending
from phongdich.core.schedule import periodic


@periodic("campaigns.send", every_seconds=2)
def send_campaigns() -> dict[str, int]:
    return sending.run()
