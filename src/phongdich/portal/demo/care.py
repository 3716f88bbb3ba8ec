"""Demo home care: a dozen F0 of Phường Hạc Thành cared for at home by the demo clinician, with
up to a week of twice-daily self-reports, a few warning signs (two still open), a missed report,
a discharge due, and one patient ready for a video call.

Everything goes through the real actions (case, enrolment, reports), so the warnings shown are
what the rule set finds in the generated values, not flags set by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from phongdich.accounts.models import User
from phongdich.care.actions import do_enrol, do_submit_report
from phongdich.care.followup import do_acknowledge_alert, do_add_note, do_update_care
from phongdich.care.forms import report_values
from phongdich.care.models import Alert, Enrolment
from phongdich.care.roster import do_add_shifts
from phongdich.lib.errors import DomainError, InputErrors
from phongdich.lib.timeutil import VN_TZ, local_date
from phongdich.people.models import Person
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.seeded import stream
from phongdich.tracing.actions import do_create_case
from phongdich.tracing.errors import TracingError

CLINICIAN = "demo_bacsi"
PATIENTS = 12
# Patients whose last report shows a warning sign; the first two are left unacknowledged.
WORSENING = (0, 1, 2)
SPO2_ONLY = 3  # a low first SpO2 reading, normal on the second
MISSED = 4  # stops reporting a day ago
CALL_READY = 5


@dataclass
class CareSummary:
    patients: list[int] = field(default_factory=list)
    reports: int = 0
    open_alerts: int = 0


def _people(rng, year: int) -> list[Person]:
    busy = Person.objects.filter(cases__status="open").values("pk")
    candidates = list(
        Person.objects.filter(ward_id=geo.HAC_THANH)
        .exclude(phone="")
        .exclude(pk__in=busy)
        .order_by("pk")
        .values_list("pk", "birth_year")[:3000]
    )
    children = [pk for pk, born in candidates if year - born < 11]
    adults = [pk for pk, born in candidates if 18 <= year - born <= 60]
    chosen = rng.sample(children, min(2, len(children)))
    chosen += rng.sample(adults, min(PATIENTS - len(chosen), len(adults)))
    return list(Person.objects.filter(pk__in=chosen).order_by("pk"))


def _vitals(rng, worse: bool) -> dict[str, str]:
    if worse:
        return {
            "respiratory_rate": "24",
            "pulse": "112",
            "temperature_c": "38.6",
            "spo2": "93",
            "symptoms": ["breathlessness", "cough"],
        }
    return {
        "respiratory_rate": str(rng.randint(14, 18)),
        "pulse": str(rng.randint(68, 96)),
        "temperature_c": f"{rng.uniform(36.4, 37.6):.1f}",
        "spo2": str(rng.randint(97, 99)),
        "systolic": str(rng.randint(105, 130)),
        "diastolic": str(rng.randint(65, 85)),
        "symptoms": rng.sample(["cough", "fatigue", "sore_throat", "headache"], rng.randint(0, 2)),
    }


def _report(enrolment, rng, at: datetime, key: str, worse: bool, summary: CareSummary) -> None:
    values = _vitals(rng, worse)
    birth_months = (local_date(at) - enrolment.birth_date).days // 30
    if birth_months < 144:  # children's forms have no blood pressure
        values.pop("systolic", None)
        values.pop("diastolic", None)
    try:
        do_submit_report(
            enrolment, report_values(values), source="self", client_id=key, measured_at=at
        )
    except (InputErrors, DomainError):
        return
    summary.reports += 1


def load_care_demo(seed: int, now: datetime) -> CareSummary:
    summary = CareSummary()
    clinician = User.objects.filter(username=CLINICIAN).first()
    if clinician is None or Enrolment.objects.exists():
        return summary
    rng = stream(seed, "care")
    today = local_date(now)
    for n, person in enumerate(_people(rng, today.year)):
        days = 8 if n == PATIENTS - 1 else rng.randint(2, 6)  # the last one is due for discharge
        confirmed = now - timedelta(days=days, hours=rng.randint(1, 6))
        try:
            case = do_create_case(
                person=person,
                confirmed_at=confirmed,
                sample_date=local_date(confirmed),
                trace=False,
                notes="Ca bệnh minh họa (chăm sóc tại nhà, dữ liệu demo)",
            )
            enrolment = do_enrol(
                case,
                {
                    "severity": "mild",
                    "respiratory_rate": "16",
                    "spo2": "98",
                    "can_self_care": "1",
                    "reachable_by_phone": "1",
                    "fully_vaccinated": "1",
                    "clinician": str(clinician.pk),
                },
                actor=clinician,
            )
        except (TracingError, InputErrors, DomainError):
            continue
        summary.patients.append(enrolment.pk)
        day = enrolment.isolation_start
        slots = []
        while day <= today:
            for hour in (7, 16):
                at = datetime.combine(day, time(hour, rng.randint(0, 50)), tzinfo=VN_TZ)
                if at < now and at > confirmed:
                    slots.append(at)
            day += timedelta(days=1)
        if n == MISSED:
            slots = [s for s in slots if s < now - timedelta(days=1)]
        for i, at in enumerate(slots):
            worse = n in WORSENING and i == len(slots) - 1
            _report(enrolment, rng, at, f"demo-{enrolment.pk}-{i}", worse, summary)
        if n == SPO2_ONLY and slots:
            at = slots[-1] + timedelta(minutes=5)
            first, _ = do_submit_report(
                enrolment,
                report_values({"spo2": "95"}),
                source="self",
                client_id=f"demo-{enrolment.pk}-re",
                measured_at=at,
            )
            do_submit_report(
                enrolment,
                report_values({"spo2_repeat": "97"}),
                source="self",
                client_id=f"demo-{enrolment.pk}-re2",
                repeat_of=first.pk,
            )
        if n == CALL_READY:
            do_update_care(enrolment, {"medicine_pack": "A", "call_ready": "1"}, actor=clinician)
            do_add_note(
                enrolment, "Đã gọi điện hỏi thăm; hẹn gọi video buổi chiều.", actor=clinician
            )
    for alert in Alert.objects.filter(enrolment_id__in=summary.patients).order_by("pk")[2:]:
        do_acknowledge_alert(alert, actor=clinician)
    summary.open_alerts = Alert.objects.filter(
        enrolment_id__in=summary.patients, status="open"
    ).count()
    _roster(clinician, now)
    return summary


def _roster(clinician: User, now: datetime) -> None:
    """The clinician on call round the clock for a week, from today: an unacknowledged alert
    escalates to someone named on the roster page."""
    enrolment = Enrolment.objects.filter(clinician=clinician).select_related("ward").first()
    if enrolment is None:
        return
    do_add_shifts(
        enrolment.ward,
        {
            "officer": str(clinician.pk),
            "date": local_date(now).isoformat(),
            "start": "00:00",
            "end": "00:00",
            "repeat_days": "7",
        },
        actor=clinician,
    )
