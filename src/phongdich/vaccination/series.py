"""The rules of a series of doses (docs/reference/vaccination.md and ``rules.py``): how many doses make a
primary series, the intervals between doses, and each person's derived status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from phongdich.core.rules import get_rule
from phongdich.lib.errors import InputErrors
from phongdich.people.models import Person
from phongdich.vaccination.models import Dose, PersonStatus


def primary_doses(product: str) -> int:
    table = get_rule("vaccination.primary_doses")
    return table.get(product, table["default"])


def min_interval_days(product: str) -> int:
    table = get_rule("vaccination.min_interval_days")
    return table.get(product, table["default"])


def next_interval(doses: list[tuple[str, date]]) -> int:
    """Days required after the last of ``doses`` (product, date) before the next one."""
    if len(doses) < primary_doses(doses[0][0]):
        return min_interval_days(doses[-1][0])
    return get_rule("vaccination.booster_interval_days")


def refresh_status(person_id: int) -> PersonStatus | None:
    """Recompute a person's status from their valid doses (called inside the dose transaction)."""
    doses = list(
        Dose.objects.filter(person_id=person_id, voided_at__isnull=True)
        .order_by("dose_number")
        .values_list("product", "given_on")
    )
    if not doses:
        PersonStatus.objects.filter(person_id=person_id).delete()
        return None
    primary = primary_doses(doses[0][0])
    last = doses[-1][1]
    due = None
    if len(doses) < get_rule("vaccination.max_doses"):
        due = last + timedelta(days=next_interval(doses))
    status, _ = PersonStatus.objects.update_or_create(
        person_id=person_id,
        defaults={
            "doses": len(doses),
            "primary_required": primary,
            "first_dose_on": doses[0][1],
            "last_dose_on": last,
            "completed_on": doses[primary - 1][1] if len(doses) >= primary else None,
            "booster_on": doses[primary][1] if len(doses) > primary else None,
            "next_due_on": due,
        },
    )
    return status


def check_series(person: Person, dose: Any, existing: list[Dose]) -> None:
    """Dose numbers follow each other, within the maximum, at the minimum intervals (settings)."""
    count = len(existing)
    if dose.dose_number <= count:
        raise InputErrors.one(
            "dose_number",
            "dose_already_recorded",
            f"Mũi {dose.dose_number} đã được ghi nhận.",
            f"Dose {dose.dose_number} is already recorded.",
        )
    if dose.dose_number > count + 1:
        raise InputErrors.one(
            "dose_number",
            "dose_number_gap",
            f"Mũi tiếp theo của người này là mũi {count + 1}.",
            f"This person's next dose is dose {count + 1}.",
        )
    if dose.dose_number > get_rule("vaccination.max_doses"):
        raise InputErrors.one(
            "dose_number",
            "too_many_doses",
            "Đã đủ số mũi tối đa.",
            "The maximum number of doses is reached.",
        )
    given_on = dose.given_on or date.min  # parsing refused a missing date already
    if given_on.year - person.birth_year < get_rule("vaccination.min_age_years"):
        raise InputErrors.one(
            "given_on",
            "too_young",
            "Người này chưa đủ tuổi tiêm.",
            "This person is too young for vaccination.",
        )
    if not existing:
        return
    last = existing[-1]
    if given_on < last.given_on:
        raise InputErrors.one(
            "given_on",
            "before_previous_dose",
            "Ngày tiêm trước ngày của mũi trước.",
            "given_on is before the previous dose.",
        )
    days = next_interval([(d.product, d.given_on) for d in existing])
    if given_on < last.given_on + timedelta(days=days) and not dose.override_reason:
        earliest = last.given_on + timedelta(days=days)
        raise InputErrors.one(
            "given_on",
            "interval_too_short",
            f"Cần cách mũi trước ít nhất {days} ngày (từ {earliest:%d/%m/%Y}).",
            f"At least {days} days after the previous dose are required "
            f"(from {earliest:%d/%m/%Y}).",
        )
