import csv
import io
import tempfile
import unicodedata
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from phongdich.lib import exports
from phongdich.lib.exports import SourceRow, TableError, read_table, write_csv, write_xlsx
from phongdich.lib.timeutil import VN_TZ, NaiveDatetimeError

HEADERS = ["Họ và tên", "Số điện thoại", "Ngày xét nghiệm", "Kết quả"]
DANGEROUS = [
    '=HYPERLINK("http://evil.example", "Bấm vào đây")',
    "+84912345678",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx(headers, rows) -> bytes:
    """A workbook written the ordinary way, as a person's Excel would."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- write_csv


def test_csv_starts_with_bom_and_keeps_vietnamese():
    data = write_csv([["Nguyễn Thị Hằng", "0912 345 678", date(2025, 3, 2), "Âm tính"]], HEADERS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert _csv_rows(data) == [
        HEADERS,
        ["Nguyễn Thị Hằng", "0912 345 678", "2025-03-02", "Âm tính"],
    ]
    assert data.endswith(b"\r\n")


@pytest.mark.parametrize("value", DANGEROUS)
def test_csv_neutralises_formula_like_strings(value):
    assert _csv_rows(write_csv([[value]], ["x"]))[1] == ["'" + value]


def test_csv_leaves_numbers_and_harmless_text_alone():
    rows = _csv_rows(
        write_csv([[-5, 2.5, Decimal("-1.10"), True, None, "a=b", "Hà-Nội"]], list("abcdefg"))
    )
    assert rows[1] == ["-5", "2.5", "-1.10", "TRUE", "", "a=b", "Hà-Nội"]


def test_csv_headers_are_protected_too():
    assert _csv_rows(write_csv([], ["=cmd"]))[0] == ["'=cmd"]


def test_csv_datetimes_are_local_and_must_be_aware():
    data = write_csv([[datetime(2025, 3, 1, 17, 30, tzinfo=UTC)]], ["t"])
    assert _csv_rows(data)[1] == ["2025-03-02 00:30:00"]
    with pytest.raises(NaiveDatetimeError):
        write_csv([[datetime(2025, 3, 1, 17, 30)]], ["t"])


# ---------------------------------------------------------------- write_xlsx


def test_xlsx_header_is_bold_frozen_and_columns_sized():
    data = write_xlsx(
        [["Nguyễn Thị Hằng", "0912 345 678", date(2025, 3, 2), "Âm tính"]], HEADERS, "Kết quả"
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "Kết quả"
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == len("Nguyễn Thị Hằng") + 2
    assert sheet.column_dimensions["C"].width == len("Ngày xét nghiệm") + 2


def test_xlsx_stores_formula_like_strings_as_literal_text():
    data = write_xlsx([[value] for value in DANGEROUS], ["=header"], "t")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows()]
    # XML has no bare carriage return: a parser reads it back as a line feed.
    assert [cell.value for cell in cells] == [
        "=header",
        *(v.replace("\r", "\n") for v in DANGEROUS),
    ]
    assert all(cell.data_type == "s" for cell in cells)
    assert all(cell.quotePrefix for cell in cells if cell.value.startswith(("=", "+", "-", "@")))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_xlsx_writes_real_dates_and_local_datetimes():
    moment = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)
    data = write_xlsx([[date(2025, 3, 2), moment, 7, 2.5, None]], list("abcde"), "t")
    sheet = load_workbook(io.BytesIO(data)).active
    day, when, number, fraction, empty = sheet[2]
    assert day.is_date and day.value == datetime(2025, 3, 2)
    assert day.number_format == "DD/MM/YYYY"
    assert when.is_date and when.value == datetime(2025, 3, 2, 0, 30)
    assert when.number_format == "DD/MM/YYYY HH:MM"
    assert (number.value, fraction.value, empty.value) == (7, 2.5, None)


def test_xlsx_refuses_naive_datetimes():
    with pytest.raises(NaiveDatetimeError):
        write_xlsx([[datetime(2025, 3, 1, 17, 30)]], ["t"], "t")


def test_xlsx_strips_characters_excel_forbids_and_fixes_the_title():
    data = write_xlsx([["a\x00b\x07c"]], ["x"], "Danh sách [F1]: 01/03/2025 — phường Hạc Thành")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "abc"
    assert sheet.title == "Danh sách F1 01032025 — phường "[:31]
    assert len(sheet.title) <= 31


def test_xlsx_streams_many_rows():
    rows = ([f"Người {i}", i, date(2025, 1, 1)] for i in range(20_000))
    data = write_xlsx(rows, ["Tên", "Số", "Ngày"], "t")
    headers, read = read_table(data, "big.xlsx", max_rows=20_000)
    assert headers == ["Tên", "Số", "Ngày"]
    assert len(read) == 20_000
    assert read[-1] == SourceRow(
        20_001, {"Tên": "Người 19999", "Số": 19999, "Ngày": date(2025, 1, 1)}
    )


# ---------------------------------------------------------------- read_table: CSV


def test_read_csv_with_and_without_bom():
    body = "Họ và tên,Số điện thoại\r\nNguyễn Văn A,0912 345 678\r\n"
    for data in (body.encode("utf-8"), body.encode("utf-8-sig")):
        headers, rows = read_table(data, "danh-sach.CSV")
        assert headers == ["Họ và tên", "Số điện thoại"]
        assert rows == [
            SourceRow(2, {"Họ và tên": "Nguyễn Văn A", "Số điện thoại": "0912 345 678"})
        ]


def test_read_csv_semicolons_from_vietnamese_excel():
    data = "Tên;Nhiệt độ\nLê Thị B;37,5\n".encode()
    assert read_table(data, "a.csv") == (
        ["Tên", "Nhiệt độ"],
        [SourceRow(2, {"Tên": "Lê Thị B", "Nhiệt độ": "37,5"})],
    )


def test_read_csv_row_numbers_count_blank_lines_and_multiline_cells():
    data = 'a,b\n1,"dòng một\ndòng hai"\n\n,\n3,x\n'.encode()
    _, rows = read_table(data, "a.csv")
    assert rows == [
        SourceRow(2, {"a": "1", "b": "dòng một\ndòng hai"}),
        SourceRow(6, {"a": "3", "b": "x"}),
    ]


def test_read_csv_pads_short_rows_and_normalises_text():
    data = "a,b,c,,\n  Nguye\u0302\u0303n  ,2\n".encode()
    headers, rows = read_table(data, "a.csv")
    assert headers == ["a", "b", "c"]
    assert rows == [SourceRow(2, {"a": "Nguyễn", "b": "2", "c": ""})]


def test_csv_round_trip_restores_protected_values():
    original = [[value, "Hà Nội"] for value in DANGEROUS[:4]]
    _, rows = read_table(write_csv(original, ["giá trị", "nơi"]), "x.csv")
    assert [row.values["giá trị"] for row in rows] == DANGEROUS[:4]
    assert [row.row for row in rows] == [2, 3, 4, 5]


def test_read_csv_rejects_other_encodings_naming_the_row():
    # Windows-1258 keeps some letters precomposed and sends tone marks as combining marks.
    windows_1258 = "T\u00ean,T\u1ec9nh".replace("\u1ec9", "i\u0309")
    assert "ỉ" in unicodedata.normalize("NFC", windows_1258)
    data = f"{windows_1258}\nAn,Ha Noi\n".encode("cp1258")
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv")
    assert (caught.value.code, caught.value.row) == ("not_utf8", 1)
    data = b"Ten,Tinh\nAn,Ha Noi\n" + "H\u00e0 N\u00f4\u0323i,x\n".encode("cp1258")
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv")
    assert (caught.value.code, caught.value.row) == ("not_utf8", 3)
    assert "Dòng 3" in caught.value.message_vi
    assert "CSV UTF-8" in caught.value.message_en


def test_read_csv_rejects_utf16():
    with pytest.raises(TableError) as caught:
        read_table("a\tb\n1\t2\n".encode("utf-16"), "a.csv")
    assert caught.value.code == "not_utf8"
    assert caught.value.row is None


@pytest.mark.parametrize(
    ("data", "code", "row"),
    [
        (b"", "empty_file", None),
        (b"\xef\xbb\xbf", "empty_file", None),
        (b",,\n1,2\n", "no_header", 1),
        (b"a,,c\n1,2,3\n", "empty_header", 1),
        (b"a,b,a\n1,2,3\n", "duplicate_header", 1),
        (b"a,b\n1,2\n1,2,3\n", "too_many_cells", 3),
        (b'a,b\n"1,2\n', "invalid_csv", 2),
        (b'a,b\n1,"2"x\n', "invalid_csv", 2),
    ],
)
def test_read_csv_problems(data, code, row):
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv")
    assert (caught.value.code, caught.value.row) == (code, row)
    assert caught.value.message_vi
    assert caught.value.message_en


def test_read_table_limits_rows():
    data = b"a\n" + b"x\n" * 11
    with pytest.raises(TableError) as caught:
        read_table(data, "a.csv", max_rows=10)
    assert (caught.value.code, caught.value.row) == ("too_many_rows", 12)


@pytest.mark.parametrize("filename", ["a.xls", "a.txt", "noextension", "a.ods"])
def test_read_table_rejects_other_file_types(filename):
    with pytest.raises(TableError) as caught:
        read_table(b"a,b\n", filename)
    assert caught.value.code == "unsupported_file_type"


# ---------------------------------------------------------------- read_table: XLSX


def test_read_xlsx_values_types_and_rows():
    data = _xlsx(
        ["Họ và tên", "Ngày", "Giờ lấy mẫu", "Tuổi", "Nhiệt độ", "F0"],
        [
            ["  Trần Thị Đào ", date(2025, 3, 2), datetime(2025, 3, 2, 8, 15), 34, 37.5, True],
            [],
            ["Lê Văn C", None, None, None, None, False],
        ],
    )
    headers, rows = read_table(data, "danh sách.xlsx")
    assert headers == ["Họ và tên", "Ngày", "Giờ lấy mẫu", "Tuổi", "Nhiệt độ", "F0"]
    assert rows == [
        SourceRow(
            2,
            {
                "Họ và tên": "Trần Thị Đào",
                "Ngày": date(2025, 3, 2),
                "Giờ lấy mẫu": datetime(2025, 3, 2, 8, 15, tzinfo=VN_TZ),
                "Tuổi": 34,
                "Nhiệt độ": 37.5,
                "F0": True,
            },
        ),
        SourceRow(
            4,
            {
                "Họ và tên": "Lê Văn C",
                "Ngày": "",
                "Giờ lấy mẫu": "",
                "Tuổi": "",
                "Nhiệt độ": "",
                "F0": False,
            },
        ),
    ]
    assert type(rows[0].values["Ngày"]) is date


def test_read_xlsx_reports_formula_cells_by_row_without_evaluating():
    data = _xlsx(["a", "b"], [[1, 2], [3, "=A3*2"]])
    with pytest.raises(TableError) as caught:
        read_table(data, "a.xlsx")
    assert caught.value.code == "formula_cell"
    assert caught.value.row == 3
    assert "B3" in caught.value.message_vi
    assert "B3" in caught.value.message_en


def test_xlsx_round_trip():
    moment = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)
    original = [[value, date(2025, 3, 2), moment] for value in DANGEROUS[:4]]
    _, rows = read_table(write_xlsx(original, ["v", "d", "t"], "x"), "x.xlsx")
    assert [list(row.values.values()) for row in rows] == original
    assert rows[0].values["t"].tzinfo is VN_TZ


def test_read_xlsx_rejects_broken_files():
    for data in (b"not a zip", b"PK\x03\x04broken", _zip_without_workbook()):
        with pytest.raises(TableError) as caught:
            read_table(data, "a.xlsx")
        assert caught.value.code == "invalid_xlsx"


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    return buffer.getvalue()


def test_read_xlsx_header_problems():
    with pytest.raises(TableError) as caught:
        read_table(_xlsx(["Tên", None, "Tuổi"], [["A", 1, 2]]), "a.xlsx")
    assert (caught.value.code, caught.value.row) == ("empty_header", 1)
    with pytest.raises(TableError) as caught:
        read_table(_xlsx([], []), "a.xlsx")
    assert caught.value.code == "empty_file"


def test_failed_xlsx_export_leaves_no_temporary_file():
    temp_dir = Path(tempfile.gettempdir())
    before = set(temp_dir.glob("openpyxl.*"))
    with pytest.raises(NaiveDatetimeError):
        write_xlsx([["ok"], [datetime(2025, 3, 1, 17, 30)]], ["t"], "t")
    assert set(temp_dir.glob("openpyxl.*")) == before


def test_xlsx_refuses_more_rows_than_excel_holds(monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 3)
    write_xlsx([[1], [2]], ["n"], "t")
    with pytest.raises(TableError) as caught:
        write_xlsx([[1], [2], [3]], ["n"], "t")
    assert (caught.value.code, caught.value.row) == ("too_many_rows", 4)


# Excel on Vietnamese Windows splits a CSV's lines on ";" (the list separator there).
SPLIT_DANGEROUS = [
    'Nguyễn Văn A;=HYPERLINK("http://evil.example")',
    "a; =1+1",
    "x,+84912345678",
    "Hà Nội;@SUM(A1:A2);-2+3",
    "ok;\t=1+1",
]


def _formula_fields(text: str, delimiter: str) -> list[str]:
    """Every field that would start a formula, read both as a CSV reader with ``delimiter``
    does and as a plain split on it (as a program ignoring the quotes does)."""
    lines = text.split("\r\n")  # the records (a line break inside a quoted cell stays)
    fields = [f for row in csv.reader(io.StringIO(text), delimiter=delimiter) for f in row]
    fields += [f for line in lines for f in line.split(delimiter)]
    return [
        f
        for f in fields
        if f.strip(' "').startswith(exports.FORMULA_PREFIXES)
        or f.strip(" ").startswith(exports.FORMULA_PREFIXES)
    ]


@pytest.mark.parametrize("value", DANGEROUS + SPLIT_DANGEROUS)
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_csv_makes_no_formula_whatever_the_list_separator(value, delimiter):
    text = write_csv([[value, "Âm tính"]], ["=cmd", "Kết quả"]).decode("utf-8-sig")
    assert _formula_fields(text, delimiter) == []
    # Read back with the CSV's own separator, the text is all there, behind the marks.
    assert _csv_rows(text.encode())[1][0].replace("'", "") == value.replace("'", "")


def test_csv_quotes_every_cell():
    text = write_csv([["a", 1, None]], ["x", "y", "z"]).decode("utf-8-sig")
    assert text == '"x","y","z"\r\n"a","1",""\r\n'
