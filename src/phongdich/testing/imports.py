"""Analyser result files (CSV or XLSX): map the columns, preview row by row, commit atomically.

One row per tube or pool code: the code, the result, optionally the Ct value and the time. The
column names accepted are what analysers and LIS exports write, in Vietnamese and English.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from phongdich.lib.errors import FieldError
from phongdich.lib.exports import TableError, read_table
from phongdich.lib.text import fold, normalise_spaces
from phongdich.testing.models import BatchSource, Lab
from phongdich.testing.results import CheckedRow, RawRow, check_rows, do_record_results

MAX_ROWS = 100_000
COLUMNS = {
    "code": {
        "code",
        "tube",
        "tube code",
        "tube_code",
        "pool",
        "pool code",
        "pool_code",
        "sample",
        "sample id",
        "sample_id",
        "sample code",
        "barcode",
        "ma",
        "ma ong",
        "ma mau",
        "ma ong mau",
        "ma mau gop",
        "ma gop",
    },
    "result": {"result", "results", "ket qua", "interpretation", "outcome"},
    "ct": {"ct", "ct value", "ct_value", "cq", "gia tri ct"},
    "time": {
        "time",
        "result time",
        "result_at",
        "date",
        "datetime",
        "thoi gian",
        "ngay gio",
        "thoi gian tra ket qua",
        "ngay",
    },
}
REQUIRED = ("code", "result")


@dataclass
class Preview:
    rows: list[CheckedRow] = field(default_factory=list)
    file_errors: list[FieldError] = field(default_factory=list)
    sha256: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(not r.errors for r in self.rows)

    def _count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status and not r.errors)

    @property
    def new(self) -> int:
        return self._count("new")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def error_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)


def _key(header: str) -> str:
    return fold(normalise_spaces(header)).lower().replace("_", " ")


def _map_headers(headers: list[str]) -> tuple[dict[str, str], list[FieldError]]:
    mapping: dict[str, str] = {}
    errors = []
    for header in headers:
        key = _key(header)
        for name, aliases in COLUMNS.items():
            if key in aliases or key.replace(" ", "_") in aliases:
                if name in mapping.values():
                    errors.append(
                        FieldError(
                            "file",
                            "duplicate_column",
                            f"Hai cột cùng là “{name}”.",
                            f"Two columns both mean “{name}”.",
                        )
                    )
                mapping[header] = name
    for name in REQUIRED:
        if name not in mapping.values():
            errors.append(
                FieldError(
                    "file",
                    "missing_column",
                    f"Thiếu cột bắt buộc: {name}.",
                    f"Missing required column: {name}. Columns found: {', '.join(headers)}.",
                )
            )
    return mapping, errors


def read_rows(data: bytes, filename: str) -> tuple[list[RawRow], list[FieldError]]:
    """The file's rows as raw result rows, or file-level errors (bad encoding, formula cell,
    wrong columns), each naming its row where there is one."""
    try:
        headers, source = read_table(data, filename, max_rows=MAX_ROWS)
    except TableError as error:
        return [], [FieldError("file", error.code, error.message_vi, error.message_en)]
    mapping, errors = _map_headers(headers)
    if errors:
        return [], errors
    by_name = {name: header for header, name in mapping.items()}
    rows = [
        RawRow(
            row=item.row,
            code=item.values.get(by_name["code"]),
            result=item.values.get(by_name["result"]),
            ct=item.values.get(by_name["ct"]) if "ct" in by_name else None,
            time=item.values.get(by_name["time"]) if "time" in by_name else None,
        )
        for item in source
    ]
    if not rows:
        errors.append(
            FieldError(
                "file", "no_rows", "Tệp không có dòng kết quả nào.", "The file has no result rows."
            )
        )
    return rows, errors


def preview_results(data: bytes, filename: str, *, user: Any) -> Preview:
    """Every row checked against the database; nothing is written."""
    sha = hashlib.sha256(data).hexdigest()
    rows, errors = read_rows(data, filename)
    if errors:
        return Preview([], errors, sha)
    return Preview(check_rows(rows, user=user), [], sha)


def do_import_results(
    data: bytes, filename: str, *, user: Any, lab: Lab | None, request: Any = None
) -> dict[str, Any]:
    """Commit a result file atomically (any bad row and nothing is written); importing the same
    file again changes nothing. Returns the summary of what changed."""
    from phongdich.lib.errors import InputErrors

    rows, errors = read_rows(data, filename)
    if errors:
        raise InputErrors(errors)
    return do_record_results(
        rows,
        user=user,
        lab=lab,
        source=BatchSource.FILE,
        file_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        request=request,
    )
