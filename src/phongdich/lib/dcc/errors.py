"""Stable failure codes for building, decoding and verifying certificates.

A verifier app shows the holder *why* a certificate was refused and support staff search logs
for it, so every failure has a snake_case ``code`` that never changes, with a message in
Vietnamese and English. :class:`~phongdich.lib.dcc.verification.VerificationResult` carries the
same codes in ``reason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = ["REASON_MESSAGES", "DccError", "reason_message"]


REASON_MESSAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "bad_prefix": (
            "Không phải mã chứng nhận COVID kỹ thuật số (thiếu tiền tố HC1:).",
            "Not a digital COVID certificate (no 'HC1:' prefix).",
        ),
        "base45": (
            "Mã QR bị hỏng (dữ liệu Base45 không hợp lệ).",
            "The QR content is corrupt (invalid Base45).",
        ),
        "decompress": (
            "Mã QR bị hỏng (không giải nén được).",
            "The QR content is corrupt (cannot decompress).",
        ),
        "cbor": (
            "Cấu trúc chứng nhận không hợp lệ (COSE/CWT).",
            "The certificate structure is invalid (COSE/CWT).",
        ),
        "unknown_kid": (
            "Khóa ký không có trong danh sách tin cậy.",
            "The signing key is not in the trust list.",
        ),
        "unsupported_algorithm": (
            "Thuật toán chữ ký không được hỗ trợ.",
            "The signature algorithm is not supported.",
        ),
        "signature": (
            "Chữ ký số không hợp lệ: chứng nhận có thể đã bị sửa.",
            "The digital signature is invalid: the certificate may have been altered.",
        ),
        "key_usage": (
            "Khóa ký không được phép ký loại chứng nhận này.",
            "The signing certificate may not sign this type of certificate.",
        ),
        "missing_claims": (
            "Chứng nhận thiếu thời điểm cấp hoặc thời điểm hết hạn.",
            "The certificate lacks its issue or expiry time.",
        ),
        "not_yet_valid": (
            "Chứng nhận chưa có hiệu lực.",
            "The certificate is not valid yet.",
        ),
        "expired": (
            "Chứng nhận đã hết hạn.",
            "The certificate has expired.",
        ),
        "certificate_validity": (
            "Thời hạn của chứng nhận nằm ngoài thời hạn của chứng thư ký.",
            "The certificate's validity lies outside its signing certificate's validity.",
        ),
        "schema": (
            "Nội dung chứng nhận không đúng định dạng DCC.",
            "The certificate content does not conform to the DCC schema.",
        ),
    }
)


def reason_message(code: str) -> tuple[str, str]:
    """(Vietnamese, English) message for a failure code; unknown codes echo the code."""
    return REASON_MESSAGES.get(code, (code, code))


class DccError(ValueError):
    """A certificate could not be built, decoded or verified; ``code`` is stable for clients."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        message_vi, message_en = reason_message(code)
        super().__init__(f"{message_en} ({detail})" if detail else message_en)
        self.code = code
        self.detail = detail
        self.message_vi = message_vi
        self.message_en = message_en
