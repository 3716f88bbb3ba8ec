from __future__ import annotations


class CheckpointError(Exception):
    """An error the client must act on, with a stable ``code`` and both languages."""

    def __init__(self, code: str, message_vi: str, message_en: str, status: int = 400) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en}


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
    vi, en, status = VENUE_ERRORS[code]
    return CheckpointError(code, vi, en, status)
