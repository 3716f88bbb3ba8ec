from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from phongdich.core.openapi import one_of_required
from phongdich.people.schemas import PersonIn


class VenueIn(Schema):
    name: str
    kind: str
    address: str
    ward_code: int
    phone: str
    operator: str = ""
    lat: float | None = None
    lon: float | None = None
    default_stay_minutes: int = 60


class VenueOut(Schema):
    code: str
    name: str
    kind: str
    status: str
    ward_code: int
    checkin_url: str
    poster_pdf_url: str
    poster_png_url: str
    poster_svg_url: str


# The check-in schemas are plain pydantic models: ninja's Schema wraps every value in a getter
# meant for ORM objects, which cost a tenth of a check-in's CPU on input that is always JSON.
class DeclarationIn(BaseModel):
    symptoms: list[str] = Field(default_factory=list)
    exposures: list[str] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    travel: list[str] = Field(default_factory=list)
    commitment: bool = False


class MemberIn(BaseModel):
    """A family member declared with the person (checkpoints.family): their phone, ward and
    address are the person's."""

    full_name: str = ""
    birth_year: int | None = None
    gender: str = ""
    id_number: str = ""
    nationality: str = "VN"


class CheckinIn(BaseModel):
    model_config = ConfigDict(json_schema_extra=one_of_required("person", "person_token"))

    venue: str
    client_id: uuid.UUID
    person: PersonIn | None = None
    person_token: str | None = None
    declaration: DeclarationIn
    scanned_at: datetime | None = None
    source: str = "self"
    members: list[MemberIn] = Field(default_factory=list, max_length=8)


class MemberOut(BaseModel):
    visit_id: int
    client_id: uuid.UUID
    person_id: int
    person_token: str
    flagged: bool
    checked_in_at: datetime
    already_inside: bool = False


class CheckinOut(MemberOut):
    members: list[MemberOut] = Field(default_factory=list)


class CheckoutIn(Schema):
    model_config = ConfigDict(json_schema_extra=one_of_required("client_id", "visit_id"))

    visit_id: int | None = None
    client_id: uuid.UUID | None = None
    scanned_at: datetime | None = None


class CheckoutOut(Schema):
    visit_id: int
    checked_in_at: datetime
    checked_out_at: datetime
    checkout_kind: str


class PersonSummary(Schema):
    id: int
    full_name: str
    birth_year: int
    phone: str


class VisitOut(Schema):
    visit_id: int
    person: PersonSummary
    source: str
    checked_in_at: datetime
    checked_out_at: datetime | None
    flagged: bool
    symptoms: list[str]
    exposures: list[str]


class ScanPreviewIn(Schema):
    token: str = Field(min_length=8, max_length=100)


class ScanPreviewOut(Schema):
    """Who a personal QR names, for the staff member to check against the face in front of
    them before confirming: name and year of birth only."""

    full_name: str
    birth_year: int
    inside_since: datetime | None = None
