"""Domain errors of testing: a stable code, both languages, an HTTP status (handled globally)."""

from phongdich.lib.errors import DomainError as TestingError

ERRORS = {
    "session_closed": ("Buổi lấy mẫu này đã đóng.", "This sampling session is closed.", 409),
    "tube_in_use": (
        "Mã ống này đã được dùng cho mẫu khác.",
        "This tube code is already used for another sample.",
        409,
    ),
    "already_registered": (
        "Người này đã có ống mẫu khác trong buổi lấy mẫu này.",
        "This person already has another tube in this session.",
        409,
    ),
    "pool_not_open": ("Mẫu gộp này đã đóng.", "This pool is closed.", 409),
    "pool_full": ("Mẫu gộp đã đủ số mẫu tối đa.", "This pool already holds its maximum size.", 409),
    "already_pooled": (
        "Mẫu này đã nằm trong một mẫu gộp.",
        "This sample is already in a pool.",
        409,
    ),
    "other_session": (
        "Mẫu này thuộc buổi lấy mẫu khác.",
        "This sample belongs to another sampling session.",
        409,
    ),
    "not_poolable": (
        "Chỉ gộp mẫu RT-PCR chưa có kết quả và chưa gửi phòng xét nghiệm.",
        "Only RT-PCR samples without a result that the lab has not received can be pooled.",
        409,
    ),
    "empty_pool": ("Mẫu gộp chưa có mẫu nào.", "This pool has no samples.", 409),
    "sample_in_pool": (
        "Mẫu này nằm trong mẫu gộp: hãy quét mã của mẫu gộp.",
        "This sample is in a pool: scan the pool's code.",
        409,
    ),
    "no_lab": (
        "Tài khoản của bạn chưa thuộc phòng xét nghiệm nào.",
        "Your account does not belong to a laboratory.",
        409,
    ),
    "results_changed": (
        "Một lần nhập khác vừa ghi kết quả của các mã này. Hãy kiểm tra lại tệp.",
        "Another import has just recorded results for these codes. Check the file again.",
        409,
    ),
    "no_result": (
        "Mẫu này chưa có kết quả cuối cùng.",
        "This sample has no final result yet.",
        409,
    ),
    "no_rat_device": (
        "Buổi lấy mẫu chưa ghi loại test nhanh (mã EU), chưa cấp được giấy chứng nhận.",
        "The session has no rapid test device (EU list id); a certificate cannot be issued.",
        409,
    ),
    # What a citizen reads when the site cannot sign yet; the administrator's instruction is on
    # their dashboard and printed by ``serve`` (core.dashboard.missing_setup).
    "certificate_unavailable": (
        "Tạm thời chưa in được giấy chứng nhận. Kết quả của bạn trên trang tra cứu vẫn đúng; "
        "vui lòng thử lại sau hoặc gọi đường dây nóng.",
        "The certificate cannot be printed at the moment. Your result on the lookup page is "
        "correct; please try again later or call the hotline.",
        503,
    ),
    "no_signing_keys": (
        "Chưa cấp được giấy chứng nhận: khóa ký chưa được khởi tạo.",
        "Certificates cannot be issued yet: signing keys are not set up.",
        503,
    ),
}


def testing_error(code: str) -> TestingError:
    return TestingError.from_table(ERRORS, code)


__all__ = ["ERRORS", "TestingError", "testing_error"]
