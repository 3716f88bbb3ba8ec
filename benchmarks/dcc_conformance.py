"""EU DCC conformance data (dgc-testdata) through our verifier: expectations met, per country.

Walks a checkout of the ``eu-digital-green-certificates/dgc-testdata`` repository (or any subset
of it) and checks every JSON file's EXPECTED* flags twice:

* **flags**: each flag on the field its definition names, with the observers of
  ``tests/lib/test_dcc_conformance.py`` (same rules, same list of data errors);
* **command**: the stage flags (unprefix … schema) against what ``phongdich dcc-verify FILE``
  reports — ``PREFIX`` verified at ``TESTCTX.VALIDATIONCLOCK`` (no offset: read as UTC) with
  ``TESTCTX.CERTIFICATE`` as the only trusted signer.

It prints per country: files, files whose flags were all met, flags checked and met, flags left
unchecked (the file lacks the input, or the command stopped at an earlier stage), flags not met for a listed reason (data errors the tests list, and the
reasons in ``docs/reference/dcc-conformance.md``, kept in ``NOT_MET`` below) and mismatches — and
then every mismatch with the verifier's reason. Timing: the whole run beside a baseline, reading
and parsing the same files without verifying them.

Example (from the repository root)::

    .venv/bin/python benchmarks/dcc_conformance.py PATH/TO/dgc-testdata
    .venv/bin/python benchmarks/dcc_conformance.py PATH/TO/dgc-testdata --country NL -v

The exit status is 1 when any flag is not met for a reason that is not listed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from tests.lib.test_dcc_conformance import DATA_ERRORS, OBSERVERS, Case, _expectations

# Flags about one stage of the verifier, and that stage (as tests/vaccination/test_dcc_verify.py).
FLAG_STAGES = {
    "EXPECTEDUNPREFIX": ("unprefix",),
    "EXPECTEDB45DECODE": ("base45",),
    "EXPECTEDCOMPRESSION": ("decompress",),
    "EXPECTEDDECODE": ("cbor",),
    "EXPECTEDVERIFY": ("kid", "signature"),
    "EXPECTEDKEYUSAGE": ("key_usage",),
    "EXPECTEDEXPIRATIONCHECK": ("expiry",),
    "EXPECTEDSCHEMAVALIDATION": ("schema",),
}
_SCHEMA_FLAGS = frozenset({"EXPECTEDSCHEMAVALIDATION", "EXPECTEDVALIDOBJECT"})

# Flags we do not meet on purpose, by file; docs/reference/dcc-conformance.md gives each reason.
NOT_MET: dict[str, tuple[frozenset[str], str]] = {
    "BG/2DCode/raw/1.json": (_SCHEMA_FLAGS, "null_groups"),
    "BG/2DCode/raw/2.json": (_SCHEMA_FLAGS, "null_groups"),
    "BG/2DCode/raw/4.json": (frozenset({"EXPECTEDEXPIRATIONCHECK"}), "iat_before_signer"),
    "HU/2DCode/raw/3.json": (_SCHEMA_FLAGS, "schema_1_0_lengths"),
    "IS/2DCode/raw/3.json": (frozenset({"EXPECTEDKEYUSAGE"}), "foreign_key_usage"),
}


def not_met_reason(relative: str, flag: str) -> str | None:
    """The documented reason this flag of this file is not met, if there is one."""
    if relative.startswith("NL/") and flag in _SCHEMA_FLAGS:
        return "nl_schema_flags"
    if relative in DATA_ERRORS and flag in DATA_ERRORS[relative]:
        return "data_error_in_tests"
    flags, reason = NOT_MET.get(relative, (frozenset(), ""))
    return reason if flag in flags else None


@dataclass
class Tally:
    files: int = 0
    files_met: int = 0
    flags: int = 0
    flags_met: int = 0
    unchecked: int = 0
    listed: int = 0
    mismatches: list[str] = field(default_factory=list)
    # each file that is not fully met, counted once per distinct reason it has
    file_reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        for name in ("files", "files_met", "flags", "flags_met", "unchecked", "listed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.mismatches += other.mismatches
        self.file_reasons += other.file_reasons


def _load(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(raw, dict) or not isinstance(raw.get("TESTCTX"), dict):
        return None, "no TESTCTX"
    if not _expectations(raw):
        return None, "no EXPECTED* flags"
    return raw, None


def _why(case: Case, flag: str, source: str) -> str:
    try:
        result = case.from_cose if source == "COSE" and case.has("COSE") else case.from_prefix
    except (KeyError, ValueError, TypeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    detail = "; ".join(result.schema_errors) if flag in _SCHEMA_FLAGS else result.detail
    notes = f" notes={list(result.notes)}" if result.notes else ""
    return f"reason={result.reason} detail={detail}{notes}"


def _observe(case: Case, flag: str, mode: str) -> bool | str | None:
    if mode == "flags":
        try:
            return OBSERVERS[flag](case)
        except Exception as exc:  # a crash is a finding, reported with its file
            return f"crash {type(exc).__name__}: {exc}"
    if flag not in FLAG_STAGES or not case.has("PREFIX"):
        return None
    stages = case.from_prefix.stages
    values = [stages[name] for name in FLAG_STAGES[flag]]
    if False in values:
        return False
    return None if None in values else True


def check_file(case: Case, relative: str, mode: str, tally: Tally, reasons: Counter[str]) -> None:
    tally.files += 1
    all_met = True
    file_reasons: set[str] = set()
    for flag, expected in _expectations(case.raw).items():
        if mode == "command" and flag not in FLAG_STAGES:
            continue  # the command reports stages; the other flags are about the file's fields
        if flag not in OBSERVERS:
            tally.mismatches.append(f"{relative}: {flag} is not a flag we know")
            reasons["unknown flag"] += 1
            all_met = False
            continue
        observed = _observe(case, flag, mode)
        if observed is None:
            tally.unchecked += 1
            continue
        tally.flags += 1
        if observed == expected:
            tally.flags_met += 1
            continue
        all_met = False
        reason = not_met_reason(relative, flag)
        if reason:
            tally.listed += 1
            reasons[f"{reason}: {flag}"] += 1
            file_reasons.add(reason)
            continue
        why = _why(case, flag, "COSE" if mode == "flags" else "PREFIX")
        tally.mismatches.append(f"{relative}: {flag} expected {expected}, got {observed}; {why}")
        reasons[f"MISMATCH: {flag}"] += 1
        file_reasons.add("MISMATCH")
    tally.files_met += all_met
    tally.file_reasons.update(file_reasons)


def _print_table(title: str, tallies: dict[str, Tally], reasons: Counter[str], verbose: bool):
    print(f"\n== {title} ==")
    columns = ("files", "met", "flags", "met", "unchecked", "listed", "mismatch")
    print(f"{'country':8}" + "".join(f"{name:>9}" for name in columns))
    total = Tally()
    for country, tally in [*sorted(tallies.items()), ("total", None)]:
        if tally is None:
            tally = total
        else:
            total.add(tally)
        figures = (tally.files, tally.files_met, tally.flags, tally.flags_met, tally.unchecked)
        figures += (tally.listed, len(tally.mismatches))
        print(f"{country:8}" + "".join(f"{figure:9}" for figure in figures))
    print("flags not met, by reason:")
    for reason, count in sorted(reasons.items()):
        print(f"  {count:5}  {reason}")
    print("files not met, by reason (a file may have several):")
    for reason, count in sorted(total.file_reasons.items()):
        print(f"  {count:5}  {reason}")
    shown = total.mismatches if verbose else total.mismatches[:20]
    for line in shown:
        print(f"  {line}")
    if len(shown) < len(total.mismatches):
        print(f"  … {len(total.mismatches) - len(shown)} more (-v lists all)")
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a dgc-testdata checkout (or a subset of it)")
    parser.add_argument("--country", action="append", default=[], help="only these folders")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)

    paths = []
    for path in sorted(args.root.rglob("*.json")):
        relative = path.relative_to(args.root).as_posix()
        country = relative.split("/")[0] if "/" in relative else "(root)"
        if not args.country or country in args.country:
            paths.append((path, relative, country))

    started = time.perf_counter()
    for path, _, _ in paths:
        _load(path)
    baseline = time.perf_counter() - started

    by_mode: dict[str, dict[str, Tally]] = {"flags": defaultdict(Tally), "command": {}}
    by_mode["command"] = defaultdict(Tally)
    reasons: dict[str, Counter[str]] = {"flags": Counter(), "command": Counter()}
    skipped: list[str] = []
    started = time.perf_counter()
    for path, relative, country in paths:
        raw, problem = _load(path)
        if raw is None:
            skipped.append(f"{relative}: {problem}")
            continue
        case = Case(path, raw)
        for mode in ("flags", "command"):
            check_file(case, relative, mode, by_mode[mode][country], reasons[mode])
    elapsed = time.perf_counter() - started

    print(f"{len(paths)} JSON files under {args.root}; {len(skipped)} not conformance files:")
    for line in skipped:
        print(f"  {line}")
    flags = _print_table("every flag, on its own field", by_mode["flags"], reasons["flags"], True)
    command = _print_table(
        "stage flags through the command (PREFIX)",
        by_mode["command"],
        reasons["command"],
        args.verbose,
    )
    checked = len(paths) - len(skipped)
    print(
        f"\ntime: {elapsed:.2f} s for {checked} files ({checked / elapsed:.0f} files/s, both "
        f"checks, one thread); baseline reading and parsing them: {baseline:.2f} s"
    )
    return 1 if flags.mismatches or command.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
