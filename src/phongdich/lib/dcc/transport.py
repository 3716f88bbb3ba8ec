"""The outer layers of an HC1 string: ``HC1:`` prefix, Base45 text and zlib compression.

``HC1:`` + Base45(zlib(COSE_Sign1)) is what the QR code holds. Base45 was chosen by the
eHealth Network because its 45 characters are exactly the QR *alphanumeric* set, which packs
5.5 bits per module instead of 8 in byte mode.
"""

from __future__ import annotations

import zlib

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


def strip_prefix(text: str) -> str:
    """Return the Base45 part of an HC1 string.

    Surrounding whitespace is ignored (scanners and text files add newlines). Only context
    identifier ``HC1`` exists; ``HC2:`` or a bare Base45 string are refused, as the conformance
    data requires.
    """
    stripped = text.strip()
    if not stripped.startswith(HC1_PREFIX):
        raise DccError("bad_prefix", f"starts with {stripped[:4]!r}")
    return stripped[len(HC1_PREFIX) :]


def b45encode(data: bytes) -> str:
    return base45.b45encode(data).decode("ascii")


def b45decode(text: str) -> bytes:
    try:
        return base45.b45decode(text)
    except (ValueError, TypeError) as exc:
        raise DccError("base45", str(exc)) from exc


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
