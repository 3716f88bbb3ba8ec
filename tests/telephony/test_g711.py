"""G.711 encoding against the values of the standard and against sox, a real encoder."""

from __future__ import annotations

import struct
import subprocess

import pytest

from phongdich.lib.telephony import g711

from .conftest import require_tool


def _pcm(*samples: int) -> bytes:
    return struct.pack(f"<{len(samples)}h", *samples)


@pytest.mark.parametrize(
    ("sample", "ulaw", "alaw"),
    [
        (0, 0xFF, 0xD5),  # silence: the bytes phones fill gaps with
        (32767, 0x80, 0xAA),  # positive full scale
        (-32768, 0x00, 0x2A),  # negative full scale
        (1000, 0xCE, 0xFA),
        (-1000, 0x4E, 0x7A),
    ],
)
def test_it_encodes_known_values(sample, ulaw, alaw):
    assert g711.encode_ulaw(_pcm(sample)) == bytes([ulaw])
    assert g711.encode_alaw(_pcm(sample)) == bytes([alaw])


@pytest.mark.parametrize(("encoding", "bits"), [("u-law", 14), ("a-law", 13)])
def test_it_matches_sox_on_every_input_value_of_the_law(encoding, bits):
    # G.711 defines μ-law on 14-bit and A-law on 13-bit samples; how 16-bit PCM is cut down to
    # that is the encoder's choice (sox rounds, audioop and this module truncate), so the
    # comparison runs over every 14- or 13-bit value, scaled to 16 bits.
    sox = require_tool("sox")
    step = 1 << (16 - bits)
    pcm = _pcm(*range(-32768, 32768, step))
    ours = g711.encode_ulaw if encoding == "u-law" else g711.encode_alaw
    theirs = subprocess.run(  # noqa: S603 — fixed arguments
        [sox, "-D", "-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", "-",
         "-t", "raw", "-e", encoding, "-"],
        input=pcm, capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert ours(pcm) == theirs


def test_decoding_inverts_encoding_for_every_code():
    for code in range(256):
        # μ-law has two zeros: 0x7F (-0) decodes to 0, which encodes as 0xFF (+0).
        expected = 0xFF if code == 0x7F else code
        assert g711.linear_to_ulaw(g711.ulaw_to_linear(code)) == expected
        assert g711.linear_to_alaw(g711.alaw_to_linear(code)) == code


def test_it_picks_the_law_by_payload_type():
    pcm = _pcm(1000)
    assert g711.encode(pcm, 0) == g711.encode_ulaw(pcm)
    assert g711.encode(pcm, 8) == g711.encode_alaw(pcm)
    with pytest.raises(ValueError, match=r"not a G\.711 payload type"):
        g711.encode(pcm, 18)


def test_it_refuses_half_a_sample():
    with pytest.raises(ValueError, match="even number of bytes"):
        g711.encode_ulaw(b"\x00\x00\x01")
