"""Issue and verify EU Digital COVID Certificates (HC1): certificates per second, one core.

Builds N distinct vaccination and test certificates (Vietnamese names, fresh UVCIs), then

* **issue**: ``issue_hc1`` — schema and value-set check, CWT, ES256 signature, zlib, Base45;
* **verify**: ``verify_hc1`` against a two-key trust list (rotation: old and active signer) —
  every stage including schema validation;
* **qr**: PNG rendering of the first ``--qr`` certificates (informational; it dominates issuing
  when a PNG is produced for every certificate, so the vaccination app renders on demand).

Everything runs in this single process on one thread; the payload building is outside the
timed sections. Targets: ≥ 500 issued/s and ≥ 2000 verified/s. Example::

    python benchmarks/certificates.py 2000
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from phongdich.lib.dcc import (
    KeyRing,
    build_test_certificate,
    build_vaccination_certificate,
    generate_csca,
    generate_document_signer,
    person_name,
    qr_png,
    verify_hc1,
)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Thị", "Văn", "Đức", "Ngọc", "Minh", "Thanh", "Quốc", "Hữu", "Thu", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hùng", "Khánh", "Lan", "Long", "Mai"]
PRODUCTS = ["EU/1/20/1528", "EU/1/20/1507", "EU/1/21/1529", "BBIBP-CorV", "Sputnik-V"]
TARGETS = {"issue": 500.0, "verify": 2000.0}


def _payloads(count: int, rng: random.Random) -> list[dict[str, Any]]:
    payloads = []
    for index in range(count):
        name = person_name(f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}")
        birth = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 65))
        if index % 4 == 3:
            payloads.append(
                build_test_certificate(
                    name,
                    birth,
                    test_type="LP217198-3",
                    result="260415000",
                    sample_collected_at=datetime(2024, 3, 1, 7, tzinfo=UTC)
                    + timedelta(minutes=index),
                    issuer="Bộ Y tế",
                    rat_device="1232",
                )
            )
        else:
            payloads.append(
                build_vaccination_certificate(
                    name,
                    birth,
                    product=rng.choice(PRODUCTS),
                    dose_number=2,
                    total_doses=2,
                    vaccination_date=date(2021, 9, 1) + timedelta(days=index % 200),
                    issuer="Bộ Y tế",
                )
            )
    return payloads


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("count", nargs="?", type=int, default=2000, help="certificates (2000)")
    parser.add_argument("--qr", type=int, default=50, help="QR PNGs to render (50; 0 = none)")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the payloads")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("count must be positive")

    now = datetime(2024, 3, 1, 8, tzinfo=UTC)
    csca = generate_csca("VN", valid_from=now - timedelta(days=400))
    ring = KeyRing([generate_document_signer(csca, valid_from=now - timedelta(days=300))])
    ring.add(generate_document_signer(csca, valid_from=now - timedelta(days=1)))
    trust = ring.trust_list()
    payloads = _payloads(args.count, random.Random(args.seed))

    wall, cpu = time.perf_counter(), time.process_time()
    certificates = [ring.issue(dcc, issued_at=now) for dcc in payloads]
    issue = (time.perf_counter() - wall, time.process_time() - cpu)

    scan_time = now + timedelta(days=30)
    wall, cpu = time.perf_counter(), time.process_time()
    results = [verify_hc1(hc1, trust, scan_time) for hc1 in certificates]
    verify = (time.perf_counter() - wall, time.process_time() - cpu)
    invalid = [result.reason for result in results if not result.valid]
    if invalid:
        print(f"ERROR: {len(invalid)} certificates failed to verify: {set(invalid)}")
        return 1

    sizes = sorted(len(hc1) for hc1 in certificates)
    median = sizes[len(sizes) // 2]
    print(f"certificates: {args.count} (ES256, schema 1.3.0), HC1 length median {median}")
    # CPU time is what one dedicated core delivers; wall time also counts other processes.
    rates = {}
    for label, (wall_seconds, cpu_seconds) in (("issue", issue), ("verify", verify)):
        rates[label] = _rate(args.count, cpu_seconds)
        verdict = "ok" if rates[label] >= TARGETS[label] else "BELOW TARGET"
        print(
            f"{label:>6}: {rates[label]:8.0f} certificates/s of CPU "
            f"({cpu_seconds * 1000 / args.count:.3f} ms each), "
            f"{_rate(args.count, wall_seconds):8.0f}/s wall; "
            f"target ≥ {TARGETS[label]:.0f}/s: {verdict}"
        )
    if args.qr:
        sample = certificates[: args.qr]
        cpu = time.process_time()
        for hc1 in sample:
            qr_png(hc1)
        qr_rate = _rate(len(sample), time.process_time() - cpu)
        print(f"    qr: {qr_rate:8.0f} PNGs/s of CPU (first {len(sample)}, informational)")
    return 0 if all(rates[label] >= TARGETS[label] for label in TARGETS) else 2


if __name__ == "__main__":
    sys.exit(main())
