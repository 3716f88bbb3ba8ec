"""A minimal DER reader for one job: the OIDs of an X.509 extended key usage extension.

``cryptography`` refuses to parse *all* extensions of a certificate when one is malformed. DCC
signer certificates exist with an *empty* extended key usage (``SEQUENCE SIZE (1..MAX)`` in
RFC 5280, but issuers produced ``30 00``; the EU conformance file common/CO15 is one), and the
EU verifiers read them as "no DCC usage restriction". This reader walks the TBSCertificate just
far enough to return that extension's OIDs, so such a certificate is judged by its content
rather than rejected wholesale. Anything else malformed still raises ``ValueError``.
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["EXTENDED_KEY_USAGE", "extension_oid_list"]

EXTENDED_KEY_USAGE = "2.5.29.37"

_SEQUENCE = 0x30
_OID = 0x06
_EXTENSIONS = 0xA3  # [3] EXPLICIT in TBSCertificate


def _header(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the TLV at ``offset``."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[offset], data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 4 or start + count > len(data):
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise ValueError("DER value runs past its container")
    return tag, start, end


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[int, int, int]]:
    offset = start
    while offset < end:
        tag, value_start, value_end = _header(data, offset)
        yield tag, value_start, value_end
        offset = value_end


def _oid(body: bytes) -> str:
    if not body:
        raise ValueError("empty OID")
    arcs = [*divmod(body[0], 40)] if body[0] < 80 else [2, body[0] - 80]
    value = 0
    for byte in body[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def extension_oid_list(tbs_certificate: bytes, extension: str) -> list[str] | None:
    """OIDs inside the SEQUENCE OF OID extension ``extension``; ``None`` if it is absent."""
    tag, start, end = _header(tbs_certificate, 0)
    if tag != _SEQUENCE:
        raise ValueError("TBSCertificate is not a SEQUENCE")
    for tag, field_start, _field_end in _children(tbs_certificate, start, end):
        if tag != _EXTENSIONS:
            continue
        _, list_start, list_end = _header(tbs_certificate, field_start)
        for _, item_start, item_end in _children(tbs_certificate, list_start, list_end):
            parts = list(_children(tbs_certificate, item_start, item_end))
            if not parts or parts[0][0] != _OID:
                raise ValueError("extension without an OID")
            if _oid(tbs_certificate[parts[0][1] : parts[0][2]]) != extension:
                continue
            _, value_start, value_end = _header(tbs_certificate, parts[-1][1])
            return [
                _oid(tbs_certificate[oid_start:oid_end])
                for oid_tag, oid_start, oid_end in _children(
                    tbs_certificate, value_start, value_end
                )
                if oid_tag == _OID
            ]
    return None
