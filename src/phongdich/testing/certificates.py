"""The printable result certificate: an A4 PDF with a QR in the EU DCC test format (``t``).

Signing belongs to the vaccination app (its keys, rotation and trust list); ``_issue_signed_hc1``
is the one seam to it, imported on use so that testing works, without certificates, before the
vaccination keys are set up.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from phongdich.core.rules import get_rule
from phongdich.lib import dcc
from phongdich.lib.dcc.valuesets import (
    TEST_RESULT_DETECTED,
    TEST_RESULT_NOT_DETECTED,
    TEST_TYPE_NAAT,
    TEST_TYPE_RAT,
)
from phongdich.lib.poster import FONT_BOLD, FONT_REGULAR, register_fonts
from phongdich.lib.timeutil import format_vn
from phongdich.testing.errors import TestingError, testing_error
from phongdich.testing.models import Result, Sample, SampleStatus, TestType

WIDTH, HEIGHT = A4
RESULT_LABELS = {
    Result.NEGATIVE: ("ÂM TÍNH", "NEGATIVE (not detected)"),
    Result.POSITIVE: ("DƯƠNG TÍNH", "POSITIVE (detected)"),
}


def _issue_signed_hc1(payload: dict[str, Any], *, expires_at: Any = None) -> str:
    """Sign with the vaccination app's active document signer (the seam; tests may patch it)."""
    try:
        from phongdich.vaccination.keys import issue_signed_hc1
    except ImportError:
        raise testing_error("no_signing_keys") from None
    return issue_signed_hc1(payload, expires_at=expires_at)


def dcc_payload(sample: Sample) -> dict[str, Any]:
    """The DCC test-certificate payload (schema 1.3.0) for a final result."""
    if sample.status != SampleStatus.RESOLVED or not sample.result:
        raise testing_error("no_result")
    session = sample.session
    rapid = session.test_type == TestType.RAPID_ANTIGEN
    if rapid and not session.rat_device:
        raise testing_error("no_rat_device")
    lab = sample.lab.name if sample.lab_id else session.site
    return dcc.build_test_certificate(
        dcc.person_name(sample.person.full_name),
        str(sample.person.birth_year),
        test_type=TEST_TYPE_RAT if rapid else TEST_TYPE_NAAT,
        result=TEST_RESULT_DETECTED
        if sample.result == Result.POSITIVE
        else TEST_RESULT_NOT_DETECTED,
        sample_collected_at=sample.collected_at,
        issuer=get_rule("testing.certificate_issuer"),
        testing_centre=lab[:80],
        rat_device=session.rat_device if rapid else None,
        naat_name=None if rapid else "RT-PCR",
    )


def issue_hc1(sample: Sample) -> str:
    """The signed ``HC1:`` string for the sample's result."""
    expires = timezone.now() + timedelta(hours=get_rule("testing.certificate_valid_hours"))
    try:
        return _issue_signed_hc1(dcc_payload(sample), expires_at=expires)
    except TestingError:
        raise
    except ValueError as error:  # e.g. a name without any Latin letter
        raise TestingError(
            "certificate_failed",
            "Không cấp được giấy chứng nhận.",
            f"The certificate cannot be issued ({error}).",
            409,
        ) from None


def _line(canvas: Canvas, y: float, label: str, value: str, size: float = 12) -> float:
    canvas.setFont(FONT_REGULAR, 9)
    canvas.drawString(20 * mm, y, label)
    canvas.setFont(FONT_BOLD, size)
    canvas.drawString(75 * mm, y, value)
    return y - size * 1.9


def _draw_qr(canvas: Canvas, hc1: str, x: float, y: float, size: float) -> None:
    """The DCC QR (alphanumeric mode, level Q) as vector squares: sharp on any printer."""
    rows = [list(row) for row in dcc.make_qr(hc1).matrix_iter(border=4)]
    module = size / len(rows)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        start = None
        for c, dark in enumerate([*row, False]):  # one rectangle per run: no hairline seams
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                path.rect(x + start * module, top, (c - start) * module, module)
                start = None
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, fill=1, stroke=0)


def certificate_pdf(sample: Sample) -> bytes:
    """An A4 certificate: the result in both languages and the DCC QR a verifier scans."""
    hc1 = issue_hc1(sample)
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Kết quả xét nghiệm {sample.tube_code}")
    canvas.setCreator("PhòngDịch")
    canvas.setFont(FONT_BOLD, 16)
    canvas.drawCentredString(
        WIDTH / 2, HEIGHT - 25 * mm, "GIẤY XÁC NHẬN KẾT QUẢ XÉT NGHIỆM COVID-19"
    )
    canvas.setFont(FONT_REGULAR, 11)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 32 * mm, "COVID-19 test result certificate")
    vi, en = RESULT_LABELS[sample.result]
    session = sample.session
    y = HEIGHT - 50 * mm
    y = _line(canvas, y, "Họ và tên / Name", sample.person.full_name)
    y = _line(canvas, y, "Năm sinh / Year of birth", str(sample.person.birth_year))
    y = _line(canvas, y, "Xét nghiệm / Test", session.get_test_type_display())
    y = _line(canvas, y, "Lấy mẫu / Sampled", format_vn(sample.collected_at))
    y = _line(canvas, y, "Kết quả lúc / Result at", format_vn(sample.result_at))
    y = _line(canvas, y, "Mã ống / Tube", sample.tube_code)
    y = _line(canvas, y, "Kết quả / Result", f"{vi} — {en}", size=15)
    size = 95 * mm
    _draw_qr(canvas, hc1, (WIDTH - size) / 2, y - size - 5 * mm, size)
    canvas.setFont(FONT_REGULAR, 8)
    canvas.drawCentredString(
        WIDTH / 2,
        y - size - 12 * mm,
        "Mã QR theo chuẩn Chứng nhận COVID số của EU (EU DCC). Scan with any EU DCC verifier.",
    )
    canvas.drawString(20 * mm, 12 * mm, f"Cấp lúc / Issued: {format_vn(timezone.now())}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
