"""QR codes: make them with segno, read them back with zxing-cpp.

Posters hang outdoors for weeks, get wet, creased and partly covered, so posters use
error correction level Q (25% of the code may be lost); small labels default to M to keep
modules large. The quiet zone is always the four modules the standard asks for.

Decoding is only needed by tests and development tools, so ``zxingcpp`` is imported
inside :func:`decode_qr_png` and is not a runtime dependency.
"""

from __future__ import annotations

import io
from typing import Literal

import segno

__all__ = ["QUIET_ZONE", "ErrorLevel", "decode_qr_png", "make_qr", "qr_matrix", "qr_png", "qr_svg"]

ErrorLevel = Literal["m", "q"]
QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 requires


def make_qr(data: str, error: ErrorLevel = "m") -> segno.QRCode:
    """A (never Micro) QR code; segno may raise the error level if it costs no size."""
    if not data:
        raise ValueError("cannot make a QR code for empty data")
    return segno.make_qr(data, error=error)


def qr_matrix(data: str, error: ErrorLevel = "m") -> list[list[bool]]:
    """The modules of the code without quiet zone, ``True`` for dark, row by row from the
    top; for drawing the code as vector shapes."""
    qr = make_qr(data, error)
    return [[bool(module) for module in row] for row in qr.matrix_iter(border=0)]


def qr_png(data: str, scale: int = 10, error: ErrorLevel = "m") -> bytes:
    """A black-on-white PNG of the code, ``scale`` pixels per module, with quiet zone."""
    buffer = io.BytesIO()
    make_qr(data, error).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()


def qr_svg(data: str, scale: float = 4, error: ErrorLevel = "m") -> bytes:
    """An SVG of the code with a white background (so it scans on dark pages)."""
    buffer = io.BytesIO()
    make_qr(data, error).save(
        buffer, kind="svg", scale=scale, border=QUIET_ZONE, light="#fff", xmldecl=False
    )
    return buffer.getvalue()


def decode_qr_png(png: bytes) -> list[str]:
    """The text of every QR code zxing-cpp finds in an image (PNG or any Pillow format).

    Test and development helper: needs the ``zxing-cpp`` dev dependency.
    """
    import zxingcpp  # dev-only dependency, so imported on use
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        greyscale = image.convert("L")
    formats = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    results = zxingcpp.read_barcodes(greyscale, formats=formats)
    return [result.text for result in results]
