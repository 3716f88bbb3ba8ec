"""Procedure results: a spreadsheet imported whole or not at all, a public table and chart per
period, the history; officers import for their own area only."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from phongdich.lib.errors import InputErrors
from phongdich.places.models import Ward
from phongdich.portal.tthc import TthcPeriod, do_import_tthc
from tests.conftest import HAC_THANH, QUANG_PHU

pytestmark = pytest.mark.django_db

HEADER = [
    "Kỳ báo cáo",
    "Từ ngày",
    "Đến ngày",
    "Tiếp nhận",
    "Trước hạn",
    "Đúng hạn",
    "Trễ hạn",
    "Đang giải quyết",
    "Trực tuyến",
]
OCTOBER = ["Tháng 10/2026", "01/10/2026", "31/10/2026", 300, 80, 190, 5, 20, 210]
NOVEMBER = ["Tháng 11/2026", "01/11/2026", "30/11/2026", 280, 70, 180, 2, 25, 190]


def xlsx(*rows) -> bytes:
    book = Workbook()
    for row in (HEADER, *rows):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_then_reimport_replaces_the_period(ward_officer):
    ward = Ward.objects.get(code=HAC_THANH)
    result = do_import_tthc(xlsx(OCTOBER, NOVEMBER), ward=ward, actor=ward_officer)
    assert (result.created, result.updated) == (2, 0)
    fixed = [*NOVEMBER[:3], 281, *NOVEMBER[4:]]
    result = do_import_tthc(xlsx(fixed), ward=ward, actor=ward_officer)
    assert (result.created, result.updated) == (0, 1)
    november = TthcPeriod.objects.get(label="Tháng 11/2026")
    assert november.received == 281 and november.resolved == 252
    assert november.timely_percent == round(100 * 250 / 252)


def test_one_bad_cell_writes_nothing_and_names_row_and_column(ward_officer):
    ward = Ward.objects.get(code=HAC_THANH)
    bad = [*NOVEMBER[:4], "nhiều", *NOVEMBER[5:]]
    late_end = ["Tháng 12", "31/12/2026", "01/12/2026", 10, 1, 1, 0, 0, 1]
    with pytest.raises(InputErrors) as error:
        do_import_tthc(xlsx(OCTOBER, bad, late_end), ward=ward, actor=ward_officer)
    messages = [e.message_vi for e in error.value.errors]
    assert any("Dòng 3" in m and "Trước hạn" in m for m in messages)
    assert any("Dòng 4" in m for m in messages)
    assert {e.code for e in error.value.errors} == {"invalid_number", "end_before_start"}
    assert not TthcPeriod.objects.exists()


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"not excel", "not_a_workbook"), (None, "missing_columns")],
)
def test_a_wrong_file_is_refused(ward_officer, data, code):
    if data is None:
        book = Workbook()
        book.active.append(["Tên", "Số"])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    with pytest.raises(InputErrors) as error:
        do_import_tthc(data, ward=Ward.objects.get(code=HAC_THANH), actor=ward_officer)
    assert error.value.errors[0].code == code


def test_public_table_chart_and_history(client, ward_officer):
    do_import_tthc(
        xlsx(OCTOBER, NOVEMBER), ward=Ward.objects.get(code=HAC_THANH), actor=ward_officer
    )
    html = client.get("/cong-khai-tthc", {"phuong": HAC_THANH}).content.decode()
    table = html.split('id="tthc-table"')[1].split("</table>")[0]
    assert "<td>280</td>" in table and "190 (68%)" in table
    assert 'id="tthc-chart"' in html and "width:25%" in html  # 70 of 280 early
    history = html.split('id="tthc-history"')[1]
    assert history.index("Tháng 11/2026") < history.index("Tháng 10/2026")
    october = TthcPeriod.objects.get(label="Tháng 10/2026")
    html = client.get("/cong-khai-tthc", {"phuong": HAC_THANH, "ky": october.pk}).content.decode()
    assert "<td>300</td>" in html.split('id="tthc-table"')[1].split("</table>")[0]


def test_officers_import_only_for_their_area(client, ward_officer, other_ward_officer):
    client.force_login(other_ward_officer)
    response = client.post(
        "/staff/portal/tthc/",
        {"ward": HAC_THANH, "file": io.BytesIO(xlsx(OCTOBER))},
    )
    assert response.status_code == 400 and not TthcPeriod.objects.exists()
    client.force_login(ward_officer)
    upload = io.BytesIO(xlsx(OCTOBER))
    upload.name = "tthc.xlsx"
    response = client.post("/staff/portal/tthc/", {"ward": HAC_THANH, "file": upload})
    assert response.status_code == 200 and 'id="import-ok"' in response.content.decode()
    assert TthcPeriod.objects.get().ward_id == HAC_THANH
    assert QUANG_PHU not in TthcPeriod.objects.values_list("ward_id", flat=True)


def test_anonymous_and_other_roles_cannot_import(client, venue_staff):
    assert client.get("/staff/portal/tthc/").status_code == 302
    client.force_login(venue_staff)
    assert client.get("/staff/portal/tthc/").status_code == 403
