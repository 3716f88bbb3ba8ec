"""Settings of the robot calls, as rules an administrator can change (docs/reference/outreach.md).

Decree 91/2020/NĐ-CP's windows are for advertising calls (08:00-17:00) and SMS (07:00-22:00);
health calls are not advertising, so they are defaults here, unconfirmed as binding.
"""

from __future__ import annotations

import re

from phongdich.core.rules import define

_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

MAX_ATTEMPTS = define(
    "outreach.max_attempts",
    3,
    "Calls placed to one person for one plan before it goes to the officer's manual list "
    "(busy, no answer and failed calls are retried).",
    "unconfirmed; what users of RapidPro/Surveda ask for (docs/reference/outreach.md)",
    check=lambda v: 1 <= v <= 10,
)
RETRY_MINUTES = define(
    "outreach.retry_minutes",
    30,
    "Minutes between two attempts of one plan.",
    "unconfirmed",
    check=lambda v: 1 <= v <= 24 * 60,
)
CALL_FROM = define(
    "outreach.call_from",
    "08:00",
    "Robot calls start at this local time (HH:MM).",
    "Decree 91/2020/NĐ-CP, advertising calls 08:00-17:00; a default, unconfirmed for health calls",
    check=lambda v: bool(_HHMM.match(v)),
)
CALL_UNTIL = define(
    "outreach.call_until",
    "17:00",
    "Robot calls stop at this local time (HH:MM, exclusive).",
    "Decree 91/2020/NĐ-CP, advertising calls 08:00-17:00; a default, unconfirmed for health calls",
    check=lambda v: bool(_HHMM.match(v)),
)
DAILY_CAP = define(
    "outreach.daily_cap",
    3,
    "Robot calls one phone number may get in one day (all plans together).",
    "unconfirmed; Decree 91/2020 caps advertising SMS at 3 a day, used here for calls",
    check=lambda v: 1 <= v <= 20,
)
ANNOUNCE_MINUTES = define(
    "outreach.announce_minutes",
    5,
    "Minutes between the announcing SMS and the first call, so the call is expected.",
    "unconfirmed; the 18001119 call bot's lesson (docs/reference/outreach.md)",
    check=lambda v: 0 <= v <= 240,
)
CONCURRENT_CALLS = define(
    "outreach.concurrent_calls",
    50,
    "Calls one dialler process holds at once.",
    "measured: benchmarks/calls.py",
    check=lambda v: 1 <= v <= 500,
)
