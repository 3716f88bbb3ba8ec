"""Field errors in both languages: one shape for the API (422) and the HTML forms."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }


class InputErrors(Exception):
    """One or more field errors; nothing was written."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message_en}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, code: str, vi: str, en: str) -> InputErrors:
        return cls([FieldError(field, code, vi, en)])


# Pydantic error types → (stable code, Vietnamese, English). ``{f}`` is the field name.
_SCHEMA_MESSAGES: dict[str, tuple[str, str, str]] = {
    "missing": ("required", "Trường {f} là bắt buộc.", "Field {f} is required."),
    "string_too_short": ("too_short", "Trường {f} quá ngắn.", "Field {f} is too short."),
    "string_too_long": ("too_long", "Trường {f} quá dài.", "Field {f} is too long."),
    "string_type": ("not_text", "Trường {f} phải là chuỗi ký tự.", "Field {f} must be text."),
    "int_parsing": (
        "not_integer",
        "Trường {f} phải là số nguyên.",
        "Field {f} must be a whole number.",
    ),
    "int_type": (
        "not_integer",
        "Trường {f} phải là số nguyên.",
        "Field {f} must be a whole number.",
    ),
    "float_parsing": ("not_number", "Trường {f} phải là số.", "Field {f} must be a number."),
    "float_type": ("not_number", "Trường {f} phải là số.", "Field {f} must be a number."),
    "bool_parsing": (
        "not_boolean",
        "Trường {f} phải là đúng/sai.",
        "Field {f} must be true or false.",
    ),
    "bool_type": (
        "not_boolean",
        "Trường {f} phải là đúng/sai.",
        "Field {f} must be true or false.",
    ),
    "uuid_parsing": ("not_uuid", "Trường {f} phải là UUID.", "Field {f} must be a UUID."),
    "uuid_type": ("not_uuid", "Trường {f} phải là UUID.", "Field {f} must be a UUID."),
    "datetime_parsing": (
        "not_datetime",
        "Trường {f} phải là thời điểm ISO 8601.",
        "Field {f} must be an ISO 8601 date-time.",
    ),
    "datetime_from_date_parsing": (
        "not_datetime",
        "Trường {f} phải là thời điểm ISO 8601.",
        "Field {f} must be an ISO 8601 date-time.",
    ),
    "date_parsing": (
        "not_date",
        "Trường {f} phải là ngày (YYYY-MM-DD).",
        "Field {f} must be a date (YYYY-MM-DD).",
    ),
    "date_from_datetime_parsing": (
        "not_date",
        "Trường {f} phải là ngày (YYYY-MM-DD).",
        "Field {f} must be a date (YYYY-MM-DD).",
    ),
    "list_type": ("not_list", "Trường {f} phải là danh sách.", "Field {f} must be a list."),
    "literal_error": (
        "not_allowed",
        "Giá trị của {f} không hợp lệ.",
        "Field {f} has a value that is not allowed.",
    ),
    "enum": (
        "not_allowed",
        "Giá trị của {f} không hợp lệ.",
        "Field {f} has a value that is not allowed.",
    ),
    "greater_than_equal": ("too_small", "Trường {f} quá nhỏ.", "Field {f} is too small."),
    "less_than_equal": ("too_large", "Trường {f} quá lớn.", "Field {f} is too large."),
    "greater_than": ("too_small", "Trường {f} quá nhỏ.", "Field {f} is too small."),
    "less_than": ("too_large", "Trường {f} quá lớn.", "Field {f} is too large."),
    "model_attributes_type": (
        "not_object",
        "Trường {f} phải là đối tượng JSON.",
        "Field {f} must be a JSON object.",
    ),
    "dict_type": (
        "not_object",
        "Trường {f} phải là đối tượng JSON.",
        "Field {f} must be a JSON object.",
    ),
    "json_invalid": ("bad_json", "Nội dung không phải JSON hợp lệ.", "The body is not valid JSON."),
    "extra_forbidden": (
        "unknown_field",
        "Trường {f} không được hỗ trợ.",
        "Field {f} is not supported.",
    ),
}


def schema_error_messages(kind: str, field: str, fallback: str) -> tuple[str, str, str]:
    code, vi, en = _SCHEMA_MESSAGES.get(
        kind, ("invalid", "Giá trị của {f} không hợp lệ.", "Field {f} is invalid: " + fallback)
    )
    name = field or "body"
    return code, vi.format(f=name), en.format(f=name)


class DomainError(Exception):
    """An error the client must act on: a stable snake_case ``code``, both languages and the HTTP
    status the API answers with. Every app raises it (the API handles it in one place) and keeps
    its own table of codes: ``{code: (message_vi, message_en, status)}``."""

    def __init__(self, code: str, message_vi: str, message_en: str, status: int = 400) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.status = status

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en}

    @classmethod
    def from_table(
        cls, table: dict[str, tuple[str, str, int]], code: str, detail: str = ""
    ) -> DomainError:
        vi, en, status = table[code]
        if detail:
            vi, en = f"{vi} ({detail})", f"{en} ({detail})"
        return cls(code, vi, en, status)
