"""Bulk contact lists (passengers, a class, a factory shift) from CSV or XLSX: preview, then commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction

from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.exports import TableError, read_table
from phongdich.people.validation import validate_person
from phongdich.places.queries import ward_from_text
from phongdich.tracing.actions import do_add_contact
from phongdich.tracing.models import Case, ContactOrigin, Level

# Accepted column names (Vietnamese headers as people type them in Excel, and the API names).
COLUMNS = {
    "full_name": {"full_name", "họ và tên", "ho va ten", "họ tên", "ho ten", "name"},
    "birth_year": {"birth_year", "năm sinh", "nam sinh", "year of birth"},
    "date_of_birth": {"date_of_birth", "ngày sinh", "ngay sinh", "ngày tháng năm sinh", "dob"},
    "gender": {"gender", "giới tính", "gioi tinh", "sex"},
    "phone": {"phone", "số điện thoại", "so dien thoai", "điện thoại", "sđt", "sdt"},
    "id_number": {"id_number", "cccd", "số cccd", "cmnd", "hộ chiếu"},
    "ward_code": {"ward_code", "mã phường", "ma phuong", "mã phường/xã", "ma phuong/xa"},
    "ward": {"ward", "phường/xã", "phuong/xa", "phường", "phuong", "xã", "xa", "phường xã"},
    "address": {"address", "địa chỉ", "dia chi"},
    "relation": {"relation", "quan hệ", "quan he", "ghi chú"},
}
GENDER_WORDS = {"nam": "male", "nữ": "female", "nu": "female", "khác": "other", "khac": "other"}
REQUIRED = ("full_name", "gender")  # and a year or a full date of birth
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _year_of_birth(raw: Any) -> tuple[str, FieldError | None]:
    """A full date of birth as people write it (``05/03/1988``, ``5-3-1988``, an Excel date
    cell, ``1988-03-05``) gives the year; anything else is an error naming the field."""
    if isinstance(raw, datetime | date):
        return str(raw.year), None
    text = str(raw or "").strip()
    if not text:
        return "", None
    text = text.split(" ")[0]  # an Excel date cell read as text: "1988-03-05 00:00:00"
    try:
        found = _DMY.match(text)
        day = (
            date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
            if found
            else date.fromisoformat(text)
        )
    except ValueError:
        return "", FieldError(
            "date_of_birth",
            "invalid_date_of_birth",
            f"Ngày sinh không hợp lệ: {text[:20]} (viết dd/mm/yyyy).",
            f"Invalid date of birth: {text[:20]} (write dd/mm/yyyy).",
        )
    return str(day.year), None


@dataclass
class ImportRow:
    row: int
    data: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    file_errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(not r.errors for r in self.rows)


def _map_headers(headers: list[str]) -> tuple[dict[str, str], list[FieldError]]:
    mapping = {}
    for header in headers:
        key = header.strip().lower()
        for name, aliases in COLUMNS.items():
            if key in aliases:
                mapping[header] = name
    missing = [c for c in REQUIRED if c not in mapping.values()]
    if not {"birth_year", "date_of_birth"} & set(mapping.values()):
        missing.append("birth_year")
    errors = [
        FieldError(
            "file", "missing_column", f"Thiếu cột bắt buộc: {c}.", f"Missing required column: {c}."
        )
        for c in missing
    ]
    return mapping, errors


def preview_import(data: bytes, filename: str, province_id: int | None = None) -> ImportPreview:
    """Read and check every row. A ward is a code or a name of ``province_id``'s wards (with
    or without diacritics); a full date of birth stands for the year of birth."""
    try:
        headers, source_rows = read_table(data, filename, max_rows=20_000)
    except TableError as error:
        where = f" (dòng {error.row})" if error.row else ""
        return ImportPreview(
            [],
            [
                FieldError(
                    "file",
                    error.code,
                    error.message_vi + where,
                    error.message_en + (f" (row {error.row})" if error.row else ""),
                )
            ],
        )
    mapping, header_errors = _map_headers(headers)
    if header_errors:
        return ImportPreview([], header_errors)
    rows, seen = [], {}
    for source in source_rows:
        values = {
            mapping[h]: ("" if v is None else str(v).strip())
            for h, v in source.values.items()
            if h in mapping and mapping[h] != "date_of_birth"
        }
        date_errors = []
        dob = next((v for h, v in source.values.items() if mapping.get(h) == "date_of_birth"), "")
        year, date_error = _year_of_birth(dob)
        if date_error:
            date_errors.append(date_error)
        elif year and not values.get("birth_year"):
            values["birth_year"] = year
        ward_name = values.pop("ward", "")
        if ward_name and not values.get("ward_code"):
            values["ward_code"] = ward_from_text(ward_name, province_id)
        values["gender"] = GENDER_WORDS.get(
            values.get("gender", "").lower(), values.get("gender", "")
        )
        _clean, errors = validate_person(values, prefix="", require_contact=False)
        errors = date_errors + errors
        key = (
            values.get("id_number") or "",
            values.get("phone") or "",
            values.get("full_name", "").lower(),
            values.get("birth_year"),
        )
        if key in seen:
            errors.append(
                FieldError(
                    "row",
                    "duplicate_row",
                    f"Trùng với dòng {seen[key]}.",
                    f"Duplicate of row {seen[key]}.",
                )
            )
        seen.setdefault(key, source.row)
        rows.append(ImportRow(source.row, values, errors))
    return ImportPreview(rows)


def do_import_contacts(
    case: Case,
    data: bytes,
    filename: str,
    *,
    actor: Any,
    request: Any = None,
    level: str = Level.F1,
) -> tuple[int, int]:
    """Commit a list atomically: any bad row and nothing is written. Importing the same list again
    adds nobody twice (contacts are unique per case and person). Returns (created, already there)."""
    preview = preview_import(data, filename, case.ward.province_id)
    if not preview.ok:
        errors = list(preview.file_errors)
        for row in preview.rows:
            errors += [
                FieldError(
                    f"row {row.row}: {e.field}",
                    e.code,
                    f"Dòng {row.row}: {e.message_vi}",
                    f"Row {row.row}: {e.message_en}",
                )
                for e in row.errors
            ]
        raise InputErrors(errors)
    created = existing = 0
    with transaction.atomic():
        for row in preview.rows:
            relation = row.data.pop("relation", "")
            _contact, was_created = do_add_contact(
                case,
                row.data,
                relation=relation,
                level=level,
                origin=ContactOrigin.IMPORT,
                actor=actor,
                request=request,
            )
            created += was_created
            existing += not was_created
    return created, existing
