"""Tracing rules (docs/reference/tracing.md). Defaults here; an administrator overrides them in admin."""

from phongdich.core.rules import define

MOH_2021 = "Ministry of Health guidance 2021–2022 (docs/reference/tracing.md)"

F1_MIN_OVERLAP = define(
    "tracing.f1_min_overlap_minutes",
    {"default": 15, "residential": 1},
    "Minutes of overlap at one venue on one day that make a contact F1, per venue kind "
    "(a household or closed office may use any overlap: 1 minute).",
    MOH_2021,
    check=lambda v: all(isinstance(m, int) and 1 <= m <= 24 * 60 for m in v.values()),
)
INFECTIOUS_DAYS_BEFORE = define(
    "tracing.infectious_days_before",
    2,
    "Days before symptom onset (or the positive sample) from which an F0 is infectious.",
    MOH_2021,
    check=lambda v: 0 <= v <= 14,
)
QUARANTINE_DAYS = define(
    "tracing.quarantine_days",
    7,
    "Days of quarantine for an F1 (vaccinated, Dec 2021).",
    MOH_2021,
    check=lambda v: 1 <= v <= 28,
)
MONITORING_DAYS = define(
    "tracing.monitoring_days",
    7,
    "Days of self-monitoring after quarantine.",
    MOH_2021,
    check=lambda v: 0 <= v <= 28,
)
MAX_VISIT_HOURS = define(
    "tracing.max_visit_hours",
    24,
    "Longest visit the search considers; visits are cut at local midnight when not closed.",
    "",
    check=lambda v: 1 <= v <= 72,
)
CLUSTER_DAYS = define(
    "tracing.cluster_days",
    14,
    "Two or more cases with infectious visits at one venue within this many days make a cluster.",
    "",
    check=lambda v: 1 <= v <= 60,
)
CROWD_THRESHOLD = define(
    "tracing.crowd_threshold",
    200,
    "More people than this present at a venue while an F1 was there make an exposure window "
    "(venue, time, how many) instead of an F2 list; officers list its people on request.",
    "NHS COVID-19 app venue alerts; CrowdNotifier (docs/reference/tracing.md). Unconfirmed "
    "value: no Vietnamese guidance sets a number.",
    check=lambda v: isinstance(v, int) and 1 <= v <= 1_000_000,
)
FULL_RETRACE_HOURS = define(
    "tracing.full_retrace_hours",
    24,
    "Hours after which an open case is searched again in full even when no new visits arrived "
    "near it (late check-outs change a visit without giving it a new id).",
    "",
    check=lambda v: isinstance(v, int) and 1 <= v <= 24 * 14,
)
