"""Analyser files: preview row by row, commit atomically, re-import changes nothing, and every
kind of malformed file is refused with row-level messages and nothing written."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from phongdich.lib.errors import InputErrors
from phongdich.testing.imports import do_import_results, preview_results
from phongdich.testing.models import LabResult, Pool, ResultBatch, RetestOrder, Sample
from phongdich.tracing.models import Case
from tests.testing.conftest import csv_file, pooled


def state() -> tuple:
    """Everything an import may write, to prove that nothing was."""
    return (
        LabResult.objects.count(),
        ResultBatch.objects.count(),
        RetestOrder.objects.count(),
        Case.objects.count(),
        list(Pool.objects.order_by("pk").values_list("status", "result", "result_at")),
        list(Sample.objects.order_by("pk").values_list("status", "result", "released_at")),
    )


@pytest.fixture
def world(session, ward_officer):
    """Three pools of four."""
    samples, pools = pooled(session, ward_officer, 12, 4)
    return samples, pools


def imported(data, tech, lab, name="ket-qua.csv"):
    return do_import_results(data, name, user=tech, lab=lab)


def messages_of(error) -> list[tuple[str, str, str]]:
    return [(e.field, e.code, e.message_en) for e in error.value.errors]


def test_a_file_resolves_pools_and_orders_retests(world, lab_technician, lab):
    _samples, (a, b, c) = world
    data = csv_file(
        [
            [a.code, "Âm tính", "", ""],
            [b.code, "Dương tính", "23.1", ""],
            [c.code, "negative", "", ""],
        ]
    )
    summary = imported(data, lab_technician, lab)
    assert summary["new"] == 3 and summary["pools_negative"] == 2
    assert summary["pools_positive"] == 1 and summary["retests_ordered"] == 4
    assert summary["samples_resolved"] == 8
    retests = [s.tube_code for s in Sample.objects.filter(pool=b).order_by("pk")]
    second = imported(
        csv_file(
            [[code, "negative" if i else "positive", "30", ""] for i, code in enumerate(retests)]
        ),
        lab_technician,
        lab,
    )
    assert second["samples_resolved"] == 4 and second["positives"] == 1 and second["cases"] == 1
    assert RetestOrder.objects.filter(done_at__isnull=True).count() == 0


def test_reimporting_the_same_file_changes_nothing(world, lab_technician, lab):
    _, (a, b, c) = world
    data = csv_file(
        [[a.code, "negative", "", ""], [b.code, "positive", "", ""], [c.code, "negative", "", ""]]
    )
    imported(data, lab_technician, lab)
    before = state()
    again = imported(data, lab_technician, lab)
    assert again["new"] == 0 and again["unchanged"] == 3 and again["batch"] is None
    assert state() == before
    preview = preview_results(data, "ket-qua.csv", user=lab_technician)
    assert preview.ok and preview.unchanged == 3 and preview.new == 0


def test_pool_and_retest_rows_may_come_in_one_file(world, lab_technician, lab):
    _, (a, b, _c) = world
    members = list(Sample.objects.filter(pool=b).values_list("tube_code", flat=True))
    rows = [[a.code, "negative", "", ""], [b.code, "positive", "", ""]]
    rows += [[code, "negative", "", ""] for code in members]
    summary = imported(csv_file(rows), lab_technician, lab)
    assert summary["retests_ordered"] == 4 and summary["samples_resolved"] == 8
    assert not RetestOrder.objects.filter(done_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("headers", "missing"),
    [
        (("tube", "ct"), ["result"]),
        (("ket qua", "ct"), ["code"]),
        (("sample", "outcome", "comment"), []),
    ],
)
def test_wrong_columns_are_named(world, lab_technician, lab, headers, missing):
    _, (a, *_rest) = world
    data = csv_file([[a.code, "negative", ""]], headers=headers)
    preview = preview_results(data, "x.csv", user=lab_technician)
    assert [e.code for e in preview.file_errors] == ["missing_column"] * len(missing)
    for name in missing:
        assert any(name in e.message_en for e in preview.file_errors)


def test_bad_rows_are_all_reported_and_nothing_is_written(world, lab_technician, lab):
    samples, (a, b, c) = world
    before = state()
    data = csv_file(
        [
            [a.code, "negative", "", ""],  # row 2: fine
            ["ABCD-EFGH-JK", "negative", "", ""],  # row 3: fails its check character
            ["0000000000", "negative", "", ""],  # row 4: well formed, nobody's code
            [a.code, "negative", "", ""],  # row 5: duplicate of row 2
            [b.code, "maybe", "", ""],  # row 6: not a result
            [c.code, "positive", "99", ""],  # row 7: Ct out of range
            [samples[0].tube_code, "negative", "", ""],  # row 8: a tube of a pool with no result
            [samples[4].tube_code, "negative", "", "31/02/2026 10:00"],  # row 9: not a date
        ]
    )
    with pytest.raises(InputErrors) as error:
        imported(data, lab_technician, lab)
    found = {(f.split(":")[0], code) for f, code, _ in messages_of(error)}
    assert found == {
        ("row 3", "check_failed"),
        ("row 4", "unknown_code"),
        ("row 5", "duplicate_row"),
        ("row 6", "not_allowed"),
        ("row 7", "not_allowed"),
        ("row 8", "sample_in_pool"),
        ("row 9", "not_datetime"),
    }
    assert all(message.startswith("Row ") for _, _, message in messages_of(error))
    assert state() == before
    preview = preview_results(data, "x.csv", user=lab_technician)
    assert not preview.ok and preview.error_rows == 7
    assert [r.row for r in preview.rows if not r.errors] == [2]


def test_a_conflicting_result_is_refused(world, lab_technician, lab):
    _, (a, *_rest) = world
    imported(csv_file([[a.code, "negative", "", ""]]), lab_technician, lab)
    before = state()
    with pytest.raises(InputErrors) as error:
        imported(csv_file([[a.code, "positive", "", ""]]), lab_technician, lab)
    assert messages_of(error)[0][1] == "already_resulted"
    assert state() == before


def test_a_bad_encoding_is_refused_with_its_row(world, lab_technician, lab):
    _, (a, *_rest) = world
    data = f"code,result\n{a.code},âm tính\n".encode("cp1258")
    before = state()
    with pytest.raises(InputErrors) as error:
        imported(data, lab_technician, lab)
    [(_field, code, message)] = messages_of(error)
    assert code == "not_utf8" and "Row 2" in message
    assert state() == before
    utf16 = "code,result\n".encode("utf-16")
    assert preview_results(utf16, "x.csv", user=lab_technician).file_errors[0].code == "not_utf8"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_file_works_and_a_formula_cell_is_refused(world, lab_technician, lab):
    _, (a, b, _c) = world
    good = xlsx([["Mã ống", "Kết quả", "Ct"], [a.code, "Âm tính", None], [b.code, "Âm tính", 31]])
    preview = preview_results(good, "may.xlsx", user=lab_technician)
    assert preview.ok and preview.new == 2
    bad = xlsx([["Mã ống", "Kết quả"], [a.code, "Âm tính"], [b.code, '=IF(1,"Âm tính")']])
    before = state()
    with pytest.raises(InputErrors) as error:
        imported(bad, lab_technician, lab, name="may.xlsx")
    [(_field, code, message)] = messages_of(error)
    assert code == "formula_cell" and "B3" in message and "row 3" in message
    assert state() == before
    assert imported(good, lab_technician, lab, name="may.xlsx")["new"] == 2


def test_empty_and_unknown_files_are_refused(lab_technician):
    assert preview_results(b"", "x.csv", user=lab_technician).file_errors[0].code == "empty_file"
    assert (
        preview_results(b"code,result\n", "x.csv", user=lab_technician).file_errors[0].code
        == "no_rows"
    )
    assert (
        preview_results(b"%PDF", "x.pdf", user=lab_technician).file_errors[0].code
        == "unsupported_file_type"
    )


def test_invalid_runs_are_skipped_not_recorded(world, lab_technician, lab):
    _, (a, b, _c) = world
    summary = imported(
        csv_file([[a.code, "Invalid", "", ""], [b.code, "negative", "", ""]]), lab_technician, lab
    )
    assert summary["skipped"] == 1 and summary["new"] == 1
    assert Pool.objects.get(pk=a.pk).result == ""


def test_checking_a_file_takes_a_fixed_number_of_queries(
    session, ward_officer, lab_technician, lab, django_assert_max_num_queries
):
    _samples, pools = pooled(session, ward_officer, 60, 2)
    rows = [[p.code, "negative" if i % 5 else "positive", "", ""] for i, p in enumerate(pools)]
    data = csv_file(rows)
    with django_assert_max_num_queries(3):
        assert preview_results(data, "x.csv", user=lab_technician).ok
    with django_assert_max_num_queries(25):
        summary = imported(data, lab_technician, lab)
    assert summary["pools_positive"] == 6 and summary["retests_ordered"] == 12


def test_many_new_cases_are_traced_by_the_worker(session, ward_officer, lab_technician, lab):
    from django_tasks_db.models import DBTaskResult

    from phongdich.testing.tasks import trace_cases
    from tests.testing.conftest import register

    samples = register(session, ward_officer, 12, start=100)
    summary = imported(
        csv_file([[s.tube_code, "positive", "", ""] for s in samples]), lab_technician, lab
    )
    assert summary["cases"] == 12 and Case.objects.filter(traced_at__isnull=True).count() == 12
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path.endswith("trace_cases")
    [case_ids] = queued.args_kwargs["args"]
    assert trace_cases.call(case_ids) == 12
    assert not Case.objects.filter(traced_at__isnull=True).exists()
