from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema

from phongdich.people.schemas import PersonIn


class LabOut(Schema):
    id: int
    name: str
    province_code: int
    technicians: list[str] = []


class LabIn(Schema):
    name: str
    province_code: int
    technicians: list[str] = []


class TechnicianIn(Schema):
    username: str
    remove: bool = False


class SamplingSessionIn(Schema):
    site: str
    ward_code: int
    date: date
    test_type: str
    team: str = ""
    target_kind: str = "walk_in"
    target_case_id: int | None = None
    rat_device: str = ""


class AdviceOut(Schema):
    prevalence: float
    percent: float
    counted: int
    assumed: bool
    pool_size: int
    tests_per_person: float
    people: int
    expected_tests: float
    tests_saved: float
    saved_per_100: float
    advised: bool


class TurnaroundOut(Schema):
    results: int
    to_lab: float | None
    in_lab: float | None
    total: float | None


class SamplingSessionOut(Schema):
    id: int
    site: str
    ward_code: int
    date: date
    test_type: str
    team: str
    target_kind: str
    target_case_id: int | None
    rat_device: str
    status: str
    samples: int
    pools: int
    advice: AdviceOut | None = None
    turnaround: TurnaroundOut | None = None


class SampleIn(Schema):
    """Who: ``person_id`` (from the target list), ``qr`` (``PD1:…``), ``id_number`` alone (a
    known CCCD), or ``person`` typed in. ``tube_code``: a pre-printed label, else one is made."""

    person_id: int | None = None
    qr: str = ""
    id_number: str = ""
    person: PersonIn | None = None
    tube_code: str | None = None
    collected_at: datetime | None = None


class SamplePersonRef(Schema):
    id: int
    full_name: str
    birth_year: int
    phone: str


class SampleOut(Schema):
    tube_code: str
    session_id: int
    person: SamplePersonRef
    pool_code: str | None
    status: str
    result: str
    ct_value: float | None
    collected_at: datetime
    received_at: datetime | None
    result_at: datetime | None
    resolved_via: str
    released: bool
    case_id: int | None


class PoolsIn(Schema):
    """``auto``: pool every unpooled sample of the session; else one empty pool to fill."""

    size: int | None = None
    auto: bool = False


class PoolOut(Schema):
    code: str
    session_id: int
    max_size: int
    status: str
    samples: list[str]
    received_at: datetime | None
    result: str
    ct_value: float | None
    result_at: datetime | None


class TubeIn(Schema):
    tube_code: str


class CodeIn(Schema):
    code: str
    lab: int | None = None


class ReceiptOut(Schema):
    code: str
    kind: str
    received_at: datetime
    newly_received: bool


class ResultIn(Schema):
    code: str
    result: str
    ct: float | None = None
    time: datetime | None = None
    lab: int | None = None


class SummaryOut(Schema):
    rows: int
    new: int
    unchanged: int
    skipped: int
    batch: int | None
    pools_negative: int
    pools_positive: int
    retests_ordered: int
    samples_resolved: int
    positives: int
    cases: int


class PreviewRowOut(Schema):
    row: int | None
    code: str
    kind: str
    result: str
    ct: float | None
    time: datetime | None
    status: str
    errors: list[dict[str, Any]]


class PreviewOut(Schema):
    ok: bool
    sha256: str
    rows: int
    new: int
    unchanged: int
    skipped: int
    file_errors: list[dict[str, Any]]
    row_list: list[PreviewRowOut]


class WorkItemOut(Schema):
    code: str
    kind: str
    session_id: int
    since: datetime | None


class WorklistOut(Schema):
    receive: list[WorkItemOut]
    result: list[WorkItemOut]
    retest: list[WorkItemOut]


class LabTurnaroundOut(TurnaroundOut):
    lab_id: int
    lab: str


class LookupIn(Schema):
    code: str
    birth_year: int | str


class LookupOut(Schema):
    code: str
    result: str
    test_type: str
    sampled_at: datetime
    result_at: datetime


class ResultCertificateOut(Schema):
    hc1: str
