"""G.711 μ-law and A-law encoding of 16-bit linear PCM, without ``audioop``.

``audioop`` was removed from the standard library in Python 3.13 (PEP 594), so the two
companding laws of ITU-T G.711 are written out here, following the segment tables of the
CCITT reference code that sox and audioop also use (docs/reference/telephony.md, "Audio").
Every one of the 65,536 sample values is encoded once into a lookup table at import.
"""

from __future__ import annotations

import sys
from array import array

_ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)
_ALAW_SEGMENT_ENDS = (0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF)
_ULAW_CLIP = 8159  # in 14-bit units
_ULAW_BIAS = 0x21  # 0x84 >> 2

ULAW_SILENCE = 0xFF
ALAW_SILENCE = 0xD5


def _segment(value: int, ends: tuple[int, ...]) -> int:
    for index, end in enumerate(ends):
        if value <= end:
            return index
    return len(ends)


def linear_to_ulaw(sample: int) -> int:
    """One signed 16-bit sample to its μ-law byte."""
    value = sample >> 2  # G.711 μ-law works on 14 bits
    if value < 0:
        value, mask = -value, 0x7F
    else:
        mask = 0xFF
    value = min(value, _ULAW_CLIP) + _ULAW_BIAS
    segment = _segment(value, _ULAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


def linear_to_alaw(sample: int) -> int:
    """One signed 16-bit sample to its A-law byte."""
    value = sample >> 3  # G.711 A-law works on 13 bits
    if value >= 0:
        mask = 0xD5
    else:
        mask, value = 0x55, -value - 1
    segment = _segment(value, _ALAW_SEGMENT_ENDS)
    if segment >= 8:
        return 0x7F ^ mask
    shift = 1 if segment < 2 else segment
    return ((segment << 4) | ((value >> shift) & 0x0F)) ^ mask


def ulaw_to_linear(code: int) -> int:
    """One μ-law byte back to a signed 16-bit sample."""
    code = ~code & 0xFF
    magnitude = (((code & 0x0F) << 3) + 0x84) << ((code & 0x70) >> 4)
    return (0x84 - magnitude) if code & 0x80 else (magnitude - 0x84)


def alaw_to_linear(code: int) -> int:
    """One A-law byte back to a signed 16-bit sample."""
    code ^= 0x55
    magnitude = (code & 0x0F) << 4
    segment = (code & 0x70) >> 4
    if segment == 0:
        magnitude += 8
    elif segment == 1:
        magnitude += 0x108
    else:
        magnitude = (magnitude + 0x108) << (segment - 1)
    return magnitude if code & 0x80 else -magnitude


def _table(encode) -> bytes:
    # Indexed by the sample's 16 bits read as unsigned, so that array('H') can index it directly.
    return bytes(encode(index - 0x10000 if index >= 0x8000 else index) for index in range(0x10000))


_ULAW_TABLE = _table(linear_to_ulaw)
_ALAW_TABLE = _table(linear_to_alaw)


def _unsigned_samples(pcm: bytes) -> array:
    if len(pcm) % 2:
        raise ValueError("16-bit PCM must have an even number of bytes")
    samples = array("H", pcm)
    if sys.byteorder == "big":
        samples.byteswap()  # the PCM is little-endian (WAV order)
    return samples


def encode_ulaw(pcm: bytes) -> bytes:
    """Little-endian signed 16-bit PCM to μ-law, one byte per sample."""
    return bytes(map(_ULAW_TABLE.__getitem__, _unsigned_samples(pcm)))


def encode_alaw(pcm: bytes) -> bytes:
    """Little-endian signed 16-bit PCM to A-law, one byte per sample."""
    return bytes(map(_ALAW_TABLE.__getitem__, _unsigned_samples(pcm)))


def encode(pcm: bytes, payload_type: int) -> bytes:
    """Encode for RTP static payload type 0 (PCMU) or 8 (PCMA)."""
    if payload_type == 0:
        return encode_ulaw(pcm)
    if payload_type == 8:
        return encode_alaw(pcm)
    raise ValueError(f"not a G.711 payload type: {payload_type}")


def silence_byte(payload_type: int) -> int:
    return ULAW_SILENCE if payload_type == 0 else ALAW_SILENCE
