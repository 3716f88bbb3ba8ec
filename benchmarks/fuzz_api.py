"""Fuzz the JSON API from its own OpenAPI schema with schemathesis, in-process through the WSGI
application gunicorn serves (middleware and the check-in fast path included), on a demo database.

Every operation is run anonymously and with an API token of a province officer (demo_tinh);
the script prints the number of cases sent and of server errors (5xx), and exits non-zero when
there is any. With ``--conformance`` every answer is also checked against the schema (its status
is documented for the operation, its body has the documented shape, errors included), and a
mismatch counts as a failure too. The figures of the last run are in benchmarks/README.md.

    PHONGDICH_DATA_DIR=$(mktemp -d) python benchmarks/fuzz_api.py --examples 80

``--examples`` is hypothesis' ``max_examples`` per operation and actor (the total is about
operations x 2 x examples; negative and positive data both)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter


def setup(people: int) -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "phongdich.settings")
    os.environ.setdefault("PHONGDICH_FAST_HASHER", "1")
    import django

    django.setup()
    from django.core.management import call_command

    from phongdich.accounts.actions import do_issue_token
    from phongdich.accounts.models import User

    if not User.objects.filter(username="demo_tinh").exists():  # a second run reuses the demo
        call_command("demo", "--no-serve", "--people", str(people), "--days", "2", verbosity=0)

    return do_issue_token(User.objects.get(username="demo_tinh"))


def fuzz(token: str, examples: int, conformance: bool = False) -> tuple[int, Counter, list, list]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import errors as hypothesis_errors
    from schemathesis.core.failures import FailureGroup
    from schemathesis.specs.openapi.checks import (
        response_schema_conformance,
        status_code_conformance,
    )

    from phongdich.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    statuses: Counter = Counter()
    failures: list = []
    mismatches: list = []

    def cases(strategy, headers):
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            response = case.call(headers=headers)
            statuses[response.status_code // 100 * 100] += 1
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, case.query, case.body))
            elif conformance:
                try:
                    case.validate_response(
                        response, checks=[status_code_conformance, response_schema_conformance]
                    )
                except FailureGroup as group:
                    for failure in group.exceptions:
                        what = getattr(failure, "message", "") or str(failure)
                        what = " ".join(what.split())[:160]
                        mismatches.append((case.method, case.path, response.status_code, what))

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            with contextlib.suppress(hypothesis_errors.Unsatisfiable):
                cases(operation.as_strategy(), headers)()
    sent = sum(statuses.values())
    return sent, statuses, failures, mismatches


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=80, help="cases per operation and actor")
    parser.add_argument("--people", type=int, default=200, help="residents in the demo")
    parser.add_argument(
        "--conformance", action="store_true", help="also check answers against the schema"
    )
    args = parser.parse_args()
    if "PHONGDICH_DATA_DIR" not in os.environ:
        sys.exit(
            "Set PHONGDICH_DATA_DIR to an empty directory: the fuzz run writes to its database."
        )
    token = setup(args.people)
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a line per 4xx otherwise
    started = time.monotonic()
    sent, statuses, failures, mismatches = fuzz(token, args.examples, args.conformance)
    seconds = time.monotonic() - started
    print(f"cases: {sent} in {seconds:.0f} s ({sent / seconds:.0f}/s)")
    print("by status class: " + ", ".join(f"{k // 100}xx {v}" for k, v in sorted(statuses.items())))
    print(f"server errors (5xx): {len(failures)}")
    for failure in failures[:20]:
        print("  ", failure)
    if args.conformance:
        distinct = sorted(set(mismatches))
        print(f"answers not as documented: {len(mismatches)} ({len(distinct)} distinct)")
        for mismatch in distinct[:40]:
            print("  ", mismatch)
    return 1 if failures or (args.conformance and mismatches) else 0


if __name__ == "__main__":
    sys.exit(main())
