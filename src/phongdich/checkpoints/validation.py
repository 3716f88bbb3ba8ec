"""Venue fields: the same rules for the public registration form, officers' form and the API."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from phongdich.checkpoints.models import VenueKind
from phongdich.lib.errors import FieldError
from phongdich.lib.phones import InvalidPhone, normalise_phone
from phongdich.lib.text import normalise_spaces
from phongdich.places.models import Ward


@dataclass(frozen=True)
class VenueData:
    name: str
    kind: str
    address: str
    ward: Ward
    phone: str
    operator: str
    lat: float | None
    lon: float | None
    default_stay_minutes: int


def _text(
    data: dict[str, Any],
    name: str,
    limit: int,
    label_vi: str,
    errors: list[FieldError],
    required: bool = True,
) -> str:
    value = normalise_spaces(str(data.get(name) or ""))
    if required and not value:
        errors.append(
            FieldError(name, "required", f"{label_vi} là bắt buộc.", f"{name} is required.")
        )
    elif len(value) > limit:
        errors.append(
            FieldError(
                name,
                "too_long",
                f"{label_vi} quá dài (tối đa {limit} ký tự).",
                f"{name} is too long (at most {limit} characters).",
            )
        )
    return value


def _coordinate(
    data: dict[str, Any], name: str, bound: float, errors: list[FieldError]
) -> float | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = bound * 2
    if not -bound <= value <= bound:
        errors.append(
            FieldError(
                name,
                "out_of_range",
                f"Tọa độ {name} không hợp lệ.",
                f"{name} must be a number between -{bound:g} and {bound:g}.",
            )
        )
        return None
    return value


def validate_venue(data: dict[str, Any]) -> tuple[VenueData | None, list[FieldError]]:
    errors: list[FieldError] = []
    name = _text(data, "name", 200, "Tên điểm kiểm dịch", errors)
    address = _text(data, "address", 200, "Địa chỉ", errors)
    operator = _text(data, "operator", 200, "Đơn vị quản lý", errors, required=False)
    kind = str(data.get("kind") or "")
    if kind not in VenueKind.values:
        errors.append(
            FieldError(
                "kind",
                "not_allowed",
                "Loại địa điểm không hợp lệ.",
                f"kind must be one of: {', '.join(VenueKind.values)}.",
            )
        )
    ward = None
    with contextlib.suppress(TypeError, ValueError):
        ward = (
            Ward.objects.select_related("province")
            .filter(code=int(str(data.get("ward_code"))))
            .first()
        )
    if ward is None:
        errors.append(
            FieldError(
                "ward_code",
                "unknown_ward",
                "Không có phường/xã với mã này.",
                "ward_code is not a known ward or commune.",
            )
        )
    phone = ""
    raw_phone = normalise_spaces(str(data.get("phone") or ""))
    if not raw_phone:
        errors.append(
            FieldError(
                "phone", "required", "Số điện thoại liên hệ là bắt buộc.", "phone is required."
            )
        )
    else:
        try:
            phone = normalise_phone(raw_phone)
        except InvalidPhone as e:
            errors.append(FieldError("phone", e.code, e.message_vi, e.message_en))
    lat = _coordinate(data, "lat", 90, errors)
    lon = _coordinate(data, "lon", 180, errors)
    stay = data.get("default_stay_minutes")
    try:
        stay_minutes = 60 if stay in (None, "") else int(str(stay))
    except ValueError:
        stay_minutes = -1
    if not 5 <= stay_minutes <= 24 * 60:
        errors.append(
            FieldError(
                "default_stay_minutes",
                "out_of_range",
                "Thời gian lưu lại mặc định phải từ 5 đến 1440 phút.",
                "default_stay_minutes must be between 5 and 1440.",
            )
        )
    if errors:
        return None, errors
    assert ward is not None  # noqa: S101  (errors would be non-empty otherwise)
    return VenueData(name, kind, address, ward, phone, operator, lat, lon, stay_minutes), []
