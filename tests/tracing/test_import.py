import io

import openpyxl
import pytest

from phongdich.lib.errors import InputErrors
from phongdich.tracing.imports import do_import_contacts, preview_import
from phongdich.tracing.models import Contact

pytestmark = pytest.mark.django_db

GOOD = (
    "Họ và tên;Năm sinh;Giới tính;Số điện thoại;CCCD;Quan hệ\n"
    "Nguyễn Văn Hùng;1988;Nam;0912 000 111;;hành khách ghế 3A\n"
    "Trần Thị Mai;1992;Nữ;0912000222;038192000222;hành khách ghế 3B\n"
).encode()


def test_preview_then_commit_then_reimport_changes_nothing(case, ward_officer):
    preview = preview_import(GOOD, "xe-khach.csv")
    assert preview.ok and [r.data["full_name"] for r in preview.rows] == [
        "Nguyễn Văn Hùng",
        "Trần Thị Mai",
    ]
    assert do_import_contacts(case, GOOD, "xe-khach.csv", actor=ward_officer) == (2, 0)
    assert do_import_contacts(case, GOOD, "xe-khach.csv", actor=ward_officer) == (0, 2)
    imported = Contact.objects.filter(case=case, origin="import")
    assert imported.count() == 2
    assert set(imported.values_list("relation", flat=True)) == {
        "hành khách ghế 3A",
        "hành khách ghế 3B",
    }


def test_bad_rows_are_reported_by_row_and_nothing_is_written(case, ward_officer):
    bad = GOOD + "Lê Văn;19x8;Nam;0912;;\nNguyễn Văn Hùng;1988;Nam;0912 000 111;;\n".encode()
    preview = preview_import(bad, "list.csv")
    assert not preview.ok
    problems = {r.row: {e.field for e in r.errors} for r in preview.rows if r.errors}
    assert problems == {4: {"birth_year", "phone"}, 5: {"row"}}
    before = Contact.objects.count()
    with pytest.raises(InputErrors) as error:
        do_import_contacts(case, bad, "list.csv", actor=ward_officer)
    assert any("Row 4" in e.message_en for e in error.value.errors)
    assert Contact.objects.count() == before


def test_missing_columns_and_formula_cells(case):
    preview = preview_import("Tên;SĐT\nA;1\n".encode(), "x.csv")
    assert {e.code for e in preview.file_errors} == {"missing_column"}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Năm sinh", "Giới tính"])
    sheet.append(['=HYPERLINK("x")', 1990, "Nam"])
    data = io.BytesIO()
    book.save(data)
    preview = preview_import(data.getvalue(), "x.xlsx")
    assert [e.code for e in preview.file_errors] == ["formula_cell"]


def test_bad_encoding_is_refused(case):
    # Excel's "Unicode text" export is UTF-16: refused with a clear message, not mangled.
    preview = preview_import(
        "Họ và tên;Năm sinh;Giới tính\nNguyễn;1990;Nam\n".encode("utf-16"), "x.csv"
    )
    assert [e.code for e in preview.file_errors] == ["not_utf8"]


def test_ward_names_and_full_dates_of_birth_are_accepted(case, ward_officer):
    """A list typed by people, not by the system: the ward by name (with or without
    diacritics) and the full date of birth as dd/mm/yyyy or an Excel date cell."""
    from datetime import date

    from phongdich.places.models import Ward

    ward = case.ward
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Phường/xã"])
    sheet.append(["Phạm Văn An", "05/03/1988", "Nam", ward.name])
    sheet.append(["Lò Thị Bình", date(1992, 11, 30), "Nữ", ward.name_folded])
    sheet.append(["Đỗ Văn Cường", "31/02/1990", "Nam", ward.name])
    sheet.append(["Vi Văn Dũng", "1/1/1970", "Nam", "Không có phường này"])
    data = io.BytesIO()
    book.save(data)
    preview = preview_import(data.getvalue(), "ds.xlsx", ward.province_id)
    first, second, bad_date, bad_ward = preview.rows
    assert (first.data["birth_year"], first.data["ward_code"]) == ("1988", str(ward.code))
    assert (second.data["birth_year"], second.data["ward_code"]) == ("1992", str(ward.code))
    assert not first.errors and not second.errors
    assert [e.code for e in bad_date.errors][:1] == ["invalid_date_of_birth"]
    assert "dd/mm/yyyy" in bad_date.errors[0].message_en
    assert "ward_code" in {e.field for e in bad_ward.errors}
    assert Ward.objects.filter(province_id=ward.province_id).count() > 1
    good = io.BytesIO()
    book.remove(sheet)
    sheet = book.create_sheet()
    sheet.append(["Họ và tên", "Ngày sinh", "Giới tính", "Phường/xã"])
    sheet.append(["Phạm Văn An", "05/03/1988", "Nam", ward.name])
    book.save(good)
    assert do_import_contacts(case, good.getvalue(), "ds.xlsx", actor=ward_officer) == (1, 0)
    contact = Contact.objects.get(case=case, person__full_name="Phạm Văn An")
    assert (contact.person.birth_year, contact.ward_id) == (1988, ward.code)
