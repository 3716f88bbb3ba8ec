"""Bulk contact lists (passengers, a class, a factory shift) from CSV or XLSX: preview, then commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.exports import TableError, read_table
from phongdich.people.validation import validate_person
from phongdich.tracing.actions import do_add_contact
from phongdich.tracing.models import Case, ContactOrigin, Level

# Accepted column names (Vietnamese headers as people type them in Excel, and the API names).
COLUMNS = {
    "full_name": {"full_name", "họ và tên", "ho va ten", "họ tên", "ho ten", "name"},
    "birth_year": {"birth_year", "năm sinh", "nam sinh", "year of birth"},
    "gender": {"gender", "giới tính", "gioi tinh", "sex"},
    "phone": {"phone", "số điện thoại", "so dien thoai", "điện thoại", "sđt", "sdt"},
    "id_number": {"id_number", "cccd", "số cccd", "cmnd", "hộ chiếu"},
    "ward_code": {"ward_code", "mã phường", "ma phuong"},
    "address": {"address", "địa chỉ", "dia chi"},
    "relation": {"relation", "quan hệ", "quan he", "ghi chú"},
}
GENDER_WORDS = {"nam": "male", "nữ": "female", "nu": "female", "khác": "other", "khac": "other"}
REQUIRED = ("full_name", "birth_year", "gender")


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
    errors = [
        FieldError(
            "file", "missing_column", f"Thiếu cột bắt buộc: {c}.", f"Missing required column: {c}."
        )
        for c in missing
    ]
    return mapping, errors


def preview_import(data: bytes, filename: str) -> ImportPreview:
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
            if h in mapping
        }
        values["gender"] = GENDER_WORDS.get(
            values.get("gender", "").lower(), values.get("gender", "")
        )
        _clean, errors = validate_person(values, prefix="", require_contact=False)
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
    preview = preview_import(data, filename)
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
