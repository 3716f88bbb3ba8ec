"""Checking what people type or upload: session forms, codes, results, Ct values and times.

Every problem names its field and comes in Vietnamese and English (``FieldError``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.lib.codes import InvalidCode, normalise_code
from phongdich.lib.errors import FieldError
from phongdich.lib.text import fold, normalise_spaces
from phongdich.lib.timeutil import VN_TZ, local_date
from phongdich.places.models import Ward
from phongdich.testing.models import CODE_LENGTH, Result, TargetKind, TestType

CLOCK_SKEW = timedelta(minutes=5)

# What analysers, LIS exports and people write for a result.
RESULT_WORDS = {
    Result.NEGATIVE: {
        "negative",
        "neg",
        "am tinh",
        "khong phat hien",
        "not detected",
        "0",
        "-",
        "260415000",
    },
    Result.POSITIVE: {
        "positive",
        "pos",
        "duong tinh",
        "phat hien",
        "detected",
        "1",
        "+",
        "260373001",
    },
}
INVALID_WORDS = {"invalid", "khong hop le", "inconclusive", "error", "loi", "rerun", "chay lai"}
INVALID = "invalid"


@dataclass(frozen=True)
class SessionData:
    site: str
    ward: Ward
    date: date
    test_type: str
    team: str
    target_kind: str
    target_case_id: int | None
    rat_device: str


def _err(field: str, code: str, vi: str, en: str) -> FieldError:
    return FieldError(field, code, vi, en)


def parse_code(raw: Any, field: str = "code") -> tuple[str, FieldError | None]:
    try:
        return normalise_code(str(raw or ""), CODE_LENGTH), None
    except InvalidCode as error:
        if not str(raw or "").strip():
            return "", _err(
                field, "required", "Cần mã ống hoặc mã mẫu gộp.", f"{field} is required."
            )
        return "", _err(field, error.code, error.message_vi, error.message_en)


def parse_person_qr(raw: str) -> str:
    """The token inside a personal QR (``PD1:<token>``), or what was typed if no prefix."""
    text = raw.strip()
    return text[4:] if text.upper().startswith("PD1:") else text


def _parse_date(raw: Any) -> date | None:
    if isinstance(raw, datetime):
        return local_date(raw) if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007  (a date only)
        except ValueError:
            continue
    return None


def _check_session_ward(raw: Any, actor: Any, errors: list[FieldError]) -> Ward | None:
    try:
        code = int(str(raw or "").strip())
    except ValueError:
        code = None
    ward = Ward.objects.select_related("province").filter(code=code).first() if code else None
    if ward is None:
        errors.append(
            _err(
                "ward_code",
                "unknown_ward",
                "Không có phường/xã với mã này.",
                "ward_code is not a known ward or commune.",
            )
        )
    elif not can_see_ward(actor, ward):
        errors.append(
            _err(
                "ward_code",
                "outside_area",
                "Phường/xã này không thuộc địa bàn của bạn.",
                "ward_code is outside your area.",
            )
        )
        return None
    return ward


def validate_session(
    data: dict[str, Any], actor: Any
) -> tuple[SessionData | None, list[FieldError]]:
    errors: list[FieldError] = []
    site = normalise_spaces(str(data.get("site") or ""))
    if not 2 <= len(site) <= 200:
        errors.append(
            _err(
                "site",
                "required",
                "Cần tên điểm lấy mẫu (2–200 ký tự).",
                "site is required (2–200 characters).",
            )
        )
    ward = _check_session_ward(data.get("ward_code"), actor, errors)
    day = _parse_date(data.get("date"))
    today = local_date(timezone.now())
    if day is None:
        errors.append(
            _err(
                "date",
                "not_date",
                "Ngày không hợp lệ (YYYY-MM-DD).",
                "date must be a date (YYYY-MM-DD).",
            )
        )
    elif not today - timedelta(days=60) <= day <= today + timedelta(days=60):
        errors.append(
            _err(
                "date",
                "out_of_range",
                "Ngày phải trong vòng 60 ngày trước hoặc sau.",
                "date must be within 60 days of today.",
            )
        )
    test_type = str(data.get("test_type") or "")
    if test_type not in TestType.values:
        errors.append(
            _err(
                "test_type",
                "not_allowed",
                "Loại xét nghiệm không hợp lệ.",
                f"test_type must be one of {', '.join(TestType.values)}.",
            )
        )
    target_kind = str(data.get("target_kind") or TargetKind.WALK_IN)
    if target_kind not in TargetKind.values:
        errors.append(
            _err(
                "target_kind",
                "not_allowed",
                "Danh sách cần lấy mẫu không hợp lệ.",
                f"target_kind must be one of {', '.join(TargetKind.values)}.",
            )
        )
    case_id = _target_case(data.get("target_case_id"), target_kind, actor, errors)
    team = normalise_spaces(str(data.get("team") or ""))[:200]
    rat_device = normalise_spaces(str(data.get("rat_device") or ""))
    if len(rat_device) > 20:
        errors.append(
            _err(
                "rat_device",
                "too_long",
                "Mã thiết bị test nhanh quá dài.",
                "rat_device is too long (at most 20 characters).",
            )
        )
    if errors:
        return None, errors
    assert ward is not None and day is not None  # noqa: S101  (no errors means both parsed)
    return SessionData(site, ward, day, test_type, team, target_kind, case_id, rat_device), []


def _target_case(raw: Any, target_kind: str, actor: Any, errors: list[FieldError]) -> int | None:
    if target_kind != TargetKind.CONTACTS:
        return None
    from phongdich.tracing.queries import cases_for

    try:
        case_id = int(str(raw or "").strip())
    except ValueError:
        case_id = None
    if case_id is None or not cases_for(actor).filter(pk=case_id).exists():
        errors.append(
            _err(
                "target_case_id",
                "unknown_case",
                "Cần số ca bệnh (F0) trong địa bàn của bạn để lấy danh sách tiếp xúc.",
                "target_case_id must be a case in your area (its contacts are called).",
            )
        )
        return None
    return case_id


def parse_result(raw: Any) -> tuple[str, FieldError | None]:
    """``negative``/``positive``, ``invalid`` (to be re-run), or an error."""
    return _parse_result(str(raw if raw is not None else ""))


@functools.lru_cache(maxsize=256)  # a file repeats a handful of spellings thousands of times
def _parse_result(raw: str) -> tuple[str, FieldError | None]:
    word = fold(normalise_spaces(raw)).lower()
    for value, words in RESULT_WORDS.items():
        if word in words:
            return value, None
    if word in INVALID_WORDS:
        return INVALID, None
    if not word:
        return "", _err(
            "result",
            "required",
            "Cần kết quả (âm tính/dương tính).",
            "result is required (negative/positive).",
        )
    return "", _err(
        "result",
        "not_allowed",
        f"Kết quả “{raw}” không hiểu được.",
        f"Result “{raw}” is not understood (negative/positive).",
    )


def parse_ct(raw: Any) -> tuple[float | None, FieldError | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, bool):
        raw = ""
    text = str(raw).strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 50 or value != value:  # NaN is never equal to itself
        return None, _err(
            "ct",
            "not_allowed",
            "Giá trị Ct phải là số từ 0 đến 50.",
            "The Ct value must be a number from 0 to 50.",
        )
    return round(value, 2), None


_TIME_PATTERNS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)


@functools.lru_cache(maxsize=4096)  # analysers stamp many rows with the same minute
def _parse_time_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _TIME_PATTERNS:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007  (the zone is added after)
        except ValueError:
            continue
    return None


def parse_time(raw: Any, now: datetime) -> tuple[datetime | None, FieldError | None]:
    """An aware result time; no time given means now. Times without an offset are Vietnamese."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return now, None
    moment: datetime | None = None
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, date):
        moment = datetime.combine(raw, time(12))
    else:
        moment = _parse_time_text(str(raw).strip())
    if moment is None:
        return None, _err(
            "time",
            "not_datetime",
            f"Thời gian “{raw}” không hợp lệ.",
            f"Time “{raw}” is not a date and time (YYYY-MM-DD HH:MM).",
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    if moment > now + CLOCK_SKEW:
        return None, _err(
            "time",
            "in_future",
            "Thời gian kết quả nằm ở tương lai.",
            "The result time is in the future.",
        )
    return moment, None


_ID = re.compile(r"[\s.\-]")


def clean_id_number(raw: str) -> str:
    return _ID.sub("", raw or "").upper()
