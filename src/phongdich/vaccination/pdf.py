"""The printable certificate: one A4 page in Vietnamese and English with the HC1 QR code.

Both languages are printed side by side on purpose (a traveller shows the same paper at home and
abroad), so the labels are written here in both rather than translated. DejaVu Sans carries the
Vietnamese glyphs; the QR code is drawn as vector rectangles (alphanumeric mode, level Q, as the
DCC specification asks) so it scans at any print size.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterator, Sequence

from django.conf import settings
from django.urls import reverse
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from phongdich.lib.dcc import make_qr
from phongdich.lib.dcc.valuesets import MEDICINAL_PRODUCTS
from phongdich.lib.poster import FONT_BOLD, FONT_REGULAR, register_fonts
from phongdich.lib.timeutil import format_vn, format_vn_date
from phongdich.vaccination.models import Certificate, Dose

GREEN = HexColor("#0B6E4F")
GREY = HexColor("#5B6470")
WIDTH, HEIGHT = float(A4[0]), float(A4[1])
MARGIN = 16 * mm
QR_SIZE = 92 * mm


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _runs(row: Sequence[bool]) -> Iterator[tuple[int, int]]:
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None


def _draw_qr(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    code = make_qr(text)
    matrix = [[bool(m) for m in row] for row in code.matrix_iter(border=4)]
    module = size / len(matrix)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, fill=1, stroke=0)
    path = canvas.beginPath()
    for index, row in enumerate(matrix):
        row_y = y + size - (index + 1) * module
        for start, length in _runs(row):
            path.rect(x + start * module, row_y, length * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, fill=1, stroke=0)


class _Column:
    def __init__(self, canvas: Canvas, x: float, y: float, width: float) -> None:
        self.canvas, self.x, self.y, self.width = canvas, x, y, width

    def label(self, vi: str, en: str) -> None:
        self.canvas.setFillColor(GREY)
        self.canvas.setFont(FONT_REGULAR, 8.5)
        self.y -= 10
        self.canvas.drawString(self.x, self.y, _nfc(f"{vi} / {en}"))

    def value(self, text: str, size: float = 12, bold: bool = True) -> None:
        font = FONT_BOLD if bold else FONT_REGULAR
        self.canvas.setFillColor(black)
        self.canvas.setFont(font, size)
        for line in simpleSplit(_nfc(text), font, size, self.width)[:3]:
            self.y -= size * 1.2
            self.canvas.drawString(self.x, self.y, line)
        self.y -= 5


def _dose_line(dose: Dose) -> str:
    product = MEDICINAL_PRODUCTS.get(dose.product, dose.product)
    lot = f" — lô/lot {dose.lot}" if dose.lot else ""
    return f"{dose.dose_number}. {format_vn_date(dose.given_on)} — {product}{lot} ({dose.country})"


def render_certificate_pdf(certificate: Certificate, doses: list[Dose]) -> bytes:
    """The A4 certificate for ``certificate``; ``doses`` are the person's valid doses up to the
    one it states, printed as the history."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Chứng nhận tiêm chủng COVID-19 / COVID-19 vaccination certificate")
    canvas.setCreator("PhòngDịch")
    payload = certificate.payload
    entry = payload["v"][0]
    canvas.setFillColor(GREEN)
    canvas.rect(0, HEIGHT - 30 * mm, WIDTH, 30 * mm, fill=1, stroke=0)
    canvas.setFillColor(white)
    canvas.setFont(FONT_BOLD, 10)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 9 * mm, _nfc(entry["is"].upper()))
    canvas.setFont(FONT_BOLD, 19)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 18 * mm, "CHỨNG NHẬN TIÊM CHỦNG COVID-19")
    canvas.setFont(FONT_REGULAR, 12)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - 25 * mm, "COVID-19 VACCINATION CERTIFICATE")

    qr_top = HEIGHT - 36 * mm
    _draw_qr(canvas, certificate.hc1, (WIDTH - QR_SIZE) / 2, qr_top - QR_SIZE, QR_SIZE)
    column = _Column(canvas, MARGIN, qr_top - QR_SIZE - 6 * mm, WIDTH - 2 * MARGIN)
    name = payload["nam"]
    column.label("Họ và tên", "Name")
    column.value(" ".join(p for p in (name.get("fn"), name.get("gn")) if p), 15)
    column.value(f"{name.get('fnt', '')}<<{name.get('gnt', '')}", 9, bold=False)
    column.label("Ngày sinh", "Date of birth")
    column.value(payload["dob"])
    column.label("Tình trạng", "Status")
    column.value(f"Mũi {entry['dn']}/{entry['sd']} — Dose {entry['dn']}/{entry['sd']}")
    column.label("Các mũi đã tiêm", "Doses received")
    for dose in doses:
        column.value(_dose_line(dose), 10, bold=False)
    column.label("Mã chứng nhận (UVCI)", "Certificate identifier")
    column.value(certificate.uvci, 10)
    column.label("Ngày cấp — Có giá trị đến", "Issued — Valid until")
    column.value(f"{format_vn(certificate.issued_at)} — {format_vn(certificate.expires_at)}", 11)

    verify = settings.BASE_URL + reverse("vaccination_public:verify")
    canvas.setFont(FONT_REGULAR, 8.5)
    canvas.setFillColor(GREY)
    canvas.drawString(MARGIN, 12 * mm, _nfc(f"Kiểm tra chứng nhận tại / Verify at: {verify}"))
    canvas.drawString(
        MARGIN,
        8 * mm,
        _nfc("Chứng nhận theo chuẩn EU Digital COVID Certificate (HC1) / EU DCC format"),
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
