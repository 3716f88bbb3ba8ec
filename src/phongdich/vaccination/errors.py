"""Errors of vaccination with stable codes (handled by the API like every DomainError)."""

from __future__ import annotations

from phongdich.lib.errors import DomainError as VaccinationError

# code → (Vietnamese, English, HTTP status)
MESSAGES = {
    "no_signing_keys": (
        "Chưa có khóa ký chứng nhận. Quản trị viên cần chạy 'phongdich certkeys init'.",
        "No certificate signing keys yet. An administrator must run 'phongdich certkeys init'.",
        503,
    ),
    "signing_key_unreadable": (
        "Không giải mã được khóa ký (sai PHONGDICH_CERT_KEY_PASSPHRASE?).",
        "The signing key cannot be decrypted (wrong PHONGDICH_CERT_KEY_PASSPHRASE?).",
        503,
    ),
    "invalid_certificate_payload": (
        "Nội dung chứng nhận không đúng định dạng DCC.",
        "The certificate content does not conform to the DCC schema.",
        422,
    ),
    "no_doses": (
        "Người này chưa có mũi tiêm nào được ghi nhận.",
        "This person has no recorded dose.",
        409,
    ),
    "unknown_kid": ("Không có khóa với mã kid này.", "No key has this kid.", 404),
    "retire_active_key": (
        "Không thể thu hồi khóa đang ký; hãy chạy 'certkeys rotate' trước.",
        "The active signer cannot be retired; run 'certkeys rotate' first.",
        409,
    ),
    "csca_expiring": (
        "Chứng thư CSCA sắp hết hạn; hãy chạy 'certkeys rotate --new-csca'.",
        "The CSCA is about to expire; run 'certkeys rotate --new-csca'.",
        409,
    ),
    "not_eligible": (
        "Kết quả khám sàng lọc không cho phép tiêm lúc này.",
        "The screening result does not allow vaccination now.",
        409,
    ),
    "session_closed": (
        "Buổi tiêm đã kết thúc hoặc đã bị hủy.",
        "The vaccination session is closed or cancelled.",
        409,
    ),
    "session_full": ("Buổi tiêm đã hết chỗ.", "The vaccination session is full.", 409),
    "invited_elsewhere": (
        "Người này đang được mời đến một buổi tiêm khác.",
        "This person holds an invitation to another session.",
        409,
    ),
    "dose_voided": ("Mũi tiêm này đã bị hủy.", "This dose has been voided.", 409),
    "already_registered": (
        "Người này đã đăng ký tiêm chủng.",
        "This person is already registered for vaccination.",
        409,
    ),
    "unknown_person": ("Không tìm thấy người này.", "No such person.", 404),
    "unknown_session": ("Không tìm thấy buổi tiêm.", "No such session.", 404),
    "unknown_dose": ("Không tìm thấy mũi tiêm.", "No such dose.", 404),
}


def error(code: str, *, detail: str = "") -> VaccinationError:
    return VaccinationError.from_table(MESSAGES, code, detail)


__all__ = ["MESSAGES", "VaccinationError", "error"]
