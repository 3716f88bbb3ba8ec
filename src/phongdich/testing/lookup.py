"""The public result lookup: tube code + year of birth → result, date, test type. Nothing else.

An unknown code, a wrong year of birth and a result not released yet give the *same* answer, so
the page cannot be used to learn whether a code exists. Guessing is limited twice: per client
address (``testing.lookup_per_minute``), and per tube code across all addresses
(``testing.lookup_per_code_per_hour`` failed attempts), since a year of birth has only about a
hundred likely values. The per-code limit applies to every code alike, existing or not.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

from phongdich.core.ratelimit import RateLimited, check_rate
from phongdich.core.rules import get_rule
from phongdich.lib.errors import InputErrors
from phongdich.testing.models import Sample, SampleStatus
from phongdich.testing.validation import parse_code

HOUR = 3600
NOT_FOUND_VI = (
    "Không có kết quả đã trả nào khớp với mã ống và năm sinh này. Kết quả chỉ hiện ở "
    "đây sau khi phòng xét nghiệm trả kết quả."
)
NOT_FOUND_EN = (
    "No released result matches this tube code and year of birth. Results appear "
    "here once the laboratory releases them."
)


def _code_key(code: str) -> str:
    return f"testing:lookup-failures:{code}:{int(time.time()) // HOUR}"


def _check_code_budget(code: str) -> None:
    if (cache.get(_code_key(code)) or 0) >= get_rule("testing.lookup_per_code_per_hour"):
        raise RateLimited(HOUR - int(time.time()) % HOUR)


def _count_failure(code: str) -> None:
    key = _code_key(code)
    if not cache.add(key, 1, timeout=HOUR + 1):
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, timeout=HOUR + 1)


def _birth_year(raw: Any) -> int:
    try:
        year = int(str(raw or "").strip())
    except ValueError:
        year = 0
    if not 1900 <= year <= 2100:
        raise InputErrors.one(
            "birth_year",
            "not_integer",
            "Năm sinh phải là số có 4 chữ số.",
            "birth_year must be a four-digit year.",
        )
    return year


def lookup_result(request: Any, code_raw: Any, birth_year_raw: Any) -> Sample | None:
    """The released result for this code and year, or None; raises RateLimited or InputErrors
    (a malformed code or year: its check character is public knowledge, so saying so leaks
    nothing)."""
    check_rate(request, "testing.lookup", get_rule("testing.lookup_per_minute"))
    code, error = parse_code(code_raw)
    if error:
        raise InputErrors([error])
    year = _birth_year(birth_year_raw)
    _check_code_budget(code)
    sample = (
        Sample.objects.filter(
            tube_code=code,
            person__birth_year=year,
            status=SampleStatus.RESOLVED,
            released_at__isnull=False,
        )
        .select_related("session")
        .first()
    )
    if sample is None:
        _count_failure(code)
    return sample


def public_view(sample: Sample) -> dict[str, Any]:
    """The only facts shown to whoever holds the code and the year."""
    return {
        "code": sample.tube_code,
        "result": sample.result,
        "test_type": sample.session.test_type,
        "sampled_at": sample.collected_at,
        "result_at": sample.result_at,
    }
