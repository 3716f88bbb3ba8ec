"""Settings of campaigns (docs/reference/sms.md). An administrator changes them in admin
(*Rules*); values no official text confirms say so."""

from __future__ import annotations

from phongdich.core.rules import define

UNCONFIRMED = "unconfirmed: house rule, no official text found (docs/reference/sms.md)"
DECREE_91 = (
    "Decree 91/2020/NĐ-CP art. 12 (advertising SMS: 07:00–22:00, 3 a day; docs/reference/sms.md)"
)

APPROVAL_ABOVE = define(
    "campaigns.approval_above",
    500,
    "A campaign reaching more numbers than this needs a second person's approval (a ward's "
    "People's Committee chairperson, or a province officer), not its author's.",
    UNCONFIRMED,
    check=lambda v: 0 <= v <= 10_000_000,
)
QUIET_FROM = define(
    "campaigns.send_from_hour",
    7,
    "Campaign messages go out from this hour (local time) ...",
    DECREE_91,
    check=lambda v: 0 <= v <= 23,
)
QUIET_UNTIL = define(
    "campaigns.send_until_hour",
    22,
    "... until this hour (exclusive); outside it sending waits for the next morning.",
    DECREE_91,
    check=lambda v: 1 <= v <= 24,
)
DAILY_CAP = define(
    "campaigns.daily_cap",
    3,
    "At most this many bulk messages to one number on one day (all senders count); the rest "
    "wait for the next day.",
    DECREE_91,
    check=lambda v: 1 <= v <= 100,
)
OPT_OUT_FOOTER = define(
    "campaigns.opt_out_footer",
    "Tra loi TC de tu choi nhan tin.",
    "Appended to every campaign message: how to refuse further messages (a reply with TC or "
    "STOP; name the operator's short code here if replies go to one; {sender} is the "
    "registered sender name). Empty: none.",
    "Decree 91/2020/NĐ-CP art. 12: a message says how to refuse (docs/reference/sms.md)",
)
BATCH = define(
    "campaigns.batch_size",
    200,
    "Messages one worker takes at a time.",
    "house rule",
    check=lambda v: 1 <= v <= 5000,
)
THREADS = define(
    "campaigns.sender_threads",
    8,
    "Parallel connections to the SMS gateway per worker (Kannel keeps each alive).",
    "house rule (benchmarks/campaigns.py)",
    check=lambda v: 1 <= v <= 64,
)
