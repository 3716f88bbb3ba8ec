"""The errors the risk rules raise: each with a stable snake_case code and both languages."""

from __future__ import annotations


class RuleDataError(ValueError):
    """A rule set or questionnaire file that does not follow its schema or does not make sense
    (bounds out of order, a matrix of the wrong shape…). ``where`` is the JSON path, ``source``
    the file or id it came from, so an administrator can find the value to fix."""

    def __init__(
        self, code: str, message_vi: str, message_en: str, *, where: str = "", source: str = ""
    ) -> None:
        place = " ".join(part for part in (source, where) if part)
        suffix = f" [{place}]" if place else ""
        super().__init__(message_en + suffix)
        self.code = code
        self.message_vi = message_vi + suffix
        self.message_en = message_en + suffix
        self.where = where
        self.source = source

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "where": self.where,
            "source": self.source,
        }


class RiskInputError(ValueError):
    """Inputs to an evaluation that cannot be evaluated (no population, negative counts…)."""

    def __init__(self, code: str, message_vi: str, message_en: str, field: str = "") -> None:
        super().__init__(f"{field}: {message_en}" if field else message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.field = field

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "field": self.field,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
        }
