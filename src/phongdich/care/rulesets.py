"""Versioned home-care rule sets (MOH 4038 → 261 → 604, and local overlays such as HCMC's).

The rules are data in ``data/rulesets/*.json`` so that a new decision is a new file, not a code
change; the values and their sources are in docs/reference/care.md. A national set may
``extend`` another (deep merge, its own keys win); an ``overlay`` set (kind ``overlay``) applies
on top of whichever national set is in force for its jurisdiction. Values an administrator must
be able to change, because our sources do not confirm them, are listed under ``unconfirmed``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from phongdich.care.errors import CareError

NATIONAL = "VN"


@dataclass(frozen=True)
class RuleSet:
    id: str
    document: str
    jurisdiction: str
    title_vi: str
    title_en: str
    valid_from: date
    valid_until: date | None
    form_version: str
    warnings: dict[str, Any]
    eligibility: dict[str, Any]
    discharge: dict[str, Any]
    # Dotted key → why it is unconfirmed (docs/reference/care.md, "Unconfirmed values").
    unconfirmed: dict[str, str]

    def in_force(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    def is_unconfirmed(self, key: str) -> bool:
        """True if ``key`` (``section.name``) or any part below or above it is unconfirmed."""
        return any(
            k == key or k.startswith(key + ".") or key.startswith(k + ".") for k in self.unconfirmed
        )


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_raw(directory: Any = None) -> dict[str, dict[str, Any]]:
    folder = directory or resources.files("phongdich.care") / "data" / "rulesets"
    raw: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            raw[data["id"]] = data
    return raw


def _resolve(raw: dict[str, dict[str, Any]], set_id: str, seen: tuple[str, ...] = ()) -> dict:
    if set_id in seen:
        raise ValueError(f"rule set inheritance loops: {' → '.join((*seen, set_id))}")
    data = raw[set_id]
    parent_id = data.get("extends")
    if parent_id is None:
        return data
    parent = _resolve(raw, parent_id, (*seen, set_id))
    # The child's own 'unconfirmed' notes add to its parent's; the rest is overridden.
    return deep_merge(parent, {k: v for k, v in data.items() if k != "extends"})


def _build(data: dict[str, Any]) -> RuleSet:
    until = data.get("valid_until")
    return RuleSet(
        id=data["id"],
        document=data["document"],
        jurisdiction=data.get("jurisdiction", NATIONAL),
        title_vi=data["title_vi"],
        title_en=data["title_en"],
        valid_from=date.fromisoformat(data["valid_from"]),
        valid_until=date.fromisoformat(until) if until else None,
        form_version=data.get("form_version", ""),
        warnings=data.get("warnings", {}),
        eligibility=data.get("eligibility", {}),
        discharge=data.get("discharge", {}),
        unconfirmed=dict(data.get("unconfirmed", {})),
    )


@dataclass(frozen=True)
class Catalogue:
    national: tuple[RuleSet, ...]
    overlays: tuple[tuple[RuleSet, dict[str, Any]], ...]


def load_catalogue(directory: Any = None) -> Catalogue:
    """Read every rule set file; ``directory`` (a Path) lets an administrator's copy be used."""
    raw = _read_raw(directory)
    national: list[RuleSet] = []
    overlays: list[tuple[RuleSet, dict[str, Any]]] = []
    for set_id in raw:
        resolved = _resolve(raw, set_id)
        if resolved.get("kind", "national") == "overlay":
            overlays.append((_build(resolved), resolved))
        else:
            national.append(_build(resolved))
    return Catalogue(tuple(sorted(national, key=lambda r: r.valid_from)), tuple(overlays))


@cache
def default_catalogue() -> Catalogue:
    return load_catalogue()


def get_rule_set(set_id: str, catalogue: Catalogue | None = None) -> RuleSet:
    for rule_set in (catalogue or default_catalogue()).national:
        if rule_set.id == set_id:
            return rule_set
    raise CareError(
        "unknown_rule_set",
        f"Không có bộ quy tắc {set_id}.",
        f"There is no rule set {set_id}.",
    )


def _apply_overlay(base: RuleSet, overlay: RuleSet, overlay_data: dict[str, Any]) -> RuleSet:
    notes = dict(base.unconfirmed)
    notes.update({f"{overlay.id}.{k}": v for k, v in overlay.unconfirmed.items()})
    # An overlay's own eligibility values are unconfirmed where it says so, and otherwise
    # come from its source; the base's notes for keys the overlay replaces no longer apply.
    for key in overlay_data.get("eligibility", {}):
        notes.pop(f"eligibility.{key}", None)
    return RuleSet(
        id=f"{base.id}+{overlay.id}",
        document=f"{base.document} + {overlay.document}",
        jurisdiction=overlay.jurisdiction,
        title_vi=f"{base.title_vi}; {overlay.title_vi}",
        title_en=f"{base.title_en}; {overlay.title_en}",
        valid_from=max(base.valid_from, overlay.valid_from),
        valid_until=min(
            (d for d in (base.valid_until, overlay.valid_until) if d is not None), default=None
        ),
        form_version=base.form_version,
        warnings=deep_merge(base.warnings, overlay_data.get("warnings", {})),
        eligibility=deep_merge(base.eligibility, overlay_data.get("eligibility", {})),
        discharge=deep_merge(base.discharge, overlay_data.get("discharge", {})),
        unconfirmed=notes,
    )


def select_rule_set(
    on: date, jurisdiction: str = NATIONAL, catalogue: Catalogue | None = None
) -> RuleSet:
    """The rule set in force on ``on`` (a local date) for ``jurisdiction`` (ISO 3166-2, e.g.
    ``VN-SG`` for Ho Chi Minh City): the national set, with the local overlay if one applies."""
    catalogue = catalogue or default_catalogue()
    in_force = [r for r in catalogue.national if r.in_force(on)]
    if len(in_force) != 1:
        raise CareError(
            "no_rule_set_in_force",
            f"Không có đúng một bộ quy tắc quốc gia có hiệu lực ngày {on:%d/%m/%Y}.",
            f"Not exactly one national rule set is in force on {on:%d/%m/%Y}.",
        )
    rule_set = in_force[0]
    for overlay, overlay_data in catalogue.overlays:
        if overlay.jurisdiction == jurisdiction and overlay.in_force(on):
            rule_set = _apply_overlay(rule_set, overlay, overlay_data)
    return rule_set
