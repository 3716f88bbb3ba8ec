"""Testing rules (docs/reference/testing.md). Defaults here; an administrator overrides them in admin."""

from phongdich.core.rules import define

DORFMAN = "Dorfman, Ann. Math. Stat. 14:436 (1943); docs/reference/testing.md"

MAX_POOL_SIZE = define(
    "testing.max_pool_size",
    10,
    "Largest number of samples in one pooled RT-PCR tube (Vietnam pooled 5 or 10).",
    DORFMAN,
    check=lambda v: 2 <= v <= 50,
)
DEFAULT_PREVALENCE = define(
    "testing.default_prevalence",
    0.01,
    "Positivity rate assumed for pool-size advice while there are too few recent results.",
    DORFMAN,
    check=lambda v: 0 < v < 1,
)
PREVALENCE_DAYS = define(
    "testing.prevalence_days",
    14,
    "Days of results in the province used to estimate the recent positivity rate.",
    DORFMAN,
    check=lambda v: 1 <= v <= 90,
)
PREVALENCE_MIN_SAMPLES = define(
    "testing.prevalence_min_samples",
    200,
    "Fewest final results needed before the observed positivity rate replaces the default.",
    DORFMAN,
    check=lambda v: 1 <= v <= 100_000,
)
RELEASE_AUTOMATICALLY = define(
    "testing.release_automatically",
    True,
    "Release final results to the public lookup page as soon as they are in (otherwise a lab "
    "technician or officer releases each session's results).",
    "",
)
LOOKUP_PER_MINUTE = define(
    "testing.lookup_per_minute",
    10,
    "Public result lookups allowed per client address per minute.",
    "",
    check=lambda v: 1 <= v <= 1000,
)
LOOKUP_PER_CODE_HOUR = define(
    "testing.lookup_per_code_per_hour",
    10,
    "Lookups of one tube code allowed per hour from all addresses together (stops guessing the "
    "year of birth from many addresses).",
    "",
    check=lambda v: 1 <= v <= 1000,
)
CERTIFICATE_HOURS = define(
    "testing.certificate_valid_hours",
    72,
    "Hours a test certificate (DCC) stays valid after it is issued.",
    "EU DCC practice for test certificates",
    check=lambda v: 1 <= v <= 24 * 365,
)
CERTIFICATE_ISSUER = define(
    "testing.certificate_issuer",
    "Bộ Y tế",
    "Issuer printed in test certificates (DCC 'is').",
    "MOH Decision 5772/QĐ-BYT",
    check=lambda v: 0 < len(v) <= 80,
)
