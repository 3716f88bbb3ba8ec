"""Fuzz the JSON API from its own OpenAPI schema with schemathesis, in-process through the WSGI
application gunicorn serves (middleware and the check-in fast path included), on a demo database.

Every operation is run anonymously and with an API token of a province officer (demo_tinh);
the script prints the number of cases sent and of server errors (5xx), and exits non-zero when
there is any. The figures of the last run are in benchmarks/README.md.

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


def fuzz(token: str, examples: int) -> tuple[int, Counter, list]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import errors as hypothesis_errors

    from phongdich.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    statuses: Counter = Counter()
    failures: list = []

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

        return run

    for result in schema.get_all_operations():
        operation = result.ok()
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            with contextlib.suppress(hypothesis_errors.Unsatisfiable):
                cases(operation.as_strategy(), headers)()
    sent = sum(statuses.values())
    return sent, statuses, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=80, help="cases per operation and actor")
    parser.add_argument("--people", type=int, default=200, help="residents in the demo")
    args = parser.parse_args()
    if "PHONGDICH_DATA_DIR" not in os.environ:
        sys.exit(
            "Set PHONGDICH_DATA_DIR to an empty directory: the fuzz run writes to its database."
        )
    token = setup(args.people)
    import logging

    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # a line per 4xx otherwise
    started = time.monotonic()
    sent, statuses, failures = fuzz(token, args.examples)
    seconds = time.monotonic() - started
    print(f"cases: {sent} in {seconds:.0f} s ({sent / seconds:.0f}/s)")
    print("by status class: " + ", ".join(f"{k // 100}xx {v}" for k, v in sorted(statuses.items())))
    print(f"server errors (5xx): {len(failures)}")
    for failure in failures[:20]:
        print("  ", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
