"""Demo risk levels, workplace self-assessments and checkpoint compliance.

The wards around Thanh Hóa city get populations, vaccination coverage (doses written in bulk,
like the demo's visits, with each person's derived status), community cases and treatment
capacity chosen so that the map shows every colour; levels then go through the real actions:
computed from that data, proposed, approved by the demo chairperson (one ward left waiting for
approval, and a week of history). Ward points come from the demo's approximate ward centres
(``geography.URBAN_AREAS``) through the GeoJSON import, as an operator would upload them; the
other wards appear in the map's grid. Five businesses register and assess themselves: three
factories under HCMC 1203 (low, medium, high → an inspection task), a restaurant that passes
Decision 2225 and a market that fails it (→ an inspection task); the ward officer requires fixes
at two inspections (one fix done, one overdue), shown on the staff map's inspection layer; a few
posters are printed for the compliance list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction

from phongdich.accounts import audit
from phongdich.accounts.models import Role, User
from phongdich.checkpoints.models import Venue, VenueStatus, Visit
from phongdich.lib.phones import is_valid_phone
from phongdich.lib.timeutil import local_date
from phongdich.people.models import Person
from phongdich.places.models import Ward
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.seeded import stream
from phongdich.risk import actions
from phongdich.risk import business as biz
from phongdich.risk import geo as shapes
from phongdich.risk.models import Business, WardCapacity
from phongdich.risk.taxid import check_digit
from phongdich.tracing.models import Case, CaseStatus
from phongdich.vaccination.models import Dose, PersonStatus, WardPopulation

# Ward → (population, community cases in the last 7 days, share of adults vaccinated %,
# treatment capacity ok). With Decision 218 in force: green, yellow, orange and red.
PLAN = {
    geo.HAC_THANH: (42_000, 12, 92, True),  # 29 per 100,000, covered → 2 yellow
    geo.QUANG_PHU: (30_000, 0, 95, True),  # → 1 green
    14758: (31_000, 60, 55, False),  # Hàm Rồng: 194 per 100,000, not covered → 4 red
    16417: (26_000, 45, 93, True),  # Đông Quang: 173 per 100,000, covered → 3 orange
    16531: (38_000, 9, 60, True),  # Sầm Sơn: 24 per 100,000, not covered → 3 orange
    16378: (24_000, 1, 94, True),  # Đông Sơn → 1 green
    15853: (22_000, 0, 91, True),  # Đông Tiến → 1 green
    15925: (27_000, 3, 70, True),  # Nguyệt Viên: 11 per 100,000, not covered → 2 yellow
    16516: (18_000, 0, 96, True),  # Nam Sầm Sơn → 1 green
    14812: (35_000, 2, 90, True),  # Bỉm Sơn → 1 green
    14818: (20_000, 0, 88, True),  # Quang Trung → 1 green
}
PENDING_WARD = 16531  # Sầm Sơn's new level waits for the chairperson
PRODUCT = ("EU/1/20/1528", "ORG-100030215", "1119349007")  # Comirnaty

# (name, kind, questionnaire, answers): low, medium and high infection risk (HCMC 1203, version
# 2), and two places under 2225 (pass/fail): a restaurant that meets every criterion and a market
# that limits nobody inside (it fails, so the ward officer gets an inspection task).
_FOOD_OK = dict.fromkeys(
    (
        "covid_team",
        "hand_hygiene",
        "masks",
        "table_spacing",
        "food_handling",
        "staff_health",
        "surfaces",
        "ventilation",
        "isolation_area",
        "visitor_record",
        "bins",
        "posters",
    ),
    True,
)
_MARKET = dict.fromkeys(
    (
        "covid_team",
        "hand_hygiene",
        "masks",
        "distancing",
        "staff_health",
        "surfaces",
        "ventilation",
        "isolation_area",
        "visitor_record",
        "bins",
        "posters",
    ),
    True,
)
BUSINESSES = (
    ("Công ty TNHH May Hạc Thành", "factory", "hcmc-1203", {
        "tp1": "80", "tp2": "18", "tp3": "every_entrance", "tp4": "100", "tp5": "100",
        "tp6": "two_metres_or_screens", "tp7": "0", "tp8": "1", "tp9": "daily",
        "tp10": "none"}),
    ("Công ty CP Giày Quảng Phú", "factory", "hcmc-1203", {
        "tp1": "1200", "tp2": "5", "tp3": "every_entrance", "tp4": "100", "tp5": "100",
        "tp6": "one_metre", "tp7": "40", "tp8": "1", "tp9": "daily", "tp10": "some"}),
    ("Nhà máy Chế biến Thủy sản Hàm Rồng", "factory", "hcmc-1203", {
        "tp1": "6000", "tp2": "1.5", "tp3": "none", "tp4": "100", "tp5": "100",
        "tp6": "crowded", "tp7": "90", "tp8": "1", "tp9": "daily", "tp10": "most"}),
    ("Nhà hàng Phở Lam Sơn", "restaurant", "bcdqg-2225-food", _FOOD_OK),
    ("Chợ Đông Hạc Thành", "market", "bcdqg-2225-trade", _MARKET | {"crowd_limit": False}),
)  # fmt: skip
FACTORIES = 3  # the first entries, placed at factory or office checkpoints


@dataclass
class RiskSummary:
    levels: dict[int, int] = field(default_factory=dict)
    pending: int = 0
    businesses: list[tuple[str, str]] = field(default_factory=list)
    inspections: int = 0
    fixes: int = 0
    overdue_fixes: int = 0


def load_risk_demo(seed: int, now: datetime) -> RiskSummary:
    rng = stream(seed, "risk")
    today = local_date(now)
    chair = User.objects.filter(role=Role.CHAIRPERSON).order_by("pk").first()
    province = User.objects.filter(role=Role.PROVINCE_OFFICER, province=geo.PROVINCE).first()
    summary = RiskSummary()
    with transaction.atomic():
        _coverage(today)
        _cases(rng, now)
        for code, (_population, _cases_7d, _share, ok) in PLAN.items():
            WardCapacity.objects.update_or_create(
                ward_id=code,
                defaults={
                    "beds": 60,
                    "beds_in_use": 60 if not ok else 20,
                    "icu_beds": 4,
                    "oxygen_points": 12,
                },
            )
    if province is not None:
        _shapes(province)
    codes = list(PLAN)
    # Last week, everything approved; this week all but one ward.
    week_ago = actions.do_propose_levels(codes, today - timedelta(days=7))
    if chair is not None:
        actions.do_decide([a.pk for a in week_ago], approve=True, actor=chair)
    current = actions.do_propose_levels(codes, today)
    approve = [a.pk for a in current if a.ward_id != PENDING_WARD]
    if chair is not None:
        actions.do_decide(approve, approve=True, actor=chair)
    summary.levels = {a.ward_id: a.level for a in current}
    summary.pending = len(current) - len(approve)
    _businesses(rng, summary)
    _fixes(today, summary)
    _posters(province)
    return summary


def _coverage(today) -> None:
    """Populations by age band from the demo's own residents, and two doses for the chosen share
    of each ward's adults (all of its 65+ where the ward is covered)."""
    year = today.year
    doses, statuses = [], []
    for code, (population, _cases, share, _ok) in PLAN.items():
        Ward.objects.filter(code=code).update(population=population)
        people = list(
            Person.objects.filter(ward_id=code, birth_year__lte=year - 18)
            .exclude(vaccination_status__isnull=False)
            .order_by("pk")
            .values_list("pk", "birth_year")
        )
        bands = [sum(1 for _, b in people if b <= year - age) for age in (18, 50, 65)]
        WardPopulation.objects.update_or_create(
            ward_id=code,
            defaults={
                "age_18_plus": bands[0],
                "age_50_plus": bands[1],
                "age_65_plus": bands[2],
                "source": "dữ liệu demo",
            },
        )
        chosen = [pk for pk, b in people if share >= 90 and b <= year - 65]
        first_picks = set(chosen)
        rest = [pk for pk, _ in people if pk not in first_picks]
        chosen += rest[: max(0, round(len(people) * share / 100) - len(chosen))]
        for pk in chosen:
            first, second = today - timedelta(days=150), today - timedelta(days=120)
            for number, day in ((1, first), (2, second)):
                doses.append(
                    Dose(
                        person_id=pk,
                        ward_id=code,
                        product=PRODUCT[0],
                        manufacturer=PRODUCT[1],
                        vaccine_type=PRODUCT[2],
                        dose_number=number,
                        given_on=day,
                        source="elsewhere",
                        source_detail="Dữ liệu demo",
                    )
                )
            statuses.append(
                PersonStatus(
                    person_id=pk,
                    doses=2,
                    first_dose_on=first,
                    last_dose_on=second,
                    completed_on=second,
                )
            )
    Dose.objects.bulk_create(doses, batch_size=2000)
    PersonStatus.objects.bulk_create(statuses, batch_size=2000)


def _cases(rng, now: datetime) -> None:
    """Community cases confirmed over the last 7 days among each ward's residents (closed, so the
    officers' work lists keep the demo's traced cases on top)."""
    rows = []
    taken = set(Case.objects.values_list("person_id", flat=True))
    for code, (_population, count, _share, _ok) in PLAN.items():
        existing = Case.objects.filter(
            person__ward_id=code, confirmed_at__gte=now - timedelta(days=7)
        )
        need = count - existing.count()
        people = [
            pk
            for pk in Person.objects.filter(ward_id=code)
            .order_by("pk")
            .values_list("pk", flat=True)
            if pk not in taken
        ]
        for pk in rng.sample(people, min(max(need, 0), len(people))):
            confirmed = now - timedelta(hours=rng.randint(2, 6 * 24))
            rows.append(
                Case(
                    person_id=pk,
                    ward_id=code,
                    confirmed_at=confirmed,
                    sample_date=local_date(confirmed),
                    source="other",
                    status=CaseStatus.CLOSED,
                    notes="Ca bệnh minh họa cho bản đồ cấp độ dịch (dữ liệu demo)",
                    window_start=confirmed - timedelta(days=2),
                    window_end=confirmed + timedelta(days=1),
                )
            )
    Case.objects.bulk_create(rows, batch_size=2000)


def _shapes(province_officer: User) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"ward_code": a.code},
            "geometry": {"type": "Point", "coordinates": [a.lon, a.lat]},
        }
        for a in geo.URBAN_AREAS
    ]
    doc = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    shapes.do_import_shapes(doc, "demo-ward-centres.geojson", actor=province_officer)


def _tax_id(rng) -> str:
    while True:
        first = f"28{rng.randrange(10**7):07d}"  # 28: Thanh Hóa's tax office prefix in the demo
        digit = check_digit(first)
        if digit is not None:
            return f"{first}{digit}"


def _businesses(rng, summary: RiskSummary) -> None:
    factories = list(
        Venue.objects.filter(status=VenueStatus.ACTIVE, kind__in=["factory", "office"]).order_by(
            "ward_id", "pk"
        )[:FACTORIES]
    )
    for i, (name, kind, questionnaire, answers) in enumerate(BUSINESSES):
        venue = factories[i] if i < len(factories) else None
        if venue is not None and not is_valid_phone(venue.phone):
            venue = None
        ward = venue.ward_id if venue else geo.HAC_THANH
        phone = venue.phone if venue else f"091{rng.randrange(10**7):07d}"  # 091: a mobile prefix
        tax_id = _tax_id(rng)
        found = Business.objects.filter(tax_id=tax_id).first() or biz.do_register_business(
            {
                "tax_id": tax_id,
                "name": name,
                "kind": kind,
                "ward_code": ward,
                "contact_phone": phone,
                "venue_codes": venue.code if venue else "",
            }
        )
        assessment, _ = biz.do_self_assess(found, questionnaire, answers)
        summary.businesses.append((found.tax_id, assessment.band))
    from phongdich.risk.models import InspectionTask

    summary.inspections = InspectionTask.objects.count()


# What the ward officer requires at the first two inspections: (text, days from today, done).
FIXES = (
    (
        ("Kẻ vạch giãn cách 2 m tại khu vực ăn ca", -3, False),  # missed: shows as overdue
        ("Lắp thêm quạt hút tại xưởng may số 2", 5, False),
        ("Bố trí điểm rửa tay có xà phòng ở cổng", 2, True),
    ),
    (
        ("Giới hạn 30 người trong chợ cùng lúc, có người đếm ở cổng", 7, False),
        ("Niêm yết mã QR khai báo y tế ở mọi lối vào", 14, False),
    ),
)


def _fixes(today, summary: RiskSummary) -> None:
    """Required fixes at the first two open inspections, through the officer's actions; one
    deadline is then moved into the past (as if a week had gone by), so one fix is overdue."""
    from phongdich.risk import fixes as fx
    from phongdich.risk.models import InspectionTask, RequiredFix

    tasks = InspectionTask.objects.filter(status="open").order_by("pk")[: len(FIXES)]
    for task, wanted in zip(tasks, FIXES, strict=False):
        if task.required_fixes.exists():
            continue  # the demo loaded before
        officer = (
            User.objects.filter(role=Role.WARD_OFFICER, ward_id=task.ward_id).order_by("pk").first()
            or User.objects.filter(role=Role.PROVINCE_OFFICER).order_by("pk").first()
        )
        for text, days, done in wanted:
            due = today + timedelta(days=max(days, 1))
            fix = fx.do_add_fix(task, officer, {"text": text, "deadline": f"{due:%d/%m/%Y}"})
            if days < 0:
                RequiredFix.objects.filter(pk=fix.pk).update(deadline=today + timedelta(days=days))
            if done:
                fx.do_set_fix_done(fix, officer, True, "Đã kiểm tra lại tại chỗ")
    summary.fixes = RequiredFix.objects.count()
    summary.overdue_fixes = RequiredFix.objects.filter(status="open", deadline__lt=today).count()


def _posters(actor: User | None) -> None:
    """Posters printed for the three quietest active checkpoints (the compliance list)."""
    scanned = set(Visit.objects.values_list("venue_id", flat=True).distinct())
    venues = sorted(
        Venue.objects.filter(status=VenueStatus.ACTIVE).select_related("ward"),
        key=lambda v: (v.pk in scanned, v.pk),
    )[:3]
    for venue in venues:
        audit.record(
            "print_poster", actor=actor, obj=venue, ward=venue.ward, detail={"format": "pdf"}
        )
