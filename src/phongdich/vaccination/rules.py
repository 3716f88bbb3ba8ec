"""Vaccination rules (docs/reference/vaccination.md). Defaults here; an administrator overrides them in admin.

The intervals come from Ministry of Health guidance of 2021 as reported at the time and were not
checked against the official text: they are settings, per vaccine product (value-set code), with a
``default`` for products not listed.
"""

from phongdich.core.rules import define
from phongdich.lib.dcc.valuesets import VACCINE_PRODUCTS

MOH_2021 = "Ministry of Health guidance 2021 (unverified; a setting)"


# An override is merged over the defaults (portal.rules.get_rule), so it may name a few products.
def _days(value: dict) -> bool:
    return all(isinstance(d, int) and 0 <= d <= 365 for d in value.values())


def _counts(value: dict) -> bool:
    return all(isinstance(n, int) and 1 <= n <= 5 for n in value.values())


MIN_INTERVAL_DAYS = define(
    "vaccination.min_interval_days",
    {
        "default": 21,
        "EU/1/20/1528": 21,
        "EU/1/20/1507": 28,
        "EU/1/21/1529": 28,
        "Covishield": 28,
        "BBIBP-CorV": 21,
        "Sputnik-V": 21,
        "Hayat-Vax": 21,
        "Abdala": 14,
        "CoronaVac": 14,
    },
    "Shortest interval in days between two doses of a primary series, by the product of the "
    "earlier dose.",
    MOH_2021,
    check=_days,
)
BOOSTER_INTERVAL_DAYS = define(
    "vaccination.booster_interval_days",
    90,
    "Shortest interval in days between the end of the primary series (or a booster) and the next "
    "booster.",
    MOH_2021,
    check=lambda v: 0 <= v <= 730,
)
PRIMARY_DOSES = define(
    "vaccination.primary_doses",
    {"default": 2, "EU/1/20/1525": 1, "Sputnik-Light": 1},
    "Doses in a primary series, by the product of the first dose; a person is fully vaccinated "
    "after them, later doses are boosters.",
    MOH_2021,
    check=_counts,
)
MAX_DOSES = define(
    "vaccination.max_doses",
    4,
    "Most doses a person may receive (two boosters).",
    MOH_2021,
    check=lambda v: 1 <= v <= 10,
)
MIN_AGE_YEARS = define(
    "vaccination.min_age_years",
    5,
    "Youngest age (in years, by year of birth) that may be vaccinated.",
    MOH_2021,
    check=lambda v: 0 <= v <= 18,
)
OBSERVATION_MINUTES = define(
    "vaccination.observation_minutes",
    {"eligible": 30, "precaution": 60},
    "Minutes of observation after a dose, by screening result.",
    MOH_2021,
    check=lambda v: all(isinstance(m, int) and 0 <= m <= 240 for m in v.values()),
)
CERTIFICATE_VALIDITY_MONTHS = define(
    "vaccination.certificate_validity_months",
    12,
    "Months a vaccination certificate is valid from issue.",
    "MOH Decision 5772/QĐ-BYT, 20 Dec 2021 (docs/reference/vaccination.md)",
    check=lambda v: 1 <= v <= 60,
)
CERTIFICATE_ISSUER = define(
    "vaccination.certificate_issuer",
    "Bộ Y tế",
    "The issuer written into certificates (field 'is', at most 80 characters).",
    "",
    check=lambda v: 1 <= len(v) <= 80,
)
SESSION_PRODUCTS = sorted(VACCINE_PRODUCTS)
