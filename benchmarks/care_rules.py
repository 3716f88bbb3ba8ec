"""Warning-sign evaluation of self-monitoring reports: reports per second and p95 per evaluation.

Draws N patients (seeded; ages 2 months to 90 years) with two reports each (morning and evening
on one day in April 2022; values around the thresholds so that every sign and the SpO2 re-measure
path occur), then times, one call at a time on one thread:

* **baseline**: building the same ``Report`` objects from their input dicts (validation included)
  — what any caller pays before a rule runs;
* **evaluate**: ``evaluate(report, birth_date)``, which also picks the rule set in force for the
  report's local date, works out the age and the form;
* **evaluate, rule set given**: the same with the rule set passed in (a batch job's case);
* **FHIR**: export of each patient's two reports as a Bundle and import back (per patient).

Run from the repository root::

    .venv/bin/python benchmarks/care_rules.py            # 10,000 patients × 2 reports
    .venv/bin/python benchmarks/care_rules.py --patients 1000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from phongdich.care import fhir
from phongdich.care.reports import Report
from phongdich.care.rulesets import select_rule_set
from phongdich.care.warnings import evaluate

MORNING = datetime(2022, 4, 1, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
SYMPTOMS = ["cough", "fatigue", "sore_throat", "breathlessness", "chest_pain", "grunting"]


def draw_patients(count: int, seed: int) -> list[tuple[date, list[dict]]]:
    rng = random.Random(seed)
    patients = []
    for _ in range(count):
        birth = MORNING.date() - timedelta(days=rng.randint(60, 90 * 365))
        reports = []
        for hours in (0, 12):
            spo2 = rng.choice([99, 98, 97, 97, 96, 95])
            entry = {
                "measured_at": MORNING + timedelta(hours=hours),
                "form_version": "604/QĐ-BYT/PL2/adult",
                "respiratory_rate": rng.randint(12, 32),
                "pulse": rng.randint(55, 125),
                "temperature_c": round(rng.uniform(36.0, 39.5), 1),
                "spo2": spo2,
                "spo2_repeat": rng.choice([None, None, spo2 - 1, 98]) if spo2 <= 96 else None,
                "systolic": rng.choice([None, rng.randint(85, 140)]),
                "diastolic": rng.choice([None, rng.randint(55, 90)]),
                "symptoms": frozenset(rng.sample(SYMPTOMS, rng.choice([0, 0, 0, 1, 2]))),
            }
            reports.append(entry)
        patients.append((birth, reports))
    return patients


def timed(calls):
    """Run each zero-argument call; return (results, per-call seconds, total seconds)."""
    results, durations = [], []
    clock = time.perf_counter
    started = clock()
    for call in calls:
        t0 = clock()
        results.append(call())
        durations.append(clock() - t0)
    return results, durations, clock() - started


def p95(durations: list[float]) -> float:
    return statistics.quantiles(durations, n=100)[94]


def line(label: str, count: int, durations: list[float], total: float) -> str:
    return (
        f"{label:<28} {count:>8} {count / total:>12,.0f} "
        f"{statistics.median(durations) * 1e6:>9.1f} {p95(durations) * 1e6:>9.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    patients = draw_patients(args.patients, args.seed)
    entries = [(birth, entry) for birth, reports in patients for entry in reports]
    rule_set = select_rule_set(MORNING.date())
    evaluate(Report(**entries[0][1]), entries[0][0])  # load the rule and symptom data once

    built, base_t, base_total = timed([lambda e=e: Report(**e) for _, e in entries])
    pairs = list(zip((b for b, _ in entries), built, strict=True))
    results, eval_t, eval_total = timed([lambda b=b, r=r: evaluate(r, b) for b, r in pairs])
    _, given_t, given_total = timed(
        [lambda b=b, r=r: evaluate(r, b, rule_set=rule_set) for b, r in pairs]
    )
    by_patient = [built[i : i + 2] for i in range(0, len(built), 2)]
    _, fhir_t, fhir_total = timed(
        [
            lambda rs=rs, i=i: fhir.import_observations(fhir.export_bundle(rs, f"Patient/{i}"))
            for i, rs in enumerate(by_patient)
        ]
    )

    print(f"{args.patients:,} patients × 2 reports = {len(entries):,} reports, one thread\n")
    print(f"{'':<28} {'calls':>8} {'calls/s':>12} {'p50 µs':>9} {'p95 µs':>9}")
    print(line("baseline: build Report", len(entries), base_t, base_total))
    print(line("evaluate (select rule set)", len(entries), eval_t, eval_total))
    print(line("evaluate (rule set given)", len(entries), given_t, given_total))
    print(line("FHIR export+import /patient", len(by_patient), fhir_t, fhir_total))
    ratio = statistics.median(eval_t) / statistics.median(base_t)
    print(f"\nevaluate costs {ratio:.1f}× building the report (medians)")
    print("results:", dict(Counter(r.status for r in results)))


if __name__ == "__main__":
    main()
