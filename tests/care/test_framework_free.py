"""The care rules are framework-free: importing them must not import Django (the care app will
build on them, and batch jobs or other services may use them without a Django project)."""

from __future__ import annotations

import subprocess
import sys

MODULES = ["rulesets", "reports", "warnings", "eligibility", "fhir", "errors"]


def test_the_care_modules_import_without_django():
    imports = "; ".join(f"import phongdich.care.{m}" for m in MODULES)
    code = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.startswith('django')))"
    out = subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
