"""Certificates through the vaccination app: issue from recorded doses (stored, audited) and
verify against the database trust list — certificates per second on one core.

Differs from ``certificates.py`` (the library alone) by everything the app adds per certificate:
reading the person's doses and registration, checking for a reusable certificate, asking the
database which signer is active, storing the certificate and its audit row; and, per
verification, asking which signers are trusted. Optionally (``--api N``) N verifications through
the HTTP API (Django test client, token-authenticated) to show the web stack's share.

Runs on a fresh SQLite database in a temporary folder unless DATABASE_URL is set (then that
database is migrated and used; with PostgreSQL the server's CPU is not in the CPU figure, so
compare wall times too). Targets as for the library: ≥ 500 issued/s, ≥ 2000 verified/s.

    python benchmarks/certificates_app.py 2000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta

TARGETS = {"issue": 500.0, "verify": 2000.0}
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
GIVEN = ["Thị An", "Văn Bình", "Đức Châu", "Ngọc Dũng", "Minh Giang", "Thanh Hà", "Quốc Hùng"]


def _setup(count: int):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    os.environ.setdefault("PHONGDICH_FAST_HASHER", "1")
    if not os.environ.get("DATABASE_URL"):
        os.environ["PHONGDICH_DATA_DIR"] = tempfile.mkdtemp(prefix="phongdich-bench-")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return _people(count)


def _people(count: int):
    from phongdich.lib.codes import new_token
    from phongdich.lib.text import fold
    from phongdich.people.models import Person
    from phongdich.vaccination.models import Dose
    from phongdich.vaccination.series import refresh_status

    ward = 14797
    people = Person.objects.bulk_create(
        [
            Person(
                full_name=f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]}",
                name_folded=fold(f"{FAMILY[i % len(FAMILY)]} {GIVEN[i % len(GIVEN)]}"),
                birth_year=1940 + i % 60,
                gender="female",
                phone=f"+8490{i:07d}",
                ward_id=ward,
                token=new_token(),
            )
            for i in range(count)
        ]
    )
    people = list(
        Person.objects.filter(phone__startswith="+8490")
        .select_related("ward")
        .order_by("pk")[:count]
    )
    first = date(2025, 9, 1)
    Dose.objects.bulk_create(
        [
            Dose(
                person=p,
                ward_id=ward,
                product="EU/1/20/1528",
                manufacturer="ORG-100030215",
                vaccine_type="1119349007",
                lot="FK1234",
                dose_number=n,
                given_on=first + timedelta(days=30 * (n - 1) + i % 20),
                site="Trạm Y tế",
                source="elsewhere",
                source_detail="benchmark",
            )
            for i, p in enumerate(people)
            for n in (1, 2)
        ],
        batch_size=2000,
    )
    for p in people:
        refresh_status(p.pk)
    return people


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def _report(label: str, count: int, wall: float, cpu: float, target: float | None) -> bool:
    rate = _rate(count, cpu)
    verdict = (
        ""
        if target is None
        else (f"; target ≥ {target:.0f}/s: {'ok' if rate >= target else 'BELOW TARGET'}")
    )
    print(
        f"{label:>11}: {rate:8.0f}/s of CPU ({cpu * 1000 / count:.3f} ms each), "
        f"{_rate(count, wall):8.0f}/s wall{verdict}"
    )
    return target is None or rate >= target


def _api_verify(hc1s: list[str]) -> tuple[float, float]:
    from django.test import Client

    from phongdich.accounts.actions import do_create_staff, do_issue_token

    user, _ = do_create_staff("bench-verifier", "province_officer", area=38)
    headers = {"Authorization": f"Bearer {do_issue_token(user)}"}
    client = Client(SERVER_NAME="localhost")  # an ALLOWED_HOSTS name

    def post(hc1: str) -> None:
        response = client.post(
            "/api/v1/certificates/verify",
            {"hc1": hc1},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200 and response.json()["valid"], response.content

    # One untimed request first, as on a running server: the first loads the URL
    # configuration and builds the API's schemas (most of the time of a short run).
    post(hc1s[0])
    wall, cpu = time.perf_counter(), time.process_time()
    for hc1 in hc1s:
        post(hc1)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("count", nargs="?", type=int, default=2000, help="people (2000)")
    parser.add_argument(
        "--api", type=int, default=200, help="verifications through the HTTP API (200; 0 = none)"
    )
    args = parser.parse_args(argv)
    print(f"setting up {args.count} people with two doses each …", flush=True)
    people = _setup(args.count)

    from django.db import connection

    from phongdich.lib.dcc import issue_hc1, verify_hc1
    from phongdich.vaccination.certificates import do_issue_certificate, verify_text
    from phongdich.vaccination.keys import active_signer, do_init_keys, do_rotate_keys, trust_list

    do_init_keys()
    do_rotate_keys()  # two trusted signers, as after a rotation
    do_issue_certificate(people[0])  # warm the signer cache, as a running server has it

    wall, cpu = time.perf_counter(), time.process_time()
    issued = [do_issue_certificate(p)[0] for p in people[1:]]
    issue = (time.perf_counter() - wall, time.process_time() - cpu)

    wall, cpu = time.perf_counter(), time.process_time()
    results = [verify_text(c.hc1) for c in issued]
    verify = (time.perf_counter() - wall, time.process_time() - cpu)
    bad = [r.reason for r in results if not r.valid]
    if bad:
        print(f"ERROR: {len(bad)} certificates failed to verify: {set(bad)}")
        return 1

    print(f"database: {connection.vendor}; certificates: {len(issued)} (ES256, stored, audited)")
    ok = _report("issue", len(issued), *issue, TARGETS["issue"])
    ok = _report("verify", len(results), *verify, TARGETS["verify"]) and ok
    # The same work through the library alone, in this process and moment: what the app adds
    # is the difference, whatever else the machine is doing.
    signer, trust = active_signer(), trust_list()
    wall, cpu = time.perf_counter(), time.process_time()
    for c in issued:
        issue_hc1(c.payload, signer, issued_at=c.issued_at, expires_at=c.expires_at)
    lib_issue = (time.perf_counter() - wall, time.process_time() - cpu)
    _report("lib issue", len(issued), *lib_issue, None)
    at = issued[0].issued_at
    wall, cpu = time.perf_counter(), time.process_time()
    for c in issued:
        verify_hc1(c.hc1, trust, at)
    lib_verify = (time.perf_counter() - wall, time.process_time() - cpu)
    _report("lib verify", len(issued), *lib_verify, None)
    # Wall time: on PostgreSQL the server's CPU is not in this process's CPU time.
    print(
        f"app ÷ library, wall: issue {issue[0] / lib_issue[0]:.1f}×, "
        f"verify {verify[0] / lib_verify[0]:.1f}×"
    )
    if args.api:
        sample = [c.hc1 for c in issued[: args.api]]
        _report("API verify", len(sample), *_api_verify(sample), None)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    sys.exit(main())
