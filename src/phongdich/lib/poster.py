"""Printable QR posters for checkpoints and sheets of small QR labels.

The 14 standard PDF fonts have no Vietnamese glyphs (ư, ơ, ạ, ễ … come out as black
boxes or vanish), so DejaVu Sans is vendored in ``fonts/`` and embedded in every PDF.
Text is NFC-normalised before drawing because neither reportlab nor Pillow's basic
layout combines a base letter with separate combining marks.

The poster's QR is drawn as vector rectangles, so it stays sharp at any print size.
Tests rasterise the PDF and decode it with zxing-cpp to prove it scans.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import Color, HexColor, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from phongdich.lib.qr import QUIET_ZONE, ErrorLevel, make_qr, qr_matrix
from phongdich.lib.timeutil import format_vn_date, local_now

__all__ = [
    "FONT_BOLD",
    "FONT_REGULAR",
    "PosterData",
    "pdf_to_png_pages",
    "register_fonts",
    "render_label_sheet_pdf",
    "render_poster_pdf",
    "render_poster_png",
]

FONT_DIR = Path(__file__).with_name("fonts")
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FONT_FILES = {FONT_REGULAR: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}

RED = HexColor("#B71C1C")
GREY = HexColor("#424242")
LIGHT_GREY = HexColor("#757575")

PAGE_WIDTH, PAGE_HEIGHT = float(A4[0]), float(A4[1])
MARGIN = 15 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


@dataclass(frozen=True, slots=True)
class PosterData:
    """What a checkpoint poster shows.

    ``url`` is what the QR code encodes; ``venue_code`` is printed (grouped as
    ``XXXX-XXXX-XX``) for people who cannot scan. ``hotlines`` are printed as given, since
    hotlines such as ``1900 9095`` or ``115`` are not ordinary phone numbers.
    ``printed_at`` must be aware; it defaults to now.
    """

    venue_name: str
    address: str
    url: str
    venue_code: str
    hotlines: Sequence[str] = ()
    printed_at: datetime | None = None
    issuer: str = ""


# ---------------------------------------------------------------- shared helpers


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _display_code(code: str) -> str:
    compact = "".join(ch for ch in code if ch.isalnum()).upper()
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _site(url: str) -> str:
    """The host people can type if the QR will not scan, e.g. ``khaibao.example.vn``."""
    return urlsplit(url).netloc


def _steps_vi(site: str) -> list[str]:
    steps = [
        "Mở camera hoặc ứng dụng quét mã QR trên điện thoại.",
        "Quét mã QR ở trên và mở đường dẫn hiện ra.",
        "Điền hoặc kiểm tra thông tin khai báo y tế, rồi bấm gửi.",
        "Đưa màn hình xác nhận cho cán bộ tại điểm kiểm dịch.",
    ]
    if site:
        steps.append(f"Không quét được mã? Vào {site} và nhập mã điểm ở trên.")
    return steps


def _line_en(site: str) -> str:
    line = (
        "Scan the QR code with your phone camera to make your health declaration, "
        "then show the confirmation screen to the checkpoint staff."
    )
    if site:
        line += f" Cannot scan? Go to {site} and enter the venue code."
    return line


def _printed_on(data: PosterData) -> str:
    return format_vn_date(data.printed_at or local_now())


# ---------------------------------------------------------------- PDF


@functools.cache
def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, once per process."""
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))


def _clipped_lines(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Wrapped lines of ``text``, cut to ``max_lines`` with an ellipsis so that an overlong
    name or address cannot push the QR code off the page."""
    lines: list[str] = simpleSplit(_nfc(text), font, size, width)
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + "…"]


class _PdfCursor:
    """Draws blocks of text top-down on a canvas, keeping track of the baseline."""

    def __init__(self, canvas: Canvas, top: float) -> None:
        self.canvas = canvas
        self.y = top

    def gap(self, points: float) -> None:
        self.y -= points

    def centred(
        self, text: str, font: str, size: float, colour: Color = black, max_lines: int = 4
    ) -> None:
        lines = _clipped_lines(text, font, size, CONTENT_WIDTH, max_lines)
        self._lines(lines, font, size, colour)

    def _lines(self, lines: list[str], font: str, size: float, colour: Color) -> None:
        self.canvas.setFont(font, size)
        self.canvas.setFillColor(colour)
        for line in lines:
            self.y -= size
            self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, line)
            self.y -= size * 0.25

    def fitted(self, text: str, font: str, sizes: Sequence[float], max_lines: int) -> None:
        """Centred text in the largest size that keeps it within ``max_lines`` lines; at the
        smallest size one more line is allowed and the rest is cut off."""
        for size in sizes:
            if len(simpleSplit(_nfc(text), font, size, CONTENT_WIDTH)) <= max_lines:
                break
        else:
            max_lines += 1
        self._lines(_clipped_lines(text, font, size, CONTENT_WIDTH, max_lines), font, size, black)

    def numbered(self, items: Sequence[str], size: float) -> None:
        indent = 7 * mm
        for number, item in enumerate(items, start=1):
            lines = simpleSplit(_nfc(item), FONT_REGULAR, size, CONTENT_WIDTH - indent)
            self.canvas.setFillColor(black)
            self.canvas.setFont(FONT_BOLD, size)
            self.canvas.drawString(MARGIN, self.y - size, f"{number}.")
            self.canvas.setFont(FONT_REGULAR, size)
            for line in lines:
                self.y -= size
                self.canvas.drawString(MARGIN + indent, self.y, line)
                self.y -= size * 0.3
            self.y -= size * 0.2


def _dark_runs(row: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """``(start, length)`` of each run of dark modules: one rectangle per run keeps the
    PDF small and leaves no hairline seams between neighbouring modules."""
    start: int | None = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float, error: ErrorLevel) -> None:
    """Draw the code with its quiet zone as a ``size``-point square, bottom-left at x, y."""
    matrix = qr_matrix(data, error)
    module = size / (len(matrix) + 2 * QUIET_ZONE)
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, fill=1, stroke=0)
    path = canvas.beginPath()
    top = y + size - QUIET_ZONE * module
    for row_index, row in enumerate(matrix):
        row_y = top - (row_index + 1) * module
        for start, length in _dark_runs(row):
            path.rect(x + (QUIET_ZONE + start) * module, row_y, length * module, module)
    canvas.setFillColor(black)
    canvas.drawPath(path, fill=1, stroke=0)


def _draw_header(canvas: Canvas, issuer: str) -> float:
    """The red band with the title; returns the y just below it."""
    band_height: float = 40 * mm
    canvas.setFillColor(RED)
    canvas.rect(0, PAGE_HEIGHT - band_height, PAGE_WIDTH, band_height, fill=1, stroke=0)
    cursor = _PdfCursor(canvas, PAGE_HEIGHT - 5 * mm)
    if issuer:
        cursor.centred(issuer.upper(), FONT_BOLD, 9, white, max_lines=1)
    else:
        cursor.gap(9 * 1.25)
    cursor.gap(3)
    cursor.centred("ĐIỂM KIỂM DỊCH", FONT_BOLD, 38, white)
    cursor.gap(2)
    cursor.centred("QUÉT MÃ QR ĐỂ KHAI BÁO Y TẾ", FONT_BOLD, 20, white)
    return PAGE_HEIGHT - band_height


def _draw_poster(canvas: Canvas, data: PosterData) -> None:
    printed_on = _printed_on(data)  # first, so that a naive datetime fails before drawing
    cursor = _PdfCursor(canvas, _draw_header(canvas, data.issuer))
    cursor.gap(6 * mm)
    cursor.fitted(data.venue_name, FONT_BOLD, (26, 22, 18, 15), max_lines=2)
    cursor.centred(data.address, FONT_REGULAR, 12, GREY, max_lines=2)
    qr_size = 110 * mm
    cursor.gap(3 * mm)
    _draw_qr(canvas, data.url, (PAGE_WIDTH - qr_size) / 2, cursor.y - qr_size, qr_size, "q")
    cursor.gap(qr_size + 3 * mm)
    cursor.centred(f"Mã điểm: {_display_code(data.venue_code)}", FONT_BOLD, 24)
    cursor.gap(5 * mm)
    site = _site(data.url)
    canvas.setFont(FONT_BOLD, 13)
    canvas.drawString(MARGIN, cursor.y - 13, "Hướng dẫn khai báo:")
    cursor.gap(13 * 1.5)
    cursor.numbered(_steps_vi(site), 11.5)
    cursor.gap(2 * mm)
    cursor.centred(_line_en(site), FONT_REGULAR, 8.5, LIGHT_GREY)
    if data.hotlines:
        cursor.gap(5 * mm)
        hotlines = "Đường dây nóng: " + " – ".join(data.hotlines)
        cursor.centred(hotlines, FONT_BOLD, 14, RED, max_lines=2)
    canvas.setFont(FONT_REGULAR, 8)
    canvas.setFillColor(LIGHT_GREY)
    canvas.drawString(MARGIN, 8 * mm, f"Ngày in: {printed_on}")


def _new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_nfc(title))
    canvas.setCreator("PhòngDịch")
    return canvas


def render_poster_pdf(data: PosterData) -> bytes:
    """An A4 poster for a checkpoint (Điểm kiểm dịch) as PDF bytes."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, f"Điểm kiểm dịch – {data.venue_name}")
    _draw_poster(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ---------------------------------------------------------------- label sheets

LABEL_COLUMNS = 3
LABEL_ROWS = 8
LABEL_WIDTH = PAGE_WIDTH / LABEL_COLUMNS  # 70 mm: the common 24-up A4 label stock
LABEL_HEIGHT = PAGE_HEIGHT / LABEL_ROWS  # 37.1 mm
LABEL_PADDING = 3 * mm


def _draw_label(canvas: Canvas, code: str, text: str, x: float, y: float) -> None:
    qr_size = LABEL_HEIGHT - 2 * LABEL_PADDING
    _draw_qr(canvas, code, x + LABEL_PADDING, y + LABEL_PADDING, qr_size, "m")
    text_x = x + LABEL_PADDING + qr_size + 1 * mm
    text_width = x + LABEL_WIDTH - LABEL_PADDING - text_x
    baseline = y + LABEL_HEIGHT - LABEL_PADDING - 10
    canvas.setFillColor(black)
    canvas.setFont(FONT_BOLD, 10)
    for line in simpleSplit(_nfc(code), FONT_BOLD, 10, text_width):
        canvas.drawString(text_x, baseline, line)
        baseline -= 12
    canvas.setFont(FONT_REGULAR, 7)
    for line in simpleSplit(_nfc(text), FONT_REGULAR, 7, text_width)[:6]:
        canvas.drawString(text_x, baseline, line)
        baseline -= 8.5


def render_label_sheet_pdf(labels: Sequence[tuple[str, str]]) -> bytes:
    """A4 sheets of 3 × 8 labels, each a QR code of ``code`` with ``code`` and ``text``
    printed beside it; as many pages as needed. Text past six short lines is cut off."""
    if not labels:
        raise ValueError("no labels to print")
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, "Nhãn mã QR")
    per_page = LABEL_COLUMNS * LABEL_ROWS
    for index, (code, text) in enumerate(labels):
        if index and index % per_page == 0:
            canvas.showPage()
        row, column = divmod(index % per_page, LABEL_COLUMNS)
        x = column * LABEL_WIDTH
        y = PAGE_HEIGHT - (row + 1) * LABEL_HEIGHT
        _draw_label(canvas, code, text, x, y)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# Thermal label printers (Zebra, Xprinter, Brother QL…) take one label per page at the
# roll's size; 50 × 30 mm is the common roll for sample tubes and racks.
THERMAL_SIZES = {"50x30": (50 * mm, 30 * mm), "40x30": (40 * mm, 30 * mm)}
THERMAL_PADDING = 1.5 * mm


def render_thermal_labels_pdf(labels: Sequence[tuple[str, str]], size: str = "50x30") -> bytes:
    """One label per page at a thermal roll's size (``THERMAL_SIZES``): the QR code on the
    left, the code in bold and up to four short lines of ``text`` beside it."""
    if not labels:
        raise ValueError("no labels to print")
    width, height = THERMAL_SIZES[size]
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setTitle("Nhãn mã QR")
    register_fonts()
    qr_size = height - 2 * THERMAL_PADDING
    text_x = THERMAL_PADDING + qr_size + 0.5 * mm
    text_width = width - THERMAL_PADDING - text_x
    for code, text in labels:
        _draw_qr(canvas, code, THERMAL_PADDING, THERMAL_PADDING, qr_size, "m")
        baseline = height - THERMAL_PADDING - 8
        canvas.setFillColor(black)
        canvas.setFont(FONT_BOLD, 7.5)
        for line in simpleSplit(_nfc(code), FONT_BOLD, 7.5, text_width):
            canvas.drawString(text_x, baseline, line)
            baseline -= 9
        canvas.setFont(FONT_REGULAR, 5.5)
        for line in simpleSplit(_nfc(text), FONT_REGULAR, 5.5, text_width)[:6]:
            canvas.drawString(text_x, baseline, line)
            baseline -= 6.5
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ---------------------------------------------------------------- PNG

PNG_WIDTH = 1200
PNG_MARGIN = 60


@functools.cache
def _pil_font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    filename = _FONT_FILES[FONT_BOLD if bold else FONT_REGULAR]
    return ImageFont.truetype(str(FONT_DIR / filename), size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Greedy word wrap; a single word wider than ``width`` gets a line of its own."""
    lines: list[str] = []
    for word in _nfc(text).split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True, slots=True)
class _TextBlock:
    lines: list[str]
    font: ImageFont.FreeTypeFont
    fill: str

    @property
    def height(self) -> int:
        return round(len(self.lines) * self.font.size * 1.3)


def _text_block(
    text: str, bold: bool, size: int, fill: str = "black", max_lines: int = 3
) -> _TextBlock:
    font = _pil_font(bold, size)
    width = PNG_WIDTH - 2 * PNG_MARGIN
    lines = _wrap(text, font, width)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and font.getlength(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return _TextBlock(lines, font, fill)


def _qr_image(data: str, target: int) -> Image.Image:
    """The code scaled by a whole number of pixels per module, so every module is crisp."""
    matrix = make_qr(data, "q").matrix_iter(border=QUIET_ZONE)
    rows = [bytes(0 if dark else 255 for dark in row) for row in matrix]
    image = Image.frombytes("L", (len(rows[0]), len(rows)), b"".join(rows))
    scale = max(1, target // image.width)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def _draw_block(draw: ImageDraw.ImageDraw, block: _TextBlock, y: int) -> int:
    for line in block.lines:
        draw.text((PNG_WIDTH / 2, y), line, font=block.font, fill=block.fill, anchor="ma")
        y += round(block.font.size * 1.3)
    return y


def render_poster_png(data: PosterData) -> bytes:
    """A simple image version of the poster (title, name, QR, code) for sharing in chats."""
    title = _text_block("ĐIỂM KIỂM DỊCH", True, 72, "white")
    subtitle = _text_block("QUÉT MÃ QR ĐỂ KHAI BÁO Y TẾ", True, 40, "white")
    name = _text_block(data.venue_name, True, 48)
    code = _text_block(f"Mã điểm: {_display_code(data.venue_code)}", True, 52)
    qr = _qr_image(data.url, 760)
    band = PNG_MARGIN + title.height + subtitle.height + PNG_MARGIN // 2
    height = band + PNG_MARGIN + name.height + qr.height + code.height + 2 * PNG_MARGIN
    image = Image.new("RGB", (PNG_WIDTH, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, PNG_WIDTH, band), fill="#B71C1C")
    y = _draw_block(draw, title, PNG_MARGIN)
    _draw_block(draw, subtitle, y)
    y = _draw_block(draw, name, band + PNG_MARGIN)
    image.paste(qr, ((PNG_WIDTH - qr.width) // 2, y))
    _draw_block(draw, code, y + qr.height + PNG_MARGIN // 2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# ---------------------------------------------------------------- rasterising


def pdf_to_png_pages(pdf: bytes, dpi: int = 150) -> list[bytes]:
    """Rasterise every page of a PDF to PNG (test and development helper: needs the
    ``pypdfium2`` dev dependency)."""
    import pypdfium2  # dev-only dependency, so imported on use

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages: list[bytes] = []
        for page in document:
            buffer = io.BytesIO()
            page.render(scale=dpi / 72).to_pil().save(buffer, format="PNG")
            pages.append(buffer.getvalue())
        return pages
    finally:
        document.close()
