from __future__ import annotations

from phongdich.lib.errors import DomainError

# Kept under its first name: the error type every app raises (see lib.errors.DomainError).
CheckpointError = DomainError


VENUE_ERRORS = {
    "unknown_venue": (
        "Không tìm thấy điểm kiểm dịch với mã này. Hãy kiểm tra lại mã.",
        "No checkpoint has this code. Please check the code.",
        404,
    ),
    "venue_code_rotated": (
        "Mã QR này đã được thay. Hãy quét mã QR mới tại điểm kiểm dịch.",
        "This QR code has been replaced. Please scan the new code at the venue.",
        410,
    ),
    "venue_pending": (
        "Điểm kiểm dịch này đang chờ trạm y tế phường phê duyệt.",
        "This checkpoint is waiting for approval by the ward health station.",
        409,
    ),
    "venue_suspended": (
        "Điểm kiểm dịch này đang bị tạm dừng. Hãy liên hệ nhân viên tại chỗ.",
        "This checkpoint is suspended. Please ask the staff on site.",
        409,
    ),
    "venue_closed": ("Điểm kiểm dịch này đã đóng.", "This checkpoint is closed.", 410),
}


def venue_error(code: str) -> CheckpointError:
    return DomainError.from_table(VENUE_ERRORS, code)
