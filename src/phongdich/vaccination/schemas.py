from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from phongdich.core.openapi import one_of_required
from phongdich.people.schemas import PersonIn


class ScreeningIn(Schema):
    answers: dict[str, bool] = Field(default_factory=dict)
    temperature: float | None = None
    pulse: int | None = None
    systolic: int | None = None
    diastolic: int | None = None


class DoseIn(Schema):
    model_config = ConfigDict(json_schema_extra=one_of_required("person_id", "person"))

    person_id: int | None = None
    person: PersonIn | None = None
    session_id: int | None = None
    product: str = ""
    manufacturer: str = ""
    lot: str = ""
    dose_number: int
    given_on: date | None = None
    site: str = ""
    country: str = "VN"
    vaccinator_name: str = ""
    source_detail: str = ""
    ward_code: int | None = None
    override_reason: str = ""
    screening: ScreeningIn | None = None
    client_id: uuid.UUID | None = None


class DoseOut(Schema):
    id: int
    person_id: int
    session_id: int | None
    product: str
    manufacturer: str
    lot: str
    dose_number: int
    given_on: date
    site: str
    country: str
    vaccinator: str
    source: str
    source_detail: str
    screening_result: str | None
    observation_until: datetime | None
    observation_result: str
    voided: bool


class ObservationIn(Schema):
    result: str
    note: str = ""


class VoidIn(Schema):
    reason: str


class SessionIn(Schema):
    ward_code: int | None = None
    site_name: str
    address: str = ""
    date: date
    product: str
    lot_numbers: list[str] = Field(default_factory=list)
    slots: int


class SessionOut(Schema):
    id: int
    ward_code: int
    site_name: str
    address: str
    date: date
    product: str
    lot_numbers: list[str]
    slots: int
    status: str
    invited: int
    doses: int


class InviteIn(Schema):
    priority_groups: list[str] = Field(default_factory=list)
    min_age: int | None = None
    max_age: int | None = None


class RegistrationIn(Schema):
    person: PersonIn
    priority_group: str = "general"
    date_of_birth: date | None = None


class RegistrationOut(Schema):
    created: bool
    status_url: str | None
    id: int | None
    person_id: int | None


class AdverseEventIn(Schema):
    dose_id: int
    onset_at: datetime
    severity: str
    symptoms: list[str]
    description: str = ""
    outcome: str = "ongoing"
    hospitalised: bool = False


class AdverseEventPatch(Schema):
    outcome: str
    hospitalised: bool | None = None


class AdverseEventOut(Schema):
    id: int
    dose_id: int
    person_id: int
    ward_code: int
    onset_at: datetime
    severity: str
    symptoms: list[str]
    description: str
    outcome: str
    hospitalised: bool
    during_observation: bool
    reported_at: datetime


class PopulationIn(Schema):
    ward_code: int
    age_18_plus: int
    age_50_plus: int
    age_65_plus: int
    source: str = ""


class CertificateIn(Schema):
    person_id: int
    reissue: bool = False


class CertificateOut(Schema):
    id: int
    uvci: str
    hc1: str
    kid: str
    issued_at: datetime
    expires_at: datetime
    page_url: str
    pdf_url: str
    qr_url: str


class VerifyIn(Schema):
    hc1: str


class VerifyOut(Schema):
    valid: bool
    reason: str | None
    message_vi: str | None
    message_en: str | None
    payload: dict[str, Any] | None
    stages: dict[str, bool | None]
    unverified_payload: dict[str, Any] | None
    certificate_type: str | None
    kid: str | None
    issuer: str | None
    issued_at: str | None
    expires_at: str | None
    detail: str | None
    schema_errors: list[str]
