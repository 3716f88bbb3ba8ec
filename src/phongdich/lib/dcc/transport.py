"""The outer layers of an HC1 string: ``HC1:`` prefix, Base45 text and zlib compression.

``HC1:`` + Base45(zlib(COSE_Sign1)) is what the QR code holds. Base45 was chosen by the
eHealth Network because its 45 characters are exactly the QR *alphanumeric* set, which packs
5.5 bits per module instead of 8 in byte mode.
"""

from __future__ import annotations

import sys
import zlib
from array import array

import base45

from phongdich.lib.dcc.errors import DccError

__all__ = [
    "HC1_PREFIX",
    "MAX_DECOMPRESSED_BYTES",
    "b45decode",
    "b45encode",
    "compress",
    "decode_hc1",
    "decompress",
    "encode_hc1",
    "strip_prefix",
]

HC1_PREFIX = "HC1:"

# A QR code holds at most ~2.9 kB of Base45-decoded data; real certificates inflate to well
# under 4 kB. The cap stops a crafted zlib stream (ratios above 1000:1 are easy) from costing
# a scanner megabytes of memory per scan.
MAX_DECOMPRESSED_BYTES = 64 * 1024

_B45_ALPHABET = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES = bytes.maketrans(_B45_ALPHABET, bytes(range(45)))


def strip_prefix(text: str) -> str:
    """Return the Base45 part of an HC1 string.

    Surrounding whitespace is ignored (scanners and text files add newlines). Only context
    identifier ``HC1`` exists; ``HC2:`` or a bare Base45 string are refused, as the conformance
    data requires.
    """
    if not isinstance(text, str):
        raise DccError("bad_prefix", f"expected text, got {type(text).__name__}")
    stripped = text.strip()
    if not stripped.startswith(HC1_PREFIX):
        raise DccError("bad_prefix", f"starts with {stripped[:4]!r}")
    return stripped[len(HC1_PREFIX) :]


def b45encode(data: bytes) -> str:
    encoded: bytes = base45.b45encode(data)
    return encoded.decode("ascii")


def b45decode(text: str) -> bytes:
    """Base45 (RFC 9285) to bytes; ``DccError('base45')`` for foreign characters or values.

    Every scan goes through here, so the digits are mapped with ``bytes.translate`` and the
    triples combined in one generator into an ``array`` — about twice as fast as the
    per-character loop of the ``base45`` package, which we still use for encoding.
    """
    try:
        raw = text.encode("ascii")
    except (UnicodeEncodeError, AttributeError) as exc:
        raise DccError("base45", "not ASCII text") from exc
    if raw.translate(None, _B45_ALPHABET):
        raise DccError("base45", "character outside the Base45 alphabet")
    digits = raw.translate(_B45_VALUES)
    whole = len(digits) - len(digits) % 3
    if len(digits) % 3 == 1:
        raise DccError("base45", "length leaves a single character")
    values = array("H")
    try:
        values.extend(
            low + 45 * middle + 2025 * high
            for low, middle, high in zip(
                digits[0:whole:3], digits[1:whole:3], digits[2:whole:3], strict=True
            )
        )
    except OverflowError:
        raise DccError("base45", "a triple exceeds 65535") from None
    if sys.byteorder == "little":
        values.byteswap()  # each triple is one big-endian 16-bit value
    decoded = values.tobytes()
    if whole < len(digits):
        last = digits[whole] + 45 * digits[whole + 1]
        if last > 0xFF:
            raise DccError("base45", "a final pair exceeds 255")
        decoded += bytes((last,))
    return decoded


def compress(data: bytes) -> bytes:
    """zlib at level 9: a smaller QR code matters more than the microseconds."""
    return zlib.compress(data, 9)


def decompress(data: bytes, *, max_bytes: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Inflate a zlib stream; refuse broken, truncated, uncompressed or oversized input."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, max_bytes)
    except zlib.error as exc:
        raise DccError("decompress", str(exc)) from exc
    if inflater.unconsumed_tail:
        raise DccError("decompress", f"inflates to more than {max_bytes} bytes")
    if not inflater.eof:
        raise DccError("decompress", "truncated zlib stream")
    return out


def encode_hc1(cose: bytes) -> str:
    """COSE_Sign1 bytes → ``HC1:…`` text."""
    return HC1_PREFIX + b45encode(compress(cose))


def decode_hc1(text: str) -> bytes:
    """``HC1:…`` text → COSE_Sign1 bytes, raising :class:`DccError` with the failing stage."""
    return decompress(b45decode(strip_prefix(text)))
