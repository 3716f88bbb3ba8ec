"""Ward risk levels for the whole country: the pure evaluation, beside a baseline.

Builds synthetic inputs for ``--wards`` wards (3,321 by default, the number of wards and
communes since July 2025) with a fixed seed, then times, in the same run:

* **baseline**: the same loop building one small dict per ward from its inputs (the least any
  evaluation must cost);
* **evaluate**: ``levels.evaluate`` with the rule set picked once (4800 and 218 dates);
* **evaluate_on**: picking the rule set by date for every ward, as a caller would;
* **evaluate + as_dict**: the result turned into the plain data an API returns.

Each is repeated ``--repeat`` times; the best and median wall times are printed, with the
time per ward and the ratio to the baseline. Example::

    python benchmarks/risk_levels.py --repeat 7

``--app`` measures the Django app instead, on a fresh SQLite database in a temporary folder
(or the database DATABASE_URL names, migrated): every ward gets a population, synthetic people
with vaccination status and closed community cases; then, beside a baseline (one grouped count
of cases per ward, the least any data access costs), it times reading every ward's inputs from
the platform's tables (``compute.gather``), inputs and levels (``evaluate_all``), and the weekly
proposal that also stores 3,321 assessments. Target: **< 5 s** including data access. It then
approves the levels and times a province's public levels JSON cold and from the cache, and
weighs the public map page's first load (HTML, CSS, JS gzip-compressed as WhiteNoise serves
them, and the country JSON; no tiles). Target: **≤ 150 KB**::

    python benchmarks/risk_levels.py --app --repeat 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import date

from phongdich.risk.levels import Coverage, WardInputs, default_rule_sets, evaluate, evaluate_on

DATES = {"4800": date(2021, 11, 15), "218": date(2022, 3, 1)}


def synthetic_wards(count: int, seed: int) -> list[WardInputs]:
    rng = random.Random(seed)
    wards = []
    for _ in range(count):
        population = rng.randint(1_000, 60_000)
        rate = rng.choice([0, 5, 15, 25, 60, 200, 700])  # per 100,000 per week
        cases = int(population * rate / 100_000 * rng.uniform(0.5, 1.5))
        adults, over_50, over_65 = (int(population * s) for s in (0.7, 0.25, 0.08))

        def share(n, low=0.5, high=1.0):
            return Coverage(int(n * rng.uniform(low, high)), n)

        wards.append(
            WardInputs(
                population=population,
                community_cases_7d=cases,
                coverage={
                    "adults_18_plus_one_dose": share(adults),
                    "age_65_plus_full_course": share(over_65),
                    "age_50_plus_full_course": share(over_50),
                    "population_full_course": share(population),
                    "high_risk_full_course": share(over_50),
                },
                treatment_capacity_ok=rng.random() > 0.1,
                previous_level=rng.randint(1, 4),
                oxygen_cases_7d=cases // 20,
                deaths_7d=cases // 200,
            )
        )
    return wards


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=3321)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--app", action="store_true", help="the Django app with its database")
    parser.add_argument("--people-per-ward", type=int, default=60)
    args = parser.parse_args()
    if args.app:
        from risk_levels_app import run_app  # beside this script

        run_app(args.repeat, args.seed, args.people_per_ward)
        return

    wards = synthetic_wards(args.wards, args.seed)
    rule_sets = default_rule_sets()

    def baseline():
        return [
            {
                "population": w.population,
                "cases": w.community_cases_7d,
                "capacity": w.treatment_capacity_ok,
                "previous": w.previous_level,
            }
            for w in wards
        ]

    runs: dict[str, Callable[[], object]] = {"baseline (dict per ward)": baseline}
    for name, day in DATES.items():
        rule_set = rule_sets.for_date(day)
        runs[f"evaluate, {name}"] = lambda rs=rule_set, d=day: [evaluate(rs, w, d) for w in wards]
        runs[f"evaluate_on (by date), {name}"] = lambda d=day: [
            evaluate_on(w, d, rule_sets) for w in wards
        ]
        runs[f"evaluate + as_dict, {name}"] = lambda rs=rule_set, d=day: [
            evaluate(rs, w, d).as_dict() for w in wards
        ]

    levels = [evaluate(rule_sets.for_date(DATES["218"]), w, DATES["218"]).level for w in wards]
    spread = {level: levels.count(level) for level in range(1, 5)}
    print(f"{args.wards} wards, seed {args.seed}, {args.repeat} runs each; 218 levels: {spread}")
    print(f"{'':34} {'best s':>9} {'median s':>9} {'µs/ward':>9} {'× baseline':>11}")
    base = None
    for name, run in runs.items():
        times = timed(run, args.repeat)
        best, median = min(times), statistics.median(times)
        base = base or best
        per_ward = best / args.wards * 1e6
        print(f"{name:34} {best:9.4f} {median:9.4f} {per_ward:9.1f} {best / base:11.1f}")


if __name__ == "__main__":
    main()
