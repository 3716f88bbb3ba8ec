"""The risk rules are framework-free: importing them must not load Django."""

from __future__ import annotations

import subprocess
import sys

import pytest

from phongdich.risk.levels import default_rule_sets


def test_risk_modules_import_without_django():
    code = (
        "import sys\n"
        "import phongdich.risk.levels, phongdich.risk.workplace, phongdich.risk.taxid\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    out = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"


def test_rule_sets_can_be_fetched_by_id_and_version():
    rule_sets = default_rule_sets()
    assert rule_sets.get("byt-4800").decision == "4800/QĐ-BYT"
    assert rule_sets.get("byt-218", 1).decision == "218/QĐ-BYT"
    with pytest.raises(KeyError):
        rule_sets.get("byt-218", 9)
