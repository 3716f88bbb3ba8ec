import io
import re
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from phongdich.lib.qr import QUIET_ZONE, decode_qr_png, make_qr, qr_matrix, qr_png, qr_svg

URL = "https://khaibao.phongdich.vn/c/HACTHANH7R"


def _parse_svg(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _svg_dark_modules(svg: bytes) -> set[tuple[int, int]]:
    """Rebuild the dark modules from segno's path ("M4 4.5h7m7 0h7m-21 1h1…"): each ``h``
    draws a one-module-high line along the row it is on."""
    root = _parse_svg(svg)
    paths = [el for el in root.iter() if el.tag.endswith("path") and el.get("stroke")]
    assert len(paths) == 1
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, args in re.findall(r"([MmHhVvZz])([^MmHhVvZz]*)", paths[0].get("d")):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            dark |= {(int(y), int(x) + i) for i in range(int(numbers[0]))}
            x += numbers[0]
        else:
            pytest.fail(f"unexpected path command {command}")
    return dark


def test_png_decodes_to_the_same_text():
    assert decode_qr_png(qr_png(URL)) == [URL]


def test_png_size_follows_scale_and_quiet_zone():
    modules = len(qr_matrix(URL))
    with Image.open(io.BytesIO(qr_png(URL, scale=3))) as image:
        assert image.size == ((modules + 2 * QUIET_ZONE) * 3,) * 2
        # The quiet zone is white all round.
        assert image.convert("L").getpixel((QUIET_ZONE * 3 - 1, QUIET_ZONE * 3 - 1)) == 255
        assert image.convert("L").getpixel((QUIET_ZONE * 3, QUIET_ZONE * 3)) == 0


@pytest.mark.parametrize("error", ["m", "q"])
def test_error_levels(error):
    assert make_qr(URL, error).error in {"M", "Q", "H"}
    assert decode_qr_png(qr_png(URL, error=error)) == [URL]


def test_vietnamese_text_round_trips():
    assert decode_qr_png(qr_png("Phường Hạc Thành")) == ["Phường Hạc Thành"]


def test_svg_has_white_background_and_the_same_modules():
    svg = qr_svg(URL)
    root = _parse_svg(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert any(el.get("fill") == "#fff" for el in root.iter())
    expected = {
        (row + QUIET_ZONE, column + QUIET_ZONE)
        for row, modules in enumerate(qr_matrix(URL))
        for column, is_dark in enumerate(modules)
        if is_dark
    }
    assert _svg_dark_modules(svg) == expected


def test_matrix_matches_the_png():
    matrix = qr_matrix(URL, "q")
    with Image.open(io.BytesIO(qr_png(URL, scale=1, error="q"))) as image:
        pixels = image.convert("L")
        for row, modules in enumerate(matrix):
            for column, is_dark in enumerate(modules):
                value = pixels.getpixel((column + QUIET_ZONE, row + QUIET_ZONE))
                assert (value == 0) is is_dark


def test_decode_finds_nothing_in_a_blank_image():
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, format="PNG")
    assert decode_qr_png(buffer.getvalue()) == []


def test_empty_data_is_refused():
    with pytest.raises(ValueError):
        qr_png("")
