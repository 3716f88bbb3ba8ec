from __future__ import annotations

from datetime import date, datetime

from ninja import Schema
from pydantic import BaseModel, ConfigDict

from phongdich.core.openapi import one_of_required
from phongdich.people.schemas import PersonIn


class CaseIn(Schema):
    model_config = ConfigDict(json_schema_extra=one_of_required("person_id", "person"))

    person_id: int | None = None
    person: PersonIn | None = None
    confirmed_at: datetime
    sample_date: date
    onset_date: date | None = None
    source: str = "test"
    notes: str = ""
    ward_code: int | None = None


class CaseOut(Schema):
    id: int
    person_id: int
    ward_code: int
    status: str
    confirmed_at: datetime
    sample_date: date
    onset_date: date | None
    window_start: datetime
    window_end: datetime
    window_override_reason: str
    f1: int
    f2: int
    f2_pending: bool = False
    exposure_windows: int = 0


class ExposureWindowOut(BaseModel):
    """A crowded venue while an F1 was there, recorded instead of listing its people as F2."""

    id: int
    venue: str
    venue_name: str
    start: datetime
    end: datetime
    present: int
    f1_count: int
    via_contact_id: int | None
    materialise_status: str
    materialised: int


# The lists' items are plain pydantic models: ninja's Schema validates every nested object
# through a Python wrapper meant for ORM objects (half the time of a page of 100 contacts with
# their evidence); these are built from dicts.
class PersonRef(BaseModel):
    id: int
    full_name: str
    birth_year: int
    phone: str
    ward_code: int | None


class EvidenceOut(BaseModel):
    venue: str
    venue_name: str
    index_person_id: int
    # The two visits' times while they are retained (evidence outlives a purge of visits).
    index_visit: list[datetime] | None
    contact_visit: list[datetime] | None
    overlap: list[datetime]
    overlap_minutes: int
    level: str


class ContactOut(BaseModel):
    id: int
    level: str
    status: str
    origin: str
    relation: str
    via_contact_id: int | None
    person: PersonRef
    quarantine_start: date | None
    quarantine_end: date | None
    test_result: str
    evidence: list[EvidenceOut]


class ContactPage(BaseModel):
    """One page of a case's contacts: ``total`` counts every page; pass ``next_cursor`` as
    ``cursor`` (or follow ``next``) for the following page, null on the last one."""

    items: list[ContactOut]
    total: int
    next_cursor: str | None
    next: str | None


class ExposureWindowPage(BaseModel):
    items: list[ExposureWindowOut]
    total: int
    next_cursor: str | None
    next: str | None


class ContactPatch(Schema):
    status: str
    quarantine_start: date | None = None
    test_result: str = ""


class ContactAdd(Schema):
    person: PersonIn
    relation: str = ""
    level: str = "F1"


class ClusterOut(Schema):
    venue: str
    venue_name: str
    ward_code: int
    case_ids: list[int]
    first_visit: datetime
    last_visit: datetime
    exposed_contacts: int
