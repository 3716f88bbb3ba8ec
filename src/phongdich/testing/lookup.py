"""The public result lookup: tube code + year of birth → result, date, test type. Nothing else.

An unknown code, a wrong year of birth and a result not released yet give the *same* answer, so
the page cannot be used to learn whether a code exists. Guessing is limited twice: per client
address (``testing.lookup_per_minute``), and per tube code across all addresses
(``testing.lookup_per_code_per_hour`` failed attempts), since a year of birth has only about a
hundred likely values. The per-code limit applies to every code alike, existing or not.

A stranger guessing must not lock the owner out: once a code is locked, whoever holds the code
and the year can still ask for a one-time code sent to the phone on file for that test
(people.proof) and see the result with it (:func:`do_send_result_code`,
:func:`do_prove_result`). The answer to that request is the same whether or not anything matched.
"""

from __future__ import annotations

from typing import Any

from phongdich.core.ratelimit import RateLimited, check_rate, count_hit, current_count
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
    return f"testing.lookup-failures:{code}"


def _check_code_budget(code: str) -> None:
    count, retry_after = current_count(_code_key(code), HOUR)
    if count >= get_rule("testing.lookup_per_code_per_hour"):
        raise CodeLocked(retry_after)


def _count_failure(code: str) -> None:
    count_hit(_code_key(code), HOUR)


class CodeLocked(RateLimited):
    """This tube code is locked for everyone for now (guessed too often): the owner can still
    prove themselves with a one-time code to the phone on file."""


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
    code, year = _clean(code_raw, birth_year_raw)
    _check_code_budget(code)
    sample = _released(code, year)
    if sample is None:
        _count_failure(code)
    return sample


def _released(code: str, year: int):
    return (
        Sample.objects.filter(
            tube_code=code,
            person__birth_year=year,
            status=SampleStatus.RESOLVED,
            released_at__isnull=False,
        )
        .select_related("session", "person")
        .first()
    )


def _clean(code_raw: Any, birth_year_raw: Any) -> tuple[str, int]:
    code, error = parse_code(code_raw)
    if error:
        raise InputErrors([error])
    return code, _birth_year(birth_year_raw)


def do_send_result_code(request: Any, code_raw: Any, birth_year_raw: Any) -> str:
    """Send a one-time code to the phone on file for the released result of this code and
    year (nothing is sent when none matches); returns the challenge key either way."""
    from phongdich.people.proof import do_send_code, subject_of

    check_rate(request, "testing.lookup", get_rule("testing.lookup_per_minute"))
    code, year = _clean(code_raw, birth_year_raw)
    sample = _released(code, year)
    person = sample.person if sample is not None else None
    # Filed under the code and the year: a stranger without the year cannot use up the resends.
    subject = subject_of("tube", f"{code}:{year}")
    challenge = do_send_code(subject, person, purpose="result", field="code")
    return challenge.key


def do_prove_result(code_raw: Any, birth_year_raw: Any, key: str, submitted: Any) -> Sample:
    """The released result the one-time code proves, or InputErrors (wrong, used or expired
    code: the same answer whether or not the tube code matched anything)."""
    from phongdich.people.proof import do_check_code, subject_of

    code, year = _clean(code_raw, birth_year_raw)
    subject = subject_of("tube", f"{code}:{year}")
    person = do_check_code(str(key or ""), str(submitted or ""), subject=subject)
    sample = _released(code, year)
    if sample is None or sample.person_id != person.pk:  # pragma: no cover - bound at sending
        raise InputErrors.one(
            "code", "otp_expired", "Mã xác nhận đã hết hạn.", "The code has expired."
        )
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
