"""The Ministry of Health's domestic health declaration (REFERENCE §1), as data.

The form changed over time and will again: each visit stores ``FORM_VERSION``; adding or renaming a
question means a new version, never an edit of an old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from phongdich.lib.errors import FieldError

FORM_VERSION = "moh-domestic-2021.1"

SYMPTOMS = {
    "fever": (_("Fever"), "Sốt"),
    "cough": (_("Cough"), "Ho"),
    "shortness_of_breath": (_("Shortness of breath"), "Khó thở"),
    "pneumonia": (_("Pneumonia"), "Viêm phổi"),
    "sore_throat": (_("Sore throat"), "Đau họng"),
    "fatigue": (_("Fatigue"), "Mệt mỏi"),
}
EXPOSURES = {
    "covid_case": (
        _("Contact with a person ill with or suspected of COVID-19"),
        "Tiếp xúc người bệnh hoặc nghi ngờ mắc COVID-19",
    ),
    "from_affected_country": (
        _("Contact with a person from a country with COVID-19"),
        "Tiếp xúc người từ nước có bệnh COVID-19",
    ),
    "symptomatic_person": (
        _("Contact with a person with fever, cough, shortness of breath or pneumonia"),
        "Tiếp xúc người có biểu hiện sốt, ho, khó thở, viêm phổi",
    ),
}
CONDITIONS = {
    "chronic_liver": (_("Chronic liver disease"), "Bệnh gan mãn tính"),
    "chronic_blood": (_("Chronic blood disease"), "Bệnh máu mãn tính"),
    "chronic_lung": (_("Chronic lung disease"), "Bệnh phổi mãn tính"),
    "chronic_kidney": (_("Chronic kidney disease"), "Bệnh thận mãn tính"),
    "heart_disease": (_("Heart disease"), "Bệnh tim mạch"),
    "hypertension": (_("High blood pressure"), "Huyết áp cao"),
    "immunodeficiency": (_("Immunodeficiency (HIV)"), "Suy giảm miễn dịch (HIV)"),
    "transplant": (_("Organ or bone-marrow transplant"), "Người nhận ghép tạng, tủy xương"),
    "diabetes": (_("Diabetes"), "Tiểu đường"),
    "cancer": (_("Cancer"), "Ung thư"),
    "pregnancy": (_("Pregnancy"), "Đang mang thai"),
}
MAX_TRAVEL_PLACES = 20


@dataclass(frozen=True)
class Declaration:
    symptoms: list[str] = field(default_factory=list)
    exposures: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    travel: list[str] = field(default_factory=list)
    version: str = FORM_VERSION

    @property
    def flagged(self) -> bool:
        """Any symptom or exposure signals risk: the visit is still recorded, staff are alerted."""
        return bool(self.symptoms or self.exposures)


def _codes(data: dict[str, Any], name: str, allowed: dict, errors: list[FieldError]) -> list[str]:
    raw = data.get(name) or []
    if not isinstance(raw, list | tuple):
        errors.append(
            FieldError(
                f"declaration.{name}",
                "not_list",
                f"Trường {name} phải là danh sách.",
                f"{name} must be a list.",
            )
        )
        return []
    unknown = [str(c) for c in raw if c not in allowed]
    if unknown:
        errors.append(
            FieldError(
                f"declaration.{name}",
                "unknown_code",
                f"Mã không hợp lệ trong {name}: {', '.join(unknown)}.",
                f"Unknown code(s) in {name}: {', '.join(unknown)}; allowed: {', '.join(allowed)}.",
            )
        )
    return sorted({str(c) for c in raw if c in allowed})


def validate_declaration(data: dict[str, Any]) -> tuple[Declaration | None, list[FieldError]]:
    errors: list[FieldError] = []
    symptoms = _codes(data, "symptoms", SYMPTOMS, errors)
    exposures = _codes(data, "exposures", EXPOSURES, errors)
    conditions = _codes(data, "conditions", CONDITIONS, errors)
    travel_raw = data.get("travel") or []
    if isinstance(travel_raw, str):
        travel_raw = [p for p in travel_raw.replace(";", ",").split(",")]
    travel = [" ".join(str(p).split()) for p in travel_raw if str(p).strip()]
    if len(travel) > MAX_TRAVEL_PLACES or any(len(p) > 100 for p in travel):
        errors.append(
            FieldError(
                "declaration.travel",
                "too_long",
                "Danh sách nơi đã đến quá dài (tối đa 20 nơi, mỗi nơi 100 ký tự).",
                "travel: at most 20 places of at most 100 characters each.",
            )
        )
    if data.get("commitment") is not True:
        errors.append(
            FieldError(
                "declaration.commitment",
                "commitment_required",
                "Bạn cần cam kết thông tin khai báo là đúng sự thật.",
                "commitment must be true: you confirm the declaration is true.",
            )
        )
    if errors:
        return None, errors
    return Declaration(symptoms, exposures, conditions, travel), []
