"""Read rule data: JSON with exact decimals, checked against a JSON Schema with clear errors.

Numbers are read as :class:`decimal.Decimal` and turned into :class:`fractions.Fraction`, so a
bound written ``149.99`` compares exactly (no binary floating point at the band edges).
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from phongdich.risk.errors import RuleDataError

DATA = resources.files("phongdich.risk") / "data"


def read_json(path: Path | Any) -> Any:
    """Parse a JSON file (a path or an importlib resource) with decimals kept exact."""
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleDataError(
            "rule_data_not_json",
            f"Tệp không phải JSON hợp lệ: dòng {exc.lineno}, cột {exc.colno}.",
            f"The file is not valid JSON: line {exc.lineno}, column {exc.colno}.",
            source=str(getattr(path, "name", path)),
        ) from exc


@cache
def _validator(schema_name: str) -> jsonschema.protocols.Validator:
    schema = read_json(DATA / "schemas" / schema_name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def check_schema(document: Any, schema_name: str, source: str) -> None:
    """Raise :class:`RuleDataError` for the first schema violation, naming where it is."""
    errors = list(_validator(schema_name).iter_errors(document))
    if not errors:
        return
    # best_match looks inside oneOf/anyOf for the error that says most (a missing key rather
    # than "is not valid under any of the given schemas").
    first = jsonschema.exceptions.best_match(errors)
    where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.absolute_path)
    more = f" (+{len(errors) - 1})" if len(errors) > 1 else ""
    raise RuleDataError(
        "rule_data_invalid",
        f"Dữ liệu không đúng lược đồ {schema_name}: {first.message}{more}",
        f"The data does not follow schema {schema_name}: {first.message}{more}",
        where=where,
        source=source,
    )


def exact(value: int | Decimal | str) -> Fraction:
    """A number from rule data as an exact fraction."""
    return Fraction(value)


def parse_date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def fail(code: str, vi: str, en: str, where: str, source: str) -> RuleDataError:
    """Build a semantic (beyond the schema) data error."""
    return RuleDataError(code, vi, en, where=where, source=source)
