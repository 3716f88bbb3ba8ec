"""CSV and XLSX: safe exports and careful reading of uploaded tables.

Exports
    Health data is opened in Excel by people who did not write it. A cell such as
    ``=HYPERLINK("http://evil", "Bấm vào đây")`` typed into a public form would run as a
    formula in the officer's spreadsheet (CSV/formula injection, OWASP). So every string
    that starts with ``= + - @``, tab or carriage return is written as inert text: with a
    leading ``'`` in CSV, and as a string cell (with Excel's "quote prefix" flag) in XLSX.
    Vietnamese Windows uses ``;`` as the list separator, and Excel opening a CSV there splits
    lines on ``;``: so every CSV cell is quoted, and every part of a cell after a ``;`` or ``,``
    (or a line break) that looks like a formula gets the same ``'``, whatever a program splits on.
    CSV is UTF-8 *with* a byte-order mark, without which Excel shows Vietnamese as mojibake.

Reading
    :func:`read_table` returns the values and the 1-based row each came from, for import
    previews. It never evaluates formulas: a formula cell is an error naming its row.
    CSV must be UTF-8; Vietnamese Excel often saves with ``;`` between fields (``,`` is
    the decimal separator there), so the delimiter is guessed from the header row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import chain, islice

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from phongdich.lib.text import normalise_spaces
from phongdich.lib.timeutil import VN_TZ, to_local

__all__ = [
    "CellValue",
    "SourceRow",
    "TableError",
    "iter_csv",
    "read_table",
    "write_csv",
    "write_xlsx",
]

CellValue = str | int | float | Decimal | bool | date | datetime | None

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_ROWS = 1_048_576
DEFAULT_MAX_ROWS = 100_000
_WIDTH_SAMPLE_ROWS = 200
_DATE_FORMAT = "DD/MM/YYYY"
_DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
_SHEET_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")

# (1-based row number, cell values) for every row of a file, blank ones included.
_Records = Generator[tuple[int, list[CellValue]], None, None]


class TableError(ValueError):
    """A problem with an uploaded or exported table. ``row`` is 1-based, or ``None`` when
    the problem is with the whole file."""

    def __init__(self, code: str, message_vi: str, message_en: str, row: int | None = None):
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.row = row


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row of an uploaded table: its 1-based row number in the file (the header
    is row 1) and its values by header."""

    row: int
    values: dict[str, CellValue]


# ---------------------------------------------------------------- writing


def _is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_PREFIXES)


_SPLIT_RE = re.compile(r"([;,])")


def _inert_text(value: str) -> str:
    """``value`` with a ``'`` before it when it would start a formula, and before every part
    after a ``;`` or ``,`` that would, so no list separator makes a formula of it."""
    parts = _SPLIT_RE.split(value)
    for i in range(0, len(parts), 2):  # the even items are the text between separators
        part = parts[i] if i == 0 else parts[i].lstrip(" ")
        if part.startswith(FORMULA_PREFIXES):
            parts[i] = "'" + parts[i]
    return "".join(parts)


def _csv_cell(value: CellValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return to_local(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _inert_text(value)
    return str(value)


def write_csv(rows: Iterable[Sequence[CellValue]], headers: Sequence[str]) -> bytes:
    """UTF-8 CSV with a byte-order mark, ``,``-separated, every cell quoted, CRLF line ends.

    Dates are ISO (``2025-11-28``), which every Excel locale reads; datetimes must be
    aware and are written in Vietnamese local time.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([_csv_cell(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def iter_csv(
    rows: Iterable[Sequence[CellValue]], headers: Sequence[str], chunk_rows: int = 500
) -> Iterator[bytes]:
    """``write_csv`` a chunk of rows at a time, for a streamed response: an export of every
    row of a large list never sits whole in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow([_csv_cell(header) for header in headers])
    yield buffer.getvalue().encode("utf-8-sig")
    buffer.seek(0)
    buffer.truncate()
    for n, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if n % chunk_rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _sheet_title(title: str) -> str:
    """Excel rejects titles over 31 characters or containing ``[]:*?/\\``."""
    cleaned = normalise_spaces(title.translate(_SHEET_TITLE_FORBIDDEN)).strip("'")
    return cleaned[:31] or "Sheet1"


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: CellValue) -> object:
    """A value openpyxl writes as-is, or a styled cell where the value needs it."""
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        if not _is_formula_like(text):
            return text
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text even when the cell is edited
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=to_local(value).replace(tzinfo=None))
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    return value


def _display_width(value: CellValue) -> int:
    if isinstance(value, datetime):
        return len("dd/mm/yyyy hh:mm")
    if isinstance(value, date):
        return len("dd/mm/yyyy")
    return max((len(line) for line in str(value or "").splitlines()), default=0)


def _column_widths(headers: Sequence[str], sample: Sequence[Sequence[CellValue]]) -> list[float]:
    """Widths from the header and the first rows: a write-only sheet must set its widths
    before any row is written, and a big export cannot be read twice."""
    widths = [_display_width(header) for header in headers]
    for row in sample:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def write_xlsx(
    rows: Iterable[Sequence[CellValue]], headers: Sequence[str], sheet_title: str = "Dữ liệu"
) -> bytes:
    """An XLSX workbook with one sheet: bold frozen header row, sized columns, real dates.

    Streams through openpyxl's write-only mode so exports of many rows stay small in
    memory. Datetimes must be aware; they are stored as Vietnamese local time because
    Excel has no time zones.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    try:
        _fill_sheet(sheet, headers, iter(rows))
    except BaseException:
        # openpyxl streams the sheet to a temporary file that only save() removes.
        workbook.save(io.BytesIO())
        raise
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill_sheet(
    sheet: WriteOnlyWorksheet, headers: Sequence[str], rows: Iterator[Sequence[CellValue]]
) -> None:
    sample = list(islice(rows, _WIDTH_SAMPLE_ROWS))
    for index, width in enumerate(_column_widths(headers, sample), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, header) for header in headers])
    for count, row in enumerate(chain(sample, rows), start=2):
        if count > XLSX_MAX_ROWS:
            raise TableError(
                "too_many_rows",
                f"Excel chỉ chứa được {XLSX_MAX_ROWS:,} dòng; hãy xuất CSV.",
                f"Excel holds at most {XLSX_MAX_ROWS:,} rows; export CSV instead.",
                row=count,
            )
        sheet.append([_xlsx_cell(sheet, value) for value in row])


def _header_cell(sheet: WriteOnlyWorksheet, header: str) -> Cell:
    value = _xlsx_cell(sheet, header)
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell


# ---------------------------------------------------------------- reading


def read_table(
    data: bytes, filename: str, max_rows: int = DEFAULT_MAX_ROWS
) -> tuple[list[str], list[SourceRow]]:
    """Read the header and data rows of an uploaded ``.csv`` or ``.xlsx`` file.

    Blank rows are skipped (row numbers still count them). Text is NFC-normalised and
    stripped. Raises :class:`TableError` for the first problem found.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        records = _csv_records(data)
    elif extension == "xlsx":
        records = _xlsx_records(data)
    else:
        raise TableError(
            "unsupported_file_type",
            "Chỉ nhận tệp .xlsx hoặc .csv (UTF-8). Tệp .xls cũ: hãy mở bằng Excel và lưu "
            "thành .xlsx.",
            "Only .xlsx or UTF-8 .csv files are accepted. For old .xls files, open them in "
            "Excel and save as .xlsx.",
        )
    try:
        return _rows_from_records(records, max_rows)
    finally:
        records.close()  # releases the XLSX file now, even when reading stopped early


def _rows_from_records(records: _Records, max_rows: int) -> tuple[list[str], list[SourceRow]]:
    first = next(records, None)
    if first is None:
        raise TableError("empty_file", "Tệp không có dữ liệu.", "The file is empty.")
    headers = _headers(first[1])
    rows: list[SourceRow] = []
    for row_number, values in records:
        if all(value == "" for value in values):
            continue
        if len(rows) == max_rows:
            raise TableError(
                "too_many_rows",
                f"Tệp có quá {max_rows:,} dòng; hãy chia nhỏ.",
                f"The file has more than {max_rows:,} rows; please split it.",
                row=row_number,
            )
        rows.append(SourceRow(row_number, _row_values(headers, values, row_number)))
    return headers, rows


def _headers(cells: list[CellValue]) -> list[str]:
    headers = [normalise_spaces(str(cell)) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()  # Excel often saves empty trailing columns
    if not headers:
        raise TableError(
            "no_header",
            "Dòng 1 phải là tiêu đề cột.",
            "Row 1 must hold the column headers.",
            row=1,
        )
    for index, header in enumerate(headers, start=1):
        if not header:
            raise TableError(
                "empty_header",
                f"Cột {get_column_letter(index)} ở dòng 1 chưa có tiêu đề.",
                f"Column {get_column_letter(index)} in row 1 has no header.",
                row=1,
            )
        if header in headers[: index - 1]:
            raise TableError(
                "duplicate_header",
                f"Tiêu đề “{header}” bị lặp lại.",
                f"The header “{header}” appears twice.",
                row=1,
            )
    return headers


def _row_values(headers: list[str], values: list[CellValue], row: int) -> dict[str, CellValue]:
    extra = values[len(headers) :]
    if any(value != "" for value in extra):
        raise TableError(
            "too_many_cells",
            f"Dòng {row} có nhiều ô hơn số cột tiêu đề.",
            f"Row {row} has more cells than there are headers.",
            row=row,
        )
    padded = [*values[: len(headers)], *[""] * (len(headers) - len(values))]
    return dict(zip(headers, padded, strict=True))


def _clean_text(value: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    # Undo write_csv's protection so an exported file can be imported unchanged.
    if text.startswith("'") and _is_formula_like(text[1:]):
        return text[1:]
    return text


# ---------------------------------------------------------------- CSV


def _decode_csv(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(
            "not_utf8",
            "Tệp CSV đang ở dạng UTF-16. Trong Excel hãy chọn Lưu thành › CSV UTF-8.",
            "The CSV file is UTF-16. In Excel choose Save As › CSV UTF-8.",
        )
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        row = body[: error.start].count(b"\n") + 1
        raise TableError(
            "not_utf8",
            f"Dòng {row} không phải văn bản UTF-8. Trong Excel hãy chọn Lưu thành › CSV UTF-8.",
            f"Row {row} is not UTF-8 text. In Excel choose Save As › CSV UTF-8.",
            row=row,
        ) from None


def _guess_delimiter(text: str) -> str:
    header_line = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=header_line.count)


def _csv_records(data: bytes) -> _Records:
    text = _decode_csv(data)
    # strict: a stray quote is reported instead of silently swallowing the rest of the file
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_guess_delimiter(text), strict=True
    )
    lines_read = 0
    try:
        for record in reader:
            # A quoted cell may span lines; a record's row is the line it starts on.
            yield lines_read + 1, [_clean_text(cell) for cell in record]
            lines_read = reader.line_num
    except csv.Error as error:
        row = reader.line_num
        raise TableError(
            "invalid_csv",
            f"Dòng {row} của tệp CSV bị lỗi định dạng.",
            f"Row {row} of the CSV file is malformed ({error}).",
            row=row,
        ) from None


# ---------------------------------------------------------------- XLSX


def _xlsx_value(value: object) -> CellValue:
    if value is None:
        return ""
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, datetime):
        # Excel stores wall-clock time without a zone; the people filling these sheets
        # are in Vietnam. Midnight with a date format is a plain date.
        if value.time() == datetime.min.time():
            return value.date()
        return value.replace(tzinfo=VN_TZ)
    if isinstance(value, int | float | Decimal | bool | date):
        return value
    return str(value)


def _xlsx_records(data: bytes) -> _Records:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise TableError(
            "invalid_xlsx",
            "Không đọc được tệp Excel (.xlsx). Hãy mở bằng Excel và lưu lại.",
            f"The Excel (.xlsx) file cannot be read ({error}). Open it in Excel and save again.",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row_number, cells in enumerate(sheet.iter_rows(), start=1):
            yield row_number, [_checked_cell(cell, row_number) for cell in cells]
    finally:
        workbook.close()


def _checked_cell(cell: object, row: int) -> CellValue:
    if getattr(cell, "data_type", None) == "f":
        reference = getattr(cell, "coordinate", "?")
        raise TableError(
            "formula_cell",
            f"Ô {reference} (dòng {row}) chứa công thức. Hãy sao chép và dán dạng giá trị.",
            f"Cell {reference} (row {row}) holds a formula. Copy it and paste as values.",
            row=row,
        )
    return _xlsx_value(getattr(cell, "value", None))
