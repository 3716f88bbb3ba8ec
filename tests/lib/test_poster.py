import io
import unicodedata
from datetime import UTC, datetime

import pypdfium2
import pytest
from PIL import Image

from phongdich.lib.poster import (
    FONT_DIR,
    PosterData,
    pdf_to_png_pages,
    render_label_sheet_pdf,
    render_poster_pdf,
    render_poster_png,
)
from phongdich.lib.qr import decode_qr_png

URL = "https://khaibao.phongdich.vn/c/HACTHANH7R"


def _poster(**changes) -> PosterData:
    fields = {
        "venue_name": "Chốt kiểm dịch cầu Hàm Rồng",
        "address": "Số 1 đường Nguyễn Trãi, phường Hạc Thành, tỉnh Thanh Hóa",
        "url": URL,
        "venue_code": "HACTHANH7R",
        "hotlines": ("1900 9095", "0237 385 2345"),
        "printed_at": datetime(2025, 11, 27, 18, 30, tzinfo=UTC),  # 28/11 in Vietnam
        "issuer": "Ban Chỉ đạo phòng, chống dịch phường Hạc Thành",
    }
    return PosterData(**(fields | changes))


def _pdf_text(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


@pytest.fixture(scope="module")
def poster_pdf() -> bytes:
    return render_poster_pdf(_poster())


def test_fonts_are_vendored_with_licence():
    assert (FONT_DIR / "DejaVuSans.ttf").is_file()
    assert (FONT_DIR / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream" in (FONT_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "2.37" in (FONT_DIR / "README.md").read_text(encoding="utf-8")


def test_poster_is_one_a4_page(poster_pdf):
    document = pypdfium2.PdfDocument(poster_pdf)
    try:
        assert len(document) == 1
        width, height = document[0].get_size()
        assert (round(width), round(height)) == (595, 842)
    finally:
        document.close()


def test_poster_qr_decodes_to_exactly_the_url(poster_pdf):
    pages = pdf_to_png_pages(poster_pdf, dpi=150)
    assert len(pages) == 1
    assert decode_qr_png(pages[0]) == [URL]


def test_poster_qr_still_decodes_at_low_resolution(poster_pdf):
    assert decode_qr_png(pdf_to_png_pages(poster_pdf, dpi=50)[0]) == [URL]


def test_poster_text_has_vietnamese_diacritics(poster_pdf):
    lines = _pdf_text(poster_pdf)[0].splitlines()
    assert "ĐIỂM KIỂM DỊCH" in lines
    assert "QUÉT MÃ QR ĐỂ KHAI BÁO Y TẾ" in lines
    assert "Chốt kiểm dịch cầu Hàm Rồng" in lines
    assert "Số 1 đường Nguyễn Trãi, phường Hạc Thành, tỉnh Thanh Hóa" in lines
    assert "Mã điểm: HACT-HANH-7R" in lines
    assert "BAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH PHƯỜNG HẠC THÀNH" in lines
    assert "Đường dây nóng: 1900 9095 – 0237 385 2345" in lines
    assert "Ngày in: 28/11/2025" in lines
    assert "1. Mở camera hoặc ứng dụng quét mã QR trên điện thoại." in lines
    assert "5. Không quét được mã? Vào khaibao.phongdich.vn và nhập mã điểm ở trên." in lines
    assert any(line.startswith("Scan the QR code with your phone camera") for line in lines)


def test_poster_embeds_dejavu(poster_pdf):
    assert b"DejaVuSans" in poster_pdf
    assert poster_pdf.count(b"/FontFile2") == 2


def test_decomposed_venue_name_is_printed_composed():
    pdf = render_poster_pdf(_poster(venue_name=unicodedata.normalize("NFD", "Trạm Đồng Xoài")))
    assert "Trạm Đồng Xoài" in _pdf_text(pdf)[0].splitlines()


def test_long_venue_name_wraps_and_the_qr_still_decodes():
    name = "Chốt kiểm dịch liên ngành số 3 cửa ngõ phía Bắc Quốc lộ 1A, " * 2
    pdf = render_poster_pdf(_poster(venue_name=name, hotlines=()))
    text = " ".join(_pdf_text(pdf)[0].split())
    assert " ".join(name.split()) in text
    assert "Đường dây nóng" not in text
    assert decode_qr_png(pdf_to_png_pages(pdf)[0]) == [URL]


def test_overlong_texts_are_cut_and_keep_the_page_intact():
    name = "Chốt kiểm dịch liên ngành số 3 cửa ngõ phía Bắc Quốc lộ 1A " * 10
    address = "Thôn Đông Hải, xã Quảng Hải, huyện Quảng Xương, tỉnh Thanh Hóa " * 10
    pdf = render_poster_pdf(_poster(venue_name=name, address=address))
    lines = _pdf_text(pdf)[0].splitlines()
    assert sum(line.endswith("…") for line in lines) == 2  # one name line, one address line
    assert "Mã điểm: HACT-HANH-7R" in lines
    assert "Ngày in: 28/11/2025" in lines
    assert decode_qr_png(pdf_to_png_pages(pdf)[0]) == [URL]
    assert decode_qr_png(render_poster_png(_poster(venue_name=name))) == [URL]


def test_naive_print_time_is_refused():
    with pytest.raises(ValueError, match="naive"):
        render_poster_pdf(_poster(printed_at=datetime(2025, 11, 27, 18, 30)))


def test_png_poster_decodes_to_exactly_the_url():
    png = render_poster_png(_poster())
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.width == 1200
    assert decode_qr_png(png) == [URL]


def test_label_sheet_every_label_decodes():
    labels = [
        (f"TUBE{i:06d}", f"Ống nghiệm số {i} – Trạm y tế phường Hạc Thành") for i in range(30)
    ]
    pdf = render_label_sheet_pdf(labels)
    pages = pdf_to_png_pages(pdf, dpi=150)
    assert len(pages) == 2
    assert sorted(decode_qr_png(pages[0])) == [code for code, _ in labels[:24]]
    assert sorted(decode_qr_png(pages[1])) == [code for code, _ in labels[24:]]
    first_page = _pdf_text(pdf)[0]
    assert "TUBE000023" in first_page
    assert "Ống nghiệm số 0 – Trạm" in first_page


def test_label_sheet_with_real_codes_and_one_label():
    pdf = render_label_sheet_pdf([("HACTHANH7R", "")])
    assert decode_qr_png(pdf_to_png_pages(pdf)[0]) == ["HACTHANH7R"]


def test_label_sheet_needs_labels():
    with pytest.raises(ValueError):
        render_label_sheet_pdf([])
