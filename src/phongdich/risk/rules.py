"""Settings of the risk app (docs/reference/risk.md). Values no official text confirms say so in
their source ("unconfirmed"); an administrator changes them in admin (*Rules*)."""

from __future__ import annotations

from typing import Any

from phongdich.core.rules import define, get_rule
from phongdich.risk.errors import RuleDataError
from phongdich.risk.levels import RuleSets, default_rule_sets, load_rule_set
from phongdich.risk.loading import DATA, read_json
from phongdich.risk.questionnaires import Questionnaire, default_questionnaires, load_questionnaire

UNCONFIRMED = "unconfirmed: no official text found; a setting (docs/reference/risk.md)"


def _rule_set_overrides_ok(value: dict) -> bool:
    try:
        rule_sets_with(value)
    except (RuleDataError, TypeError, KeyError, ValueError):
        return False
    return True


def _questionnaire_overrides_ok(value: dict) -> bool:
    try:
        questionnaires_with(value)
    except (RuleDataError, TypeError, KeyError, ValueError, AttributeError):
        return False
    return True


def _positive_numbers(value: dict) -> bool:
    return all(isinstance(v, int) and v > 0 for v in value.values())


RULE_SET_OVERRIDES = define(
    "risk.level_rule_set_overrides",
    {},
    "Changes to the shipped level rule sets, by rule set id: top-level keys replace the shipped "
    'ones, e.g. {"byt-218": {"matrix": {"levels": [[1,2],[2,3],[3,4],[4,4]], "confirmed": '
    "false}}}. Checked like the shipped files before it is saved.",
    UNCONFIRMED + " (the matrix and 218's lower bands)",
    check=_rule_set_overrides_ok,
)
QUESTIONNAIRE_OVERRIDES = define(
    "risk.questionnaire_overrides",
    {},
    "Changes to the shipped self-assessment questionnaires, by questionnaire id: top-level keys "
    'replace the shipped ones, e.g. {"bcdqg-2225-food": {"version": 2, "indicators": [...]}} '
    "(give a new version when the questions change, so stored answers keep theirs). Checked like "
    "the shipped files before it is saved.",
    UNCONFIRMED + " (2194 CS4-CS15, 1203 TP3-TP10 answers, every 2225 criterion)",
    check=_questionnaire_overrides_ok,
)
ADULT_SHARE = define(
    "risk.adult_share_percent",
    72,
    "Where a ward has no total population, it is estimated as its 18+ population divided by "
    "this share (per cent).",
    UNCONFIRMED + " (2019 census: about 72 % of people are 18 or older)",
    check=lambda v: 10 <= v <= 100,
)
MIN_FREE_BEDS = define(
    "risk.min_free_beds_per_100k",
    10,
    "Treatment capacity fails when free COVID beds per 100,000 people are fewer than this.",
    UNCONFIRMED + " (218/QĐ-BYT is reported to call < 10 free beds per 100,000 'low')",
    check=lambda v: 0 <= v <= 10_000,
)
SUPPRESS_BELOW = define(
    "risk.public_suppress_below",
    5,
    "Public map: counts smaller than this are shown as '< N' (small numbers identify people).",
    "house rule",
    check=lambda v: 1 <= v <= 50,
)
CODE_MINUTES = define(
    "risk.access_code_minutes",
    15,
    "How long a one-time code sent to a business's phone stays valid.",
    "house rule",
    check=lambda v: 1 <= v <= 1440,
)
WORKFORCE_TOLERANCE = define(
    "risk.workforce_mismatch_ratio",
    150,
    "A self-assessment is flagged when the distinct people checked in at its venues in 14 days "
    "exceed the declared workforce by more than this per cent.",
    UNCONFIRMED,
    check=lambda v: 100 <= v <= 10_000,
)
EXPECTED_SCANS = define(
    "risk.expected_weekly_scans",
    {
        "default": 50,
        "market": 700,
        "shop": 200,
        "restaurant": 300,
        "factory": 1000,
        "office": 150,
        "school": 500,
        "hospital": 700,
        "transport": 1000,
    },
    "Check-ins a venue of each kind is expected to record in 7 days; fewer than a tenth of this "
    "puts it on the list of venues to visit.",
    UNCONFIRMED,
    check=_positive_numbers,
)


def rule_sets_with(overrides: dict[str, Any]) -> RuleSets:
    """The shipped rule sets with an administrator's changes applied (each checked again)."""
    shipped = default_rule_sets()
    if not overrides:
        return shipped
    out = []
    for path in sorted((DATA / "levels").iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        document = read_json(path)
        change = overrides.get(document["id"])
        if change:
            document = {**document, **change}
        out.append(load_rule_set(document, f"levels/{path.name}"))
    return RuleSets(out)


def current_rule_sets() -> RuleSets:
    return rule_sets_with(get_rule("risk.level_rule_set_overrides"))


def questionnaires_with(overrides: dict[str, Any]) -> dict[tuple[str, int], Questionnaire]:
    """The shipped questionnaires with an administrator's changes applied (each checked again).

    An override that gives a new version adds it beside the shipped one (answers stored against
    the shipped version are still read with it); otherwise it replaces the shipped version."""
    shipped = default_questionnaires()
    if not overrides:
        return shipped
    out = dict(shipped)
    for path in sorted((DATA / "questionnaires").iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".json"):
            continue
        document = read_json(path)
        change = overrides.get(document["id"])
        if change:
            q = load_questionnaire(
                {**document, **change, "id": document["id"]}, f"settings:{document['id']}"
            )
            out[(q.id, q.version)] = q
    return out


def current_questionnaires() -> dict[tuple[str, int], Questionnaire]:
    return questionnaires_with(get_rule("risk.questionnaire_overrides"))


def current_questionnaires_for(establishment_kind: str) -> list[Questionnaire]:
    """The newest version of each questionnaire (shipped or changed) for a kind of place."""
    newest: dict[str, Questionnaire] = {}
    for q in current_questionnaires().values():
        if establishment_kind in q.establishment_kinds and q.version >= newest.get(q.id, q).version:
            newest[q.id] = q
    return sorted(newest.values(), key=lambda q: q.id)
