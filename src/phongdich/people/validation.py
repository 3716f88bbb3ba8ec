"""Validation of a person's details, shared by check-in, paper forms, cases and test sampling.

Every problem is reported at once, each naming its field, in Vietnamese and English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from phongdich.lib.countries import is_country
from phongdich.lib.errors import FieldError
from phongdich.lib.phones import InvalidPhone, normalise_any_phone
from phongdich.lib.text import fold, normalise_name, normalise_spaces

GENDERS = ("male", "female", "other")
_CCCD = re.compile(r"^\d{12}$")
_CMND = re.compile(r"^\d{9}$")
_PASSPORT = re.compile(r"^[A-Z0-9]{6,12}$")
_NAME_OK = re.compile(r"^[^\d@#$%^&*_=+<>{}\[\]|\\/;:\"!?~`]+$")

_FIELD_VI = {
    "full_name": "Họ và tên",
    "birth_year": "Năm sinh",
    "gender": "Giới tính",
    "phone": "Số điện thoại",
    "id_number": "Số CCCD/CMND/hộ chiếu",
    "nationality": "Quốc tịch",
    "ward_code": "Phường/xã",
    "address": "Địa chỉ",
    "email": "Email",
}


@dataclass(frozen=True)
class PersonData:
    full_name: str
    name_folded: str
    birth_year: int
    gender: str
    phone: str  # E.164 or ""
    id_number: str | None
    nationality: str
    ward_code: int | None
    address: str
    email: str = ""


def _err(prefix: str, field: str, code: str, vi: str, en: str) -> FieldError:
    return FieldError(f"{prefix}{field}", code, vi, en)


def _required(prefix: str, field: str) -> FieldError:
    label = _FIELD_VI.get(field, field)
    return _err(prefix, field, "required", f"{label} là bắt buộc.", f"{field} is required.")


def _clean_name(raw: Any, prefix: str, errors: list[FieldError]) -> str:
    name = normalise_name(str(raw or ""))
    if not name:
        errors.append(_required(prefix, "full_name"))
    elif len(name) < 2 or len(name) > 120 or not _NAME_OK.match(name):
        errors.append(
            _err(
                prefix,
                "full_name",
                "invalid_name",
                "Họ và tên không hợp lệ (2–120 chữ cái, không chứa số).",
                "full_name must be 2–120 letters, without digits.",
            )
        )
    return name


def _clean_birth_year(raw: Any, prefix: str, errors: list[FieldError]) -> int:
    if raw in (None, ""):
        errors.append(_required(prefix, "birth_year"))
        return 0
    try:
        year = int(str(raw).strip())
    except ValueError:
        errors.append(
            _err(
                prefix,
                "birth_year",
                "not_integer",
                "Năm sinh phải là số.",
                "birth_year must be a number.",
            )
        )
        return 0
    this_year = timezone.localdate().year
    if not 1900 <= year <= this_year:
        errors.append(
            _err(
                prefix,
                "birth_year",
                "out_of_range",
                f"Năm sinh phải từ 1900 đến {this_year}.",
                f"birth_year must be between 1900 and {this_year}.",
            )
        )
    return year


def _clean_phone(raw: Any, prefix: str, errors: list[FieldError]) -> str:
    text = normalise_spaces(str(raw or ""))
    if not text:
        return ""
    try:
        return normalise_any_phone(text)
    except InvalidPhone as error:
        errors.append(_err(prefix, "phone", error.code, error.message_vi, error.message_en))
        return ""


def _clean_id_number(
    raw: Any, nationality: str, prefix: str, errors: list[FieldError]
) -> str | None:
    text = re.sub(r"[\s.\-]", "", str(raw or "")).upper()
    if not text:
        return None
    if nationality == "VN" and not (_CCCD.match(text) or _CMND.match(text)):
        errors.append(
            _err(
                prefix,
                "id_number",
                "invalid_id_number",
                "Số CCCD phải có 12 chữ số (CMND cũ: 9 chữ số).",
                "id_number must be a 12-digit CCCD (or a 9-digit old CMND).",
            )
        )
    elif nationality != "VN" and not _PASSPORT.match(text):
        errors.append(
            _err(
                prefix,
                "id_number",
                "invalid_id_number",
                "Số hộ chiếu gồm 6–12 chữ cái hoặc chữ số.",
                "id_number (passport) must be 6–12 letters or digits.",
            )
        )
    return text


def validate_person(
    data: dict[str, Any], *, prefix: str = "person.", require_contact: bool = True
) -> tuple[PersonData | None, list[FieldError]]:
    """Check and normalise person fields. ``require_contact``: a phone or an ID number is needed
    so that tracing can reach the person (paper forms may lack both when ``False``)."""
    errors: list[FieldError] = []
    name = _clean_name(data.get("full_name"), prefix, errors)
    year = _clean_birth_year(data.get("birth_year"), prefix, errors)
    gender = str(data.get("gender") or "").strip().lower()
    if gender not in GENDERS:
        errors.append(
            _err(
                prefix,
                "gender",
                "not_allowed",
                "Giới tính phải là nam, nữ hoặc khác.",
                "gender must be male, female or other.",
            )
        )
    nationality = str(data.get("nationality") or "VN").strip().upper()
    if not is_country(nationality):
        errors.append(
            _err(
                prefix,
                "nationality",
                "invalid_country",
                "Quốc tịch không có trong danh sách quốc gia (mã ISO 3166-1 2 chữ cái, VD: VN).",
                "nationality must be a country of the list (ISO 3166-1 2-letter code, e.g. VN).",
            )
        )
    phone = _clean_phone(data.get("phone"), prefix, errors)
    id_number = _clean_id_number(data.get("id_number"), nationality, prefix, errors)
    if (
        require_contact
        and not phone
        and not id_number
        and not any(e.field in {f"{prefix}phone", f"{prefix}id_number"} for e in errors)
    ):
        errors.append(
            _err(
                prefix,
                "phone",
                "contact_required",
                "Cần số điện thoại hoặc số CCCD để liên hệ khi truy vết.",
                "phone (or id_number) is required so that tracing can reach you.",
            )
        )
    ward_code = _clean_ward(data.get("ward_code"), prefix, errors)
    address = normalise_spaces(str(data.get("address") or ""))
    if len(address) > 200:
        errors.append(
            _err(
                prefix,
                "address",
                "too_long",
                "Địa chỉ quá dài (tối đa 200 ký tự).",
                "address is too long (at most 200 characters).",
            )
        )
    email = normalise_spaces(str(data.get("email") or ""))
    if email and (len(email) > 254 or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email)):
        errors.append(
            _err(
                prefix,
                "email",
                "invalid_email",
                "Email không hợp lệ.",
                "email is not a valid address.",
            )
        )
    if errors:
        return None, errors
    return PersonData(
        name, fold(name), year, gender, phone, id_number, nationality, ward_code, address, email
    ), []


def _clean_ward(raw: Any, prefix: str, errors: list[FieldError]) -> int | None:
    from phongdich.places.queries import ward_codes

    if raw in (None, ""):
        return None
    try:
        code = int(str(raw))
    except ValueError:
        code = -1
    if code not in ward_codes():
        errors.append(
            _err(
                prefix,
                "ward_code",
                "unknown_ward",
                "Không có phường/xã với mã này.",
                "ward_code is not a known ward or commune.",
            )
        )
        return None
    return code
