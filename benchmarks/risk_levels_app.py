"""The ``--app`` part of ``risk_levels.py``: levels for every ward through the Django app, with
its data access, and the public map's first-load weight. See ``risk_levels.py``."""

from __future__ import annotations

import gzip
import os
import random
import re
import statistics
import tempfile
import time
from datetime import date, timedelta


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    if not os.environ.get("DATABASE_URL"):
        os.environ["PHONGDICH_DATA_DIR"] = tempfile.mkdtemp(prefix="phongdich-bench-")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _load(seed: int, per_ward: int, today: date) -> dict[str, int]:
    """Every ward: a population, ``per_ward`` adults with a vaccination status, closed community
    cases at one of several weekly rates."""
    from django.db import transaction

    from phongdich.lib.codes import new_token
    from phongdich.lib.timeutil import local_day_bounds
    from phongdich.people.models import Person
    from phongdich.places.models import Ward
    from phongdich.tracing.models import Case
    from phongdich.vaccination.models import PersonStatus, WardPopulation

    rng = random.Random(seed)
    codes = list(Ward.objects.values_list("code", flat=True))
    totals = {"wards": len(codes), "people": 0, "cases": 0}
    noon = local_day_bounds(today)[0] + timedelta(hours=12)
    with transaction.atomic():
        populations, people = [], []
        for code in codes:
            population = rng.randint(2_000, 60_000)
            Ward.objects.filter(code=code).update(population=population)
            populations.append(
                WardPopulation(
                    ward_id=code,
                    age_18_plus=per_ward,
                    age_50_plus=per_ward // 3,
                    age_65_plus=per_ward // 8,
                )
            )
            for i in range(per_ward):
                people.append(
                    Person(
                        full_name="Người Thử",
                        name_folded="nguoi thu",
                        gender="female",
                        birth_year=1950 if i < per_ward // 8 else 1985,
                        ward_id=code,
                        token=new_token(),
                    )
                )
        WardPopulation.objects.bulk_create(populations, batch_size=2000)
        people = Person.objects.bulk_create(people, batch_size=5000)
        totals["people"] = len(people)
        statuses, cases = [], []
        by_ward: dict[int, list[int]] = {}
        for p in people:
            by_ward.setdefault(p.ward_id, []).append(p.pk)
            if rng.random() < 0.8:
                statuses.append(
                    PersonStatus(
                        person_id=p.pk,
                        doses=2,
                        first_dose_on=today - timedelta(days=90),
                        completed_on=today - timedelta(days=60),
                    )
                )
        for code, pks in by_ward.items():
            rate = rng.choice([0, 0, 5, 25, 60, 200])  # per 100,000 per week
            population = rng.randint(2_000, 60_000)
            for pk in pks[: min(len(pks), round(population * rate / 100_000))]:
                at = noon - timedelta(hours=rng.randint(0, 13 * 24))
                cases.append(
                    Case(
                        person_id=pk,
                        ward_id=code,
                        confirmed_at=at,
                        sample_date=today,
                        source="other",
                        status="closed",
                        window_start=at - timedelta(days=2),
                        window_end=at + timedelta(days=1),
                    )
                )
        PersonStatus.objects.bulk_create(statuses, batch_size=5000)
        Case.objects.bulk_create(cases, batch_size=5000)
        totals["cases"] = len(cases)
    return totals


def _timed(run, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def _page_weight() -> list[tuple[str, int, int]]:
    """(path, bytes, gzip bytes) of everything the public map loads first (no tiles)."""
    from django.contrib.staticfiles import finders
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    html = client.get("/ban-do-dich").content
    rows = [("/ban-do-dich (HTML)", len(html), len(gzip.compress(html)))]
    for ref in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
        path = finders.find(ref.decode().split("?")[0])
        with open(path, "rb") as f:
            data = f.read()
        rows.append((ref.decode(), len(data), len(gzip.compress(data))))
    data = client.get("/ban-do-dich/ca-nuoc.json").content
    rows.append(("/ban-do-dich/ca-nuoc.json", len(data), len(gzip.compress(data))))
    return rows


def run_app(repeat: int, seed: int, per_ward: int) -> None:
    _setup()
    from django.core.cache import cache
    from django.db.models import Count
    from django.utils import timezone

    from phongdich.lib.timeutil import local_date
    from phongdich.places.models import Province, Ward
    from phongdich.risk import actions
    from phongdich.risk.compute import evaluate_all, gather
    from phongdich.risk.queries import public_province
    from phongdich.risk.tasks import rated_wards
    from phongdich.tracing.models import Case

    today = local_date(timezone.now())
    started = time.perf_counter()
    totals = _load(seed, per_ward, today)
    print(f"loaded {totals} in {time.perf_counter() - started:.1f} s")
    codes = rated_wards()

    def baseline():
        return dict(Case.objects.values_list("ward_id").annotate(n=Count("pk")).order_by())

    runs = {
        "baseline (one grouped case count)": baseline,
        "gather (all inputs, every ward)": lambda: gather(codes, today),
        "evaluate_all (inputs + levels)": lambda: evaluate_all(codes, today),
        "do_propose_levels (+ store 3,321)": lambda: actions.do_propose_levels(codes, today),
    }
    print(f"{len(codes)} wards, {repeat} runs each (target < 5 s including data access)")
    print(f"{'':36} {'best s':>8} {'median s':>9} {'× baseline':>11}")
    base = None
    result = None
    for name, run in runs.items():
        best, median, result = _timed(run, repeat)
        base = base or best
        print(f"{name:36} {best:8.3f} {median:9.3f} {best / base:11.1f}")
    levels = [a.level for a in result]
    print("levels:", {n: levels.count(n) for n in range(1, 5)})

    from phongdich.risk.models import Assessment

    # Publish the proposals in bulk (approval itself is one small transaction per decision).
    Assessment.objects.filter(status="proposed").update(
        status="approved", decided_at=timezone.now()
    )
    actions.bump_published()
    province = Province.objects.annotate(n=Count("wards")).order_by("-n").first()
    cache.clear()
    cold = time.perf_counter()
    public_province(province)
    cold = time.perf_counter() - cold
    warm, _, _ = _timed(lambda: public_province(province), max(repeat, 5))
    wards = Ward.objects.filter(province=province).count()
    print(
        f"province {province.code} ({wards} wards) levels JSON: cold {cold * 1000:.1f} ms, "
        f"from cache {warm * 1000:.2f} ms"
    )
    rows = _page_weight()
    print(f"{'public map first load':40} {'bytes':>9} {'gzip':>8}")
    for path, size, packed in rows:
        print(f"{path:40} {size:9d} {packed:8d}")
    print(
        f"{'total (target ≤ 150 KB transferred)':40} {sum(r[1] for r in rows):9d} "
        f"{sum(r[2] for r in rows):8d}"
    )
