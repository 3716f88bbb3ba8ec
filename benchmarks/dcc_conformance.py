"""EU DCC conformance data (dgc-testdata) through our verifier: expectations met, per country.

Walks a checkout of the ``eu-digital-green-certificates/dgc-testdata`` repository (or the subset
the tests use) and checks every JSON file's EXPECTED* flags exactly as
``tests/lib/test_dcc_conformance.py`` does — same observers, same list of data errors — then
prints, per country: files, flags checked, flags met, files whose expectations were all met, and
each mismatch with the flag and the verifier's reason. Files whose expectation is out of scope
are listed with their reason in ``docs/reference/dcc-conformance.md`` (``OUT_OF_SCOPE`` below is
the same list, so the summary can count them apart). Also timed: files per second.

Example (from the repository root)::

    .venv/bin/python benchmarks/dcc_conformance.py PATH/TO/dgc-testdata
    .venv/bin/python benchmarks/dcc_conformance.py PATH/TO/dgc-testdata --country NL -v

The exit status is 1 when a mismatch is neither a listed data error nor out of scope.
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

from tests.lib.test_dcc_conformance import (
    DATA_ERRORS,
    OBSERVERS,
    Case,
    _expectations,
)

# Files (relative to the data's root) whose flag we do not meet, on purpose: flag -> reason
# key; the reasons are explained in docs/reference/dcc-conformance.md.
OUT_OF_SCOPE: dict[str, dict[str, str]] = {}


@dataclass
class Country:
    files: int = 0
    files_met: int = 0
    flags: int = 0
    flags_met: int = 0
    unchecked: int = 0
    data_errors: int = 0
    out_of_scope: int = 0
    mismatches: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def _country(relative: str) -> str:
    parts = relative.split("/")
    return parts[0] if len(parts) > 1 else "(root)"


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


def _reason(case: Case) -> str:
    for name in ("from_cose", "from_prefix"):
        try:
            result = getattr(case, name)
        except (KeyError, ValueError, TypeError):
            continue
        if result.reason or result.notes:
            notes = f" notes={list(result.notes)}" if result.notes else ""
            return f"verifier reason={result.reason} detail={result.detail}{notes}"
    return "verifier found nothing wrong"


def check_file(path: Path, relative: str, tally: Country, reasons: Counter[str]) -> None:
    raw, problem = _load(path)
    tally.files += 1
    if raw is None:
        tally.unreadable.append(f"{relative}: {problem}")
        reasons[f"unreadable: {problem.split(' (')[0]}"] += 1
        return
    case = Case(path, raw)
    known = DATA_ERRORS.get(relative, {})
    scoped = OUT_OF_SCOPE.get(relative, {})
    all_met = True
    for flag, expected in _expectations(raw).items():
        observer = OBSERVERS.get(flag)
        if observer is None:
            tally.mismatches.append(f"{relative}: {flag} is not a flag we know")
            reasons["unknown flag"] += 1
            all_met = False
            continue
        try:
            observed = observer(case)
        except Exception as exc:  # a crash is a finding, reported with its file
            observed = f"crash {type(exc).__name__}: {exc}"
        if observed is None:
            tally.unchecked += 1
            continue
        tally.flags += 1
        if observed == expected:
            tally.flags_met += 1
            continue
        all_met = False
        if flag in known:
            tally.data_errors += 1
            reasons["data error (listed in the tests)"] += 1
        elif flag in scoped:
            tally.out_of_scope += 1
            reasons[f"out of scope: {scoped[flag]}"] += 1
        else:
            tally.mismatches.append(
                f"{relative}: {flag} expected {expected}, observed {observed}; {_reason(case)}"
            )
            reasons[f"mismatch: {flag}"] += 1
    tally.files_met += all_met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="a dgc-testdata checkout (or a subset of it)")
    parser.add_argument("--country", action="append", default=[], help="only these folders")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mismatch")
    args = parser.parse_args(argv)

    tallies: dict[str, Country] = defaultdict(Country)
    reasons: Counter[str] = Counter()
    started = time.perf_counter()
    for path in sorted(args.root.rglob("*.json")):
        relative = path.relative_to(args.root).as_posix()
        country = _country(relative)
        if args.country and country not in args.country:
            continue
        check_file(path, relative, tallies[country], reasons)
    elapsed = time.perf_counter() - started

    header = f"{'country':8} {'files':>5} {'met':>5} {'flags':>5} {'met':>5} "
    print(header + f"{'unchk':>5} {'data':>5} {'scope':>5} {'mism':>5} {'unread':>6}")
    total = Country()
    for country, tally in sorted(tallies.items()):
        print(
            f"{country:8} {tally.files:5} {tally.files_met:5} {tally.flags:5} "
            f"{tally.flags_met:5} {tally.unchecked:5} {tally.data_errors:5} "
            f"{tally.out_of_scope:5} {len(tally.mismatches):5} {len(tally.unreadable):6}"
        )
        for name in ("files", "files_met", "flags", "flags_met", "unchecked"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.data_errors += tally.data_errors
        total.out_of_scope += tally.out_of_scope
        total.mismatches += tally.mismatches
        total.unreadable += tally.unreadable
    print(
        f"{'total':8} {total.files:5} {total.files_met:5} {total.flags:5} {total.flags_met:5} "
        f"{total.unchecked:5} {total.data_errors:5} {total.out_of_scope:5} "
        f"{len(total.mismatches):5} {len(total.unreadable):6}"
    )
    print("\nflags not met, by reason:")
    for reason, count in reasons.most_common():
        print(f"  {count:4}  {reason}")
    shown = total.mismatches if args.verbose else total.mismatches[:20]
    if shown:
        print("\nmismatches:" if args.verbose else "\nmismatches (first 20; -v for all):")
        for line in shown:
            print(f"  {line}")
    if total.unreadable:
        print("\nfiles that are not conformance files:")
        for line in total.unreadable:
            print(f"  {line}")
    rate = total.files / elapsed if elapsed else 0.0
    print(f"\n{total.files} files in {elapsed:.2f} s ({rate:.0f} files/s, one thread)")
    return 1 if total.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
