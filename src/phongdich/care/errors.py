"""The one error shape of the care rules: a stable snake_case code plus Vietnamese and English."""

from __future__ import annotations


class CareError(ValueError):
    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message_vi": self.message_vi, "message_en": self.message_en}
