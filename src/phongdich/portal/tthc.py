"""Public results of administrative procedures (Công khai kết quả giải quyết TTHC), one row per
ward (or the whole site) and period, imported from the spreadsheet the one-stop desk keeps.

The import validates every row first and writes nothing when one cell is wrong; each error names
the row and the column. Importing a period again replaces its figures (the history is the list of
periods)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from phongdich.lib.errors import FieldError, InputErrors

MAX_ROWS = 500
MAX_BYTES = 2 * 1024 * 1024

# Header (Vietnamese, as the desk writes it, or English) → field. Matched without case/spaces.
COLUMNS = {
    "period": ("kỳ báo cáo", "kỳ", "period"),
    "start": ("từ ngày", "from"),
    "end": ("đến ngày", "to"),
    "received": ("tiếp nhận", "received"),
    "early": ("trước hạn", "early"),
    "on_time": ("đúng hạn", "on time"),
    "late": ("trễ hạn", "quá hạn", "late"),
    "in_progress": ("đang giải quyết", "in progress"),
    "online": ("trực tuyến", "online"),
}
NUMBERS = ("received", "early", "on_time", "late", "in_progress", "online")


class TthcPeriod(models.Model):
    ward = models.ForeignKey(
        "places.Ward", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("period"), max_length=60)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    received = models.PositiveIntegerField(_("received"))
    early = models.PositiveIntegerField(_("resolved early"))
    on_time = models.PositiveIntegerField(_("resolved on time"))
    late = models.PositiveIntegerField(_("resolved late"))
    in_progress = models.PositiveIntegerField(_("in progress"))
    online = models.PositiveIntegerField(_("received online"))
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-end"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward", "start", "end"], name="one_tthc_row_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="tthc_dates"
            ),
        ]
        verbose_name = _("procedure results of a period")

    def __str__(self) -> str:
        return self.label

    @property
    def resolved(self) -> int:
        return self.early + self.on_time + self.late

    def percent(self, part: int) -> int:
        return round(100 * part / self.received) if self.received else 0

    @property
    def online_percent(self) -> int:
        return self.percent(self.online)

    @property
    def timely_percent(self) -> int:
        done = self.resolved
        return round(100 * (self.early + self.on_time) / done) if done else 0


@dataclass
class ImportResult:
    created: int
    updated: int


def _key(value) -> str:
    return " ".join(str(value or "").lower().split())


def _header_map(header: tuple) -> dict[str, int]:
    found = {}
    for index, cell in enumerate(header):
        for field, names in COLUMNS.items():
            if _key(cell) in names:
                found[field] = index
    return found


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a calendar date)
        except ValueError:
            continue
    return None


def _as_count(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    text = str(value if value is not None else "").strip().replace(".", "")
    return int(text) if text.isdigit() else None


def read_rows(data: bytes) -> list[dict]:
    """Rows of the first sheet as dicts; InputErrors naming each bad cell (nothing is written)."""
    from openpyxl import load_workbook

    if len(data) > MAX_BYTES:
        raise InputErrors(
            [
                FieldError(
                    "file",
                    "file_too_large",
                    "Tệp quá lớn (tối đa 2 MB).",
                    "The file is too large (2 MB at most).",
                )
            ]
        )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputErrors(
            [
                FieldError(
                    "file",
                    "not_a_workbook",
                    "Không đọc được tệp Excel (.xlsx).",
                    "This is not a readable Excel (.xlsx) file.",
                )
            ]
        ) from error
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    columns = _header_map(header)
    missing = [f for f in COLUMNS if f not in columns]
    if missing:
        raise InputErrors(
            [
                FieldError(
                    "file",
                    "missing_columns",
                    "Thiếu cột: " + ", ".join(COLUMNS[f][0].capitalize() for f in missing),
                    "Missing columns: " + ", ".join(COLUMNS[f][-1] for f in missing),
                )
            ]
        )
    parsed, errors = [], []
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(
                FieldError(
                    "file", "too_many_rows", f"Quá {MAX_ROWS} dòng.", f"More than {MAX_ROWS} rows."
                )
            )
            break
        if not any(c not in (None, "") for c in row):
            continue
        item, bad = _parse_row(row, columns)
        errors += [
            FieldError(
                f"row {number}: {field}",
                code,
                f"Dòng {number}, cột «{COLUMNS[field][0].capitalize()}»: {vi}",
                f"Row {number}, column '{COLUMNS[field][-1]}': {en}",
            )
            for field, code, vi, en in bad
        ]
        parsed.append(item)
    if errors:
        raise InputErrors(errors)
    if not parsed:
        raise InputErrors(
            [
                FieldError(
                    "file",
                    "no_rows",
                    "Tệp không có dòng số liệu nào.",
                    "The file has no rows of figures.",
                )
            ]
        )
    return parsed


def _parse_row(row: tuple, columns: dict[str, int]) -> tuple[dict, list[tuple]]:
    def cell(field):
        index = columns[field]
        return row[index] if index < len(row) else None

    bad = []
    item = {"label": str(cell("period") or "").strip()[:60]}
    if not item["label"]:
        bad.append(("period", "required", "bắt buộc.", "required."))
    for field in ("start", "end"):
        item[field] = _as_date(cell(field))
        if item[field] is None:
            bad.append(
                (
                    field,
                    "invalid_date",
                    "ngày không hợp lệ (dd/mm/yyyy).",
                    "not a date (dd/mm/yyyy).",
                )
            )
    for field in NUMBERS:
        item[field] = _as_count(cell(field))
        if item[field] is None:
            bad.append(
                (
                    field,
                    "invalid_number",
                    "phải là số nguyên không âm.",
                    "must be a whole number ≥ 0.",
                )
            )
    if not bad:
        if item["start"] > item["end"]:
            bad.append(("end", "end_before_start", "trước ngày bắt đầu.", "before the start."))
        if item["early"] + item["on_time"] + item["late"] + item["in_progress"] > item["received"]:
            bad.append(
                (
                    "received",
                    "more_results_than_received",
                    "ít hơn tổng số đã và đang giải quyết.",
                    "is less than resolved plus in progress.",
                )
            )
        if item["online"] > item["received"]:
            bad.append(
                (
                    "online",
                    "more_online_than_received",
                    "lớn hơn số tiếp nhận.",
                    "is more than received.",
                )
            )
    return item, bad


def do_import_tthc(data: bytes, *, ward, actor) -> ImportResult:
    """Validate the whole spreadsheet, then write all its periods in one transaction."""
    from phongdich.accounts import audit

    rows = read_rows(data)
    created = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for item in rows:
            values = {k: item[k] for k in ("label", *NUMBERS)}
            _, was_created = TthcPeriod.objects.update_or_create(
                ward=ward,
                start=item["start"],
                end=item["end"],
                defaults={**values, "imported_at": now, "imported_by": actor},
            )
            created += was_created
            updated += not was_created
        audit.record(
            "tthc.import",
            actor=actor,
            object_type="portal.tthcperiod",
            ward=ward,
            detail={"created": created, "updated": updated},
        )
    return ImportResult(created, updated)


def periods(ward_id: int | None, limit: int = 24) -> list[TthcPeriod]:
    return list(TthcPeriod.objects.filter(ward_id=ward_id).order_by("-start", "-end")[:limit])


def bars(period: TthcPeriod) -> list[tuple[str, int, int]]:
    """(label, count, percent of received) for the chart of one period."""
    return [
        (str(_("Resolved early")), period.early, period.percent(period.early)),
        (str(_("Resolved on time")), period.on_time, period.percent(period.on_time)),
        (str(_("Resolved late")), period.late, period.percent(period.late)),
        (str(_("In progress")), period.in_progress, period.percent(period.in_progress)),
        (str(_("Received online")), period.online, period.percent(period.online)),
    ]
