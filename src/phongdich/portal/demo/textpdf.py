"""A plain A4 PDF of a text (title and paragraphs), Vietnamese-capable (DejaVu Sans): the demo's
stand-in for a directive whose original PDF is not available."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from phongdich.lib.poster import FONT_BOLD, FONT_REGULAR, register_fonts

MARGIN = 56


def text_pdf(title: str, paragraphs: Sequence[str], note: str = "") -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(title)
    width, height = A4
    y = height - MARGIN

    def line(text: str, font: str, size: float, gap: float) -> None:
        nonlocal y
        for part in simpleSplit(unicodedata.normalize("NFC", text), font, size, width - 2 * MARGIN):
            if y < MARGIN:
                canvas.showPage()
                y = height - MARGIN
            canvas.setFont(font, size)
            canvas.drawString(MARGIN, y, part)
            y -= size * 1.4
        y -= gap

    line(title, FONT_BOLD, 14, 8)
    for paragraph in paragraphs:
        line(paragraph, FONT_REGULAR, 11, 6)
    if note:
        line(note, FONT_REGULAR, 8, 0)
    canvas.save()
    return buffer.getvalue()
