"""A still video of a QR code for Chromium's fake camera (--use-file-for-fake-video-capture)."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image


def y4m_showing(text: str, path: Path, *, qr=None, scale: int = 8) -> Path:
    """Write a 640×480 grey Y4M video (YUV 4:2:0) of ``text`` as a QR code (or of ``qr``, a
    segno QR code already made) centred on white, and return its path."""
    buffer = io.BytesIO()
    (qr or segno.make(text, error="m")).save(buffer, kind="png", scale=scale, border=4)
    image = Image.open(buffer).convert("L")
    frame = Image.new("L", (640, 480), 255)
    frame.paste(image, ((640 - image.width) // 2, (480 - image.height) // 2))
    chroma = bytes([128]) * (320 * 240 * 2)
    with path.open("wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(2):
            out.write(b"FRAME\n" + frame.tobytes() + chroma)
    return path


def browser_seeing(launch, video: Path):
    """A Chromium whose camera shows ``video``, with camera permission prompts allowed."""
    return launch(
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
