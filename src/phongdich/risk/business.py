"""Workplace self-assessment (docs/reference/risk.md §3, §9): a business registers by tax number,
links its checkpoint venues, signs in with a one-time code sent to its registered phone, and
assesses itself. Each assessment is stored with the live data of its venues beside it; a high
band or a mismatch with that data opens an inspection task for the ward officer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from phongdich.checkpoints.models import Venue, Visit
from phongdich.core.rules import get_rule
from phongdich.core.sms import send_sms
from phongdich.lib import otp
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.lib.phones import InvalidPhone, normalise_phone
from phongdich.places.models import Ward
from phongdich.risk.models import AccessCode, Business, InspectionTask, SelfAssessment
from phongdich.risk.questionnaires import Questionnaire
from phongdich.risk.rules import current_questionnaires_for
from phongdich.risk.taxid import InvalidTaxId, parse_tax_id
from phongdich.risk.workplace import score
from phongdich.tracing.models import Case, Contact

# Kinds of establishment and the questionnaires that apply (each questionnaire's
# establishment_kinds): 1203 factories/enterprises, 2194 other production and business
# establishments, 2225 malls, supermarkets, markets and restaurants.
KINDS = (
    "factory",
    "enterprise",
    "production_business",
    "mall",
    "supermarket",
    "market",
    "restaurant",
)
# Results that open an inspection task: a high or very high band, or an unmet pass/fail set.
HIGH_BANDS = ("high", "very_high", "fail")
# Which indicator of each questionnaire declares the workforce, and which the infection risk from
# workers (compared with the live data; docs/reference/risk.md §9).
WORKFORCE = {"hcmc-1203": "tp1", "bcdqg-2194": "cs1"}
INFECTION = {"bcdqg-2194": ("cs3", "none")}
LIVE_DAYS = 14


def do_register_business(data: dict[str, Any]) -> Business:
    """Register a business (anonymous). Venues are linked only when their registered contact phone
    is the business's own, so a stranger cannot attach someone else's checkpoint."""
    errors: list[FieldError] = []
    try:
        tax_id = str(parse_tax_id(str(data.get("tax_id", ""))))
    except InvalidTaxId as exc:
        errors.append(FieldError("tax_id", exc.code, exc.message_vi, exc.message_en))
        tax_id = ""
    name = str(data.get("name", "")).strip()
    if not 2 <= len(name) <= 200:
        errors.append(
            FieldError(
                "name", "required", "Cần tên cơ sở (2–200 ký tự).", "Name: 2–200 characters."
            )
        )
    kind = data.get("kind")
    if kind not in KINDS:
        errors.append(
            FieldError("kind", "invalid_choice", "Loại cơ sở không hợp lệ.", "Unknown kind.")
        )
    raw_ward = str(data.get("ward_code", "")).strip()
    ward = (
        Ward.objects.filter(code=int(raw_ward)).first()
        if raw_ward.isdigit() and len(raw_ward) <= 6
        else None
    )
    if ward is None:
        errors.append(
            FieldError("ward_code", "unknown_ward", "Không có phường/xã này.", "No such ward.")
        )
    phone = ""
    try:
        phone = normalise_phone(str(data.get("contact_phone", "")))
    except InvalidPhone as exc:
        errors.append(FieldError("contact_phone", exc.code, exc.message_vi, exc.message_en))
    venues, venue_errors = _venues(str(data.get("venue_codes", "")), phone)
    errors += venue_errors
    if tax_id and Business.objects.filter(tax_id=tax_id).exists():
        errors.append(_already(tax_id))
    if errors:
        raise InputErrors(errors)
    try:
        with transaction.atomic():
            business = Business.objects.create(
                tax_id=tax_id, name=name, kind=kind, ward=ward, contact_phone=phone
            )
            business.venues.set(venues)
    except IntegrityError:  # a concurrent registration of the same number
        raise InputErrors([_already(tax_id)]) from None
    return business


def _venues(raw: str, phone: str) -> tuple[list[Venue], list[FieldError]]:
    """The venues named (comma-separated codes), each registered with the business's phone."""
    codes = [c.strip().upper() for c in raw.split(",") if c.strip()][:50]
    venues = list(Venue.objects.filter(code__in=codes))
    errors = []
    for venue in venues:
        try:
            same = bool(phone) and normalise_phone(venue.phone) == phone
        except InvalidPhone:
            same = False
        if not same:
            errors.append(
                FieldError(
                    "venue_codes",
                    "venue_phone_mismatch",
                    f"Điểm {venue.code}: số điện thoại đăng ký của điểm khác số của cơ sở.",
                    f"Venue {venue.code}: its registered phone is not the business's phone.",
                )
            )
    unknown = sorted(set(codes) - {v.code for v in venues})
    if unknown:
        errors.append(
            FieldError(
                "venue_codes",
                "unknown_venue",
                f"Không có điểm kiểm dịch: {', '.join(unknown)}.",
                f"No such checkpoint: {', '.join(unknown)}.",
            )
        )
    return venues, errors


def _already(tax_id: str) -> FieldError:
    return FieldError(
        "tax_id",
        "already_registered",
        "Mã số thuế này đã được đăng ký: hãy đăng nhập bằng mã gửi tới số điện thoại đã đăng ký.",
        "This tax number is registered: sign in with a code sent to its registered phone.",
    )


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def _context(business: Business) -> str:
    return f"risk.business:{business.pk}"  # a code for one business never opens another


def do_send_code(tax_id: str) -> None:
    """Send a one-time code (lib.otp) to the registered phone. Says nothing about whether the
    number is registered (the page answers the same either way); resends are spaced and capped."""
    try:
        key = str(parse_tax_id(tax_id))
    except InvalidTaxId as exc:
        raise InputErrors.one("tax_id", exc.code, exc.message_vi, exc.message_en) from None
    business = Business.objects.filter(tax_id=key).first()
    if business is None:
        return
    now = timezone.now()
    with transaction.atomic():
        sent = AccessCode.objects.select_for_update().filter(business=business)
        decision = otp.resend_decision(list(sent.values_list("created_at", flat=True)), now)
        if not decision.allowed:
            raise InputErrors.one("tax_id", decision.code, decision.message_vi, decision.message_en)
        sent.filter(used_at__isnull=True).update(used_at=now)
        lifetime = timedelta(minutes=get_rule("risk.access_code_minutes"))
        code, state = otp.issue_code(_key(), _context(business), now, lifetime)
        AccessCode.objects.create(
            business=business,
            digest=state.code_hash,
            created_at=state.issued_at,
            expires_at=state.expires_at,
        )
        # Sent after commit: a rolled-back code is never delivered.
        transaction.on_commit(
            lambda: send_sms(business.contact_phone, f"PhongDich: ma dang nhap {code}")
        )


def do_check_code(tax_id: str, code: str) -> Business:
    """The business the code belongs to, or an error; a code works once, five tries at most."""
    bad = InputErrors.one(
        "code", "invalid_code", "Mã không đúng hoặc đã hết hạn.", "Wrong or expired code."
    )
    try:
        key = str(parse_tax_id(tax_id))
    except InvalidTaxId:
        raise bad from None
    now = timezone.now()
    with transaction.atomic():
        row = (
            AccessCode.objects.select_for_update()
            .select_related("business")
            .filter(business__tax_id=key, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if row is None:
            raise bad
        state = otp.OneTimeCode(row.digest, row.created_at, row.expires_at, row.attempts)
        result = otp.check_code(state, code[:20], _key(), _context(row.business), now)
        row.attempts = result.state.attempts
        if result.ok or result.outcome is not otp.CheckOutcome.WRONG_CODE:
            row.used_at = now  # used, expired or out of tries: this code is finished
        row.save(update_fields=["attempts", "used_at"])
    # Raised after the commit, so the wrong try stays counted.
    if not result.ok:
        raise InputErrors.one("code", result.code, result.message_vi, result.message_en)
    return row.business


def live_data(business: Business) -> dict[str, int]:
    """Check-ins at the business's venues in 14 days, distinct people, flagged declarations,
    and cases and F1 among the people checked in there."""
    since = timezone.now() - timedelta(days=LIVE_DAYS)
    visits = Visit.objects.filter(venue__in=business.venues.all(), checked_in_at__gte=since)
    totals = visits.aggregate(
        checkins=Count("pk"),
        people=Count("person", distinct=True),
        flagged=Count("pk", filter=Q(flagged=True)),
    )
    people = visits.values("person_id")
    return {
        **totals,
        "cases": Case.objects.filter(person__in=people, confirmed_at__gte=since).count(),
        "f1": Contact.objects.filter(person__in=people, level="F1", created_at__gte=since).count(),
    }


def mismatches(questionnaire_id: str, answers: dict[str, Any], live: dict[str, int]) -> list[str]:
    out = []
    key = WORKFORCE.get(questionnaire_id)
    if key is not None and live["people"]:
        try:
            declared = Decimal(str(answers.get(key)))
        except ArithmeticError:
            declared = Decimal(0)
        ratio = Decimal(get_rule("risk.workforce_mismatch_ratio")) / 100
        if live["people"] > declared * ratio:
            out.append("workforce")
    infection = INFECTION.get(questionnaire_id)
    if infection and answers.get(infection[0]) == infection[1] and (live["cases"] or live["f1"]):
        out.append("infection")
    return out


def do_self_assess(business: Business, questionnaire_id: str, answers: dict[str, Any]):
    """Score, store with the live data, open or update the inspection task when needed."""
    available = {q.id: q for q in current_questionnaires_for(business.kind)}
    q = available.get(questionnaire_id)
    if q is None:
        raise InputErrors.one(
            "questionnaire",
            "unknown_questionnaire",
            "Không có bộ câu hỏi này cho loại cơ sở của bạn.",
            "No such questionnaire for your kind of establishment.",
        )
    result = score(q, answers)  # raises InputErrors naming each bad answer
    live = live_data(business)
    flags = mismatches(q.id, answers, live)
    now = timezone.now()
    with transaction.atomic():
        # Two assessments of one business (a double submit of the public form) run one after
        # the other: with no open task, both would find none and open one each, and
        # inspection_one_open would refuse the second (a 500). NO KEY UPDATE leaves the rows that
        # refer to the business (codes, assessments) free to be written meanwhile.
        Business.objects.select_for_update(no_key=True).filter(pk=business.pk).first()
        assessment = SelfAssessment.objects.create(
            business=business,
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            answers=answers,
            result=result_dict(result, q),
            band=result.band.key if result.band else ("pass" if result.passed else "fail"),
            index_percent=None if result.index is None else round(Decimal(float(result.index)), 2),
            live=live,
            mismatch=flags,
            created_at=now,
        )
        reason = "band" if assessment.band in HIGH_BANDS else ("mismatch" if flags else "")
        if reason:
            checklist = [d["key"] for d in assessment.result["drivers"]] + flags
            task = (
                InspectionTask.objects.select_for_update()
                .filter(business=business, status="open")
                .first()
            )
            if task is None:
                InspectionTask.objects.create(
                    business=business,
                    ward=business.ward,
                    assessment=assessment,
                    reason=reason,
                    checklist=[{"item": c, "done": False} for c in checklist],
                    created_at=now,
                )
            else:
                task.assessment, task.reason = assessment, reason
                task.save(update_fields=["assessment", "reason"])
    return assessment, result


PASS_LABELS = {
    True: ("Đạt: đáp ứng mọi tiêu chí", "Passed: every criterion met"),
    False: ("Không đạt: còn tiêu chí chưa đáp ứng", "Not passed: criteria not met"),
}


def result_dict(result, q: Questionnaire) -> dict[str, Any]:
    """What is stored and shown: band, drivers and the changes that would lower the result most
    (for a pass/fail set: the unmet criteria, and whether meeting one alone would pass)."""
    labels = {i.key: (i.label_vi, i.label_en) for i in q.indicators}
    return {
        "index": None if result.index is None else float(result.index),
        "band": result.band.key if result.band else None,
        "band_label": list(
            (result.band.label_vi, result.band.label_en)
            if result.band
            else PASS_LABELS[bool(result.passed)]
        ),
        "kind": result.kind,
        "may_operate": result.may_operate,
        "operation": list(result.operation_messages or ()),
        "drivers": [
            {"key": d.key, "score": float(d.score), "label": list(labels.get(d.key, ("", "")))}
            for d in result.drivers
        ],
        "what_if": [
            {
                "key": w.key,
                "label": list(labels.get(w.key, ("", ""))),
                "answer": [w.best_answer.label_vi, w.best_answer.label_en],
                "index": None if w.index is None else float(w.index),
                "band": w.band,
                "drop": float(w.index_drop),
                "may_operate": w.may_operate,
            }
            for w in result.what_if[:5]
        ],
        "unconfirmed": list(result.unconfirmed),
        "passed": result.passed,
    }
