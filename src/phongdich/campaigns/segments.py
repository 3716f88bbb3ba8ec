"""Who a campaign reaches: a segment, checked against the officer's jurisdiction, and its
audience as one query over people with a phone number.

A segment is anchored in an area the officer may see, and narrows it:

* **area**: a ward, or a whole province (province officers); people whose ward is there;
* **age band**: from and to an age in full years (by year of birth: the register keeps only
  the year);
* **not vaccinated**: no dose recorded (vaccination's per-person status);
* **F1 in quarantine**: an F1 contact in quarantine *recorded in the area* (where the person
  lives does not matter: the contact's ward does);
* **visitors of a venue in a time window** (issue 14's exposure window): everyone whose visit
  at a venue of the area overlaps the window, wherever they live. An exposure window of a case
  fills venue and times in.

Claims (unproven records naming a known person) are never messaged; two records sharing one
number get one message (``Recipient`` is unique per number key).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.accounts.models import Role
from phongdich.checkpoints.models import Visit
from phongdich.checkpoints.queries import list_venues_for
from phongdich.core import sms
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.timeutil import VN_TZ, to_local
from phongdich.people.models import Person
from phongdich.places.models import Province, Ward
from phongdich.tracing.models import Contact, ContactStatus, Level

MAX_WINDOW = timedelta(days=31)


@dataclass(frozen=True)
class Segment:
    ward: int | None = None
    province: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    not_vaccinated: bool = False
    f1_quarantine: bool = False
    venue: str = ""
    visited_from: str = ""  # ISO 8601, aware
    visited_until: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "", False)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _err(field: str, code: str, vi: str, en: str) -> FieldError:
    return FieldError(field, code, vi, en)


def _int(data: dict, field: str, errors: list, lo: int, hi: int) -> int | None:
    raw = str(data.get(field) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not lo <= int(raw) <= hi:
        errors.append(
            _err(
                field,
                "invalid_number",
                f"Trường {field}: hãy nhập một số từ {lo} đến {hi}.",
                f"Field {field}: enter a number from {lo} to {hi}.",
            )
        )
        return None
    return int(raw)


def _when(data: dict, field: str, errors: list) -> datetime | None:
    raw = str(data.get(field) or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        errors.append(
            _err(
                field,
                "invalid_datetime",
                f"Trường {field}: thời điểm không hợp lệ.",
                f"Field {field}: not a valid date and time.",
            )
        )
        return None
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


def parse_segment(user: Any, data: dict) -> tuple[Segment, Ward | None, Province]:
    """Read a segment from form fields (``area``: ``w<code>`` or ``p<code>``, ``age_min``,
    ``age_max``, ``not_vaccinated``, ``f1_quarantine``, ``venue``, ``visited_from``,
    ``visited_until``); every error at once. Returns the segment and the campaign's area.
    An area outside the caller's jurisdiction is reported as not found."""
    errors: list[FieldError] = []
    ward = province = None
    area = str(data.get("area") or "").strip()
    if area[:1] == "w" and area[1:].isdigit():
        ward = Ward.objects.select_related("province").filter(code=int(area[1:])).first()
        if ward is None or not can_see_ward(user, ward):
            ward = None
        else:
            province = ward.province
    elif area[:1] == "p" and area[1:].isdigit():
        province = Province.objects.filter(code=int(area[1:])).first()
        allowed = user.role == Role.ADMIN or (
            not user.ward_id and user.province_id == int(area[1:])
        )
        if province is not None and not allowed:
            province = None
    age_min = _int(data, "age_min", errors, 0, 120)
    age_max = _int(data, "age_max", errors, 0, 120)
    if age_min is not None and age_max is not None and age_min > age_max:
        errors.append(
            _err(
                "age_max",
                "age_band_reversed",
                "Tuổi đến phải không nhỏ hơn tuổi từ.",
                "The upper age must not be below the lower age.",
            )
        )
    venue_code = str(data.get("venue") or "").strip().upper()
    start, end = _when(data, "visited_from", errors), _when(data, "visited_until", errors)
    if venue_code:
        venue = list_venues_for(user).filter(code=venue_code).first()
        if venue is None:
            errors.append(
                _err(
                    "venue",
                    "venue_not_found",
                    "Không tìm thấy địa điểm này trong địa bàn của bạn.",
                    "No such venue in your area.",
                )
            )
        else:
            ward, province = venue.ward, venue.ward.province
        if start is None or end is None or not start < end or end - start > MAX_WINDOW:
            errors.append(
                _err(
                    "visited_until",
                    "invalid_window",
                    "Hãy nhập khoảng thời gian (từ trước đến), dài tối đa 31 ngày.",
                    "Enter a time window (from before until), at most 31 days long.",
                )
            )
    if province is None and not errors:
        errors.append(
            _err(
                "area",
                "area_not_found",
                "Hãy chọn một phường/xã hoặc tỉnh trong địa bàn của bạn.",
                "Choose a ward or province inside your area.",
            )
        )
    if errors:
        raise InputErrors(errors)
    segment = Segment(
        ward=ward.code if ward else None,
        province=None if ward else province.code,
        age_min=age_min,
        age_max=age_max,
        not_vaccinated=bool(data.get("not_vaccinated")),
        f1_quarantine=bool(data.get("f1_quarantine")),
        venue=venue_code,
        visited_from=start.isoformat() if venue_code and start else "",
        visited_until=end.isoformat() if venue_code and end else "",
    )
    return segment, ward, province


def _area(segment: Segment, field: str) -> Q:
    if segment.ward is not None:
        return Q(**{f"{field}_id": segment.ward})
    return Q(**{f"{field}__province_id": segment.province})


def audience(segment: Segment, now: datetime | None = None) -> QuerySet[Person]:
    """The people the segment reaches (with a phone number, no claims)."""
    people = Person.objects.filter(claim_of__isnull=True).exclude(phone="")
    if segment.venue:
        start = datetime.fromisoformat(segment.visited_from)
        end = datetime.fromisoformat(segment.visited_until)
        visits = Visit.objects.filter(
            person=OuterRef("pk"), venue__code=segment.venue, checked_in_at__lt=end
        ).filter(
            Q(checked_out_at__gt=start) | Q(checked_out_at__isnull=True, expected_out_at__gt=start)
        )
        people = people.filter(Exists(visits))
    elif segment.f1_quarantine:
        contacts = Contact.objects.filter(
            _area(segment, "ward"),
            person=OuterRef("pk"),
            level=Level.F1,
            status=ContactStatus.QUARANTINED,
        )
        people = people.filter(Exists(contacts))
    else:
        people = people.filter(_area(segment, "ward"))
    if segment.venue and segment.f1_quarantine:
        people = people.filter(
            Exists(
                Contact.objects.filter(
                    person=OuterRef("pk"), level=Level.F1, status=ContactStatus.QUARANTINED
                )
            )
        )
    year = to_local(now or timezone.now()).year
    if segment.age_min is not None:
        people = people.filter(birth_year__lte=year - segment.age_min)
    if segment.age_max is not None:
        people = people.filter(birth_year__gte=year - segment.age_max)
    if segment.not_vaccinated:
        people = people.exclude(vaccination_status__doses__gt=0)
    return people


@dataclass(frozen=True)
class Preview:
    numbers: int  # distinct phone numbers the segment reaches
    opted_out: int  # of which on the opt-out list
    people: int  # records (several may share a number)

    @property
    def to_send(self) -> int:
        return self.numbers - self.opted_out


def preview(segment: Segment) -> Preview:
    """The counts shown before sending: only counts leave this function."""
    phones = set(audience(segment).values_list("phone", flat=True).iterator(chunk_size=5000))
    people = audience(segment).count()
    opted = sms.opted_out_keys(sms.number_key(p) for p in phones)
    return Preview(numbers=len(phones), opted_out=len(opted), people=people)


def describe(segment: Segment) -> list[str]:
    """The segment in words (Vietnamese first), for lists and the result page."""
    from django.utils.translation import gettext as _

    parts = []
    if segment.ward:
        ward = Ward.objects.filter(code=segment.ward).first()
        parts.append(str(ward) if ward else str(segment.ward))
    elif segment.province:
        province = Province.objects.filter(code=segment.province).first()
        parts.append(str(province) if province else str(segment.province))
    if segment.age_min is not None or segment.age_max is not None:
        parts.append(
            _("age %(lo)s–%(hi)s") % {"lo": segment.age_min or 0, "hi": segment.age_max or "…"}
        )
    if segment.not_vaccinated:
        parts.append(_("not yet vaccinated"))
    if segment.f1_quarantine:
        parts.append(_("F1 in quarantine"))
    if segment.venue:
        start = to_local(datetime.fromisoformat(segment.visited_from))
        end = to_local(datetime.fromisoformat(segment.visited_until))
        parts.append(
            _("checked in at %(venue)s %(start)s–%(end)s")
            % {
                "venue": segment.venue,
                "start": start.strftime("%d/%m %H:%M"),
                "end": end.strftime("%d/%m %H:%M"),
            }
        )
    return parts
