"""Validation against the official EU DCC JSON schemas (vendored in ``data/``, see NOTICE.md).

**Which schema.** A DCC names its own schema version in ``ver``, and that is what we validate
against — the EU conformance harness (``dgc-testdata``) does the same. The rule:

1. ``ver`` must look like ``MAJOR.MINOR.PATCH``; otherwise the payload is invalid.
2. A vendored schema with the same MAJOR.MINOR is used (patch releases only fix text):
   ``1.0.x`` → 1.0.0, ``1.2.x`` → 1.2.1, ``1.3.x`` → 1.3.0.
3. Otherwise the newest vendored schema of the same MAJOR that is older than ``ver``
   (``1.1.0`` → 1.0.0; a future ``1.4.0`` → 1.3.0, since minor versions only add fields and the
   schemas allow unknown properties).
4. Another MAJOR version is unsupported and invalid.

The conformance files' ``TESTCTX.SCHEMA`` is *not* used: several (BE, SG) say ``1.0.0`` for
payloads that are ``1.3.0``.

**Beyond the schema.** Every version of the DCC specification says a certificate holds exactly
one of ``v``, ``t``, ``r``; only schema 1.3.0 encodes that, so it is checked for all versions.

**Formats.** In JSON Schema 2020-12 ``format`` is an annotation unless a validator opts in, and
the EU harness does not opt in: certificates in circulation carry ``"dt":
"2021-03-18T22:54:00+02:00"`` (PL) or ``"fr": "2022-01-01T00:00:00.000Z"`` (SG) where the schema
says ``date``, and the conformance data requires them to validate. So verification does not
assert formats. Issuing does (``check_formats=True``): what *we* sign must be exact —
``date`` is ``YYYY-MM-DD``; ``date-time`` is ISO 8601 with an offset written ``Z``, ``±hh``,
``±hhmm`` or ``±hh:mm`` (the variants upstream's own valid examples use).

Value sets are only referenced by the schemas (``valueset-uri``), never enforced; see
``valuesets``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from phongdich.lib.dcc.errors import DccError

__all__ = [
    "CURRENT_SCHEMA_VERSION",
    "SCHEMA_VERSIONS",
    "load_schema",
    "schema_errors",
    "schema_version_for",
    "validate_dcc",
]

SCHEMA_VERSIONS = ("1.0.0", "1.2.1", "1.3.0")
CURRENT_SCHEMA_VERSION = "1.3.0"

_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)(Z|[+-]\d{2}(?::?\d{2})?)$"
)
_GROUPS = ("v", "t", "r")

_format_checker = FormatChecker(formats=())


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True  # ``type`` reports non-strings
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        return False
    day, time, offset = match.groups()
    offset = "+00:00" if offset == "Z" else offset
    if len(offset) == 3:  # ±hh
        offset += ":00"
    elif ":" not in offset:  # ±hhmm
        offset = f"{offset[:3]}:{offset[3:]}"
    fraction = time.partition(".")[2]
    if len(fraction) > 6:  # datetime keeps microseconds; more digits are still valid ISO 8601
        time = time[: 9 + 6]
    try:
        datetime.fromisoformat(f"{day}T{time}{offset}")
    except ValueError:
        return False
    return True


_format_checker.checks("date")(_is_date)
_format_checker.checks("date-time")(_is_date_time)


def _parse_version(text: str) -> tuple[int, int, int] | None:
    match = _SEMVER.match(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


_VENDORED = {_parse_version(version): version for version in SCHEMA_VERSIONS}


def schema_version_for(ver: object) -> str | None:
    """The vendored schema version used for a payload whose ``ver`` is ``ver`` (rule above)."""
    parsed = _parse_version(ver) if isinstance(ver, str) else None
    if parsed is None:
        return None
    major, minor, _patch = parsed
    same_minor = [key for key in _VENDORED if key and key[:2] == (major, minor)]
    if same_minor:
        return _VENDORED[max(same_minor)]
    older = [key for key in _VENDORED if key and key[0] == major and key < parsed]
    return _VENDORED[max(older)] if older else None


@cache
def load_schema(version: str) -> dict[str, Any]:
    """The vendored schema ``version`` (one of :data:`SCHEMA_VERSIONS`) as a dict."""
    if version not in SCHEMA_VERSIONS:
        raise ValueError(f"no vendored DCC schema {version!r}")
    text = (resources.files("phongdich.lib.dcc") / "data" / f"dcc-schema-{version}.json").read_text(
        encoding="utf-8"
    )
    schema: dict[str, Any] = json.loads(text)
    return schema


_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples"})


def _inline_references(node: Any, definitions: Mapping[str, Any]) -> Any:
    """Replace each ``{"$ref": "#/$defs/x", …}`` by the definition it names.

    Resolving references is most of jsonschema's work on these small documents; the DCC
    schemas only point into their own ``$defs``, never recursively, and put nothing but
    annotations beside a ``$ref``, so inlining changes no result and halves validation time.
    """
    if isinstance(node, list):
        return [_inline_references(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        reference = node["$ref"]
        if not reference.startswith("#/$defs/") or not set(node) - {"$ref"} <= _ANNOTATIONS:
            raise ValueError(f"cannot inline {node!r}")
        return _inline_references(definitions[reference.removeprefix("#/$defs/")], definitions)
    return {
        key: _inline_references(value, definitions) for key, value in node.items() if key != "$defs"
    }


@cache
def _validator(version: str, check_formats: bool) -> Draft202012Validator:
    # Compiled once per version and mode: building a validator costs far more than validating.
    schema = load_schema(version)
    inlined = _inline_references(schema, schema.get("$defs", {}))
    checker = _format_checker if check_formats else None
    return Draft202012Validator(inlined, format_checker=checker)


def _path(error_path: Any) -> str:
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in error_path]
    return "".join(parts).lstrip(".") or "(root)"


def schema_errors(
    dcc: Mapping[str, Any], *, version: str | None = None, check_formats: bool = False
) -> list[str]:
    """Every problem with ``dcc`` as readable strings; an empty list means valid.

    ``version`` forces a vendored schema (e.g. for the conformance files' ``TESTCTX.SCHEMA``);
    by default it is chosen from ``dcc["ver"]``. ``check_formats`` asserts ``date`` and
    ``date-time`` (see the module docstring for why verification leaves it off).
    """
    if not isinstance(dcc, Mapping):
        return ["(root): the DCC must be a JSON object"]
    chosen = version or schema_version_for(dcc.get("ver"))
    if chosen is None:
        return [f"ver: unsupported or malformed schema version {dcc.get('ver')!r}"]
    problems = [
        f"{_path(error.absolute_path)}: {error.message}"
        for error in _validator(chosen, check_formats).iter_errors(dict(dcc))
    ]
    groups = [group for group in _GROUPS if group in dcc]
    if len(groups) != 1:
        problems.append(f"(root): exactly one of v, t, r is required, found {groups or 'none'}")
    return problems


def validate_dcc(
    dcc: Mapping[str, Any], *, version: str | None = None, check_formats: bool = True
) -> None:
    """Raise ``DccError('schema')`` listing the problems if ``dcc`` is not valid.

    Meant for certificates we are about to issue, so formats are checked by default.
    """
    problems = schema_errors(dcc, version=version, check_formats=check_formats)
    if problems:
        raise DccError("schema", "; ".join(problems))
