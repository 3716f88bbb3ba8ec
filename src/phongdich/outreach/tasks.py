"""The dialler as a periodic job of ``phongdich worker`` (every 20 s: the due plans, at most
``outreach.concurrent_calls`` at once). ``phongdich dial`` runs it by hand."""

from __future__ import annotations

from phongdich.core.schedule import periodic
from phongdich.outreach.dialer import dial_due


@periodic("outreach.dial", every_seconds=20)
def dial() -> dict[str, object]:
    report = dial_due()
    return {"placed": report.placed, "recorded": report.recorded, **report.outcomes}
