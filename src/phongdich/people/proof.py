"""Proving a record is yours: a one-time code to the phone already on file (lib/otp).

Asking for a code answers the same whether or not anyone has that ID number (no SMS goes out
when no one does, and the code then never matches). A right code proves the asker holds that
phone: their claim on the person is merged (people.identity) and the device is given the
person's token."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.sms import send_sms
from phongdich.lib.codes import new_token
from phongdich.lib.errors import InputErrors
from phongdich.lib.otp import OneTimeCode, check_code, issue_code, resend_decision
from phongdich.people.models import Person, ProofCode

_ID_NUMBER = re.compile(r"^(\d{9}|\d{12}|[A-Z0-9]{6,12})$")


def clean_id_number(raw: str) -> str:
    text = re.sub(r"[\s.\-]", "", raw or "").upper()
    return text if _ID_NUMBER.match(text) else ""


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def _subject(id_number: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:id:{id_number}".encode()).hexdigest()


def do_request_code(id_number: str, *, purpose: str = "claim") -> ProofCode:
    """Send a code to the phone on file of the person with ``id_number`` (if any). Resends are
    limited per ID number, the same way whether or not it is known."""
    clean = clean_id_number(id_number or "")
    if not clean:
        raise InputErrors.one(
            "id_number",
            "invalid_id_number",
            "Số CCCD/CMND/hộ chiếu không hợp lệ.",
            "id_number is not a valid CCCD, CMND or passport number.",
        )
    person = Person.objects.filter(id_number=clean, claim_of__isnull=True).exclude(phone="").first()
    return do_send_code(_subject(clean), person, purpose=purpose, field="id_number")


def subject_of(kind: str, value: str) -> str:
    """The keyed hash a challenge is filed under (no ID number or code kept in clear)."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()


def do_send_code(
    subject: str, person: Person | None, *, purpose: str, field: str = "id_number"
) -> ProofCode:
    """Send a code to ``person``'s phone on file (none when there is no such person, or no
    phone: the challenge then never matches). Resends are limited per ``subject`` alike."""
    now = timezone.now()
    sent = ProofCode.objects.filter(subject=subject).values_list("issued_at", flat=True)
    decision = resend_decision(list(sent), now)
    if not decision.allowed:
        raise InputErrors.one(field, decision.code, decision.message_vi, decision.message_en)
    if person is not None and not person.phone:
        person = None
    key = new_token()
    code, state = issue_code(_key(), key, now)
    challenge = ProofCode.objects.create(
        key=key,
        subject=subject,
        person=person,
        purpose=purpose,
        code_hash=state.code_hash,
        issued_at=state.issued_at,
        expires_at=state.expires_at,
    )
    if person is not None:
        # One SMS: at most 70 characters in Vietnamese (UCS-2), 160 in plain text.
        text = _("PhongDich: your code is %(code)s. It is valid for 10 minutes; give it to no one.")
        send_sms(person.phone, text % {"code": code})
    return challenge


def do_check_code(challenge_key: str, submitted: str, *, subject: str = "") -> Person:
    """The person the code proves, or the reason it does not (a bilingual field error). With
    ``subject``, only a challenge filed under it counts."""
    with transaction.atomic():
        challenges = ProofCode.objects.select_for_update().filter(key=challenge_key or "")
        if subject:
            challenges = challenges.filter(subject=subject)
        challenge = challenges.first()
        if challenge is None:
            raise InputErrors.one(
                "code", "otp_expired", "Mã xác nhận đã hết hạn.", "The code has expired."
            )
        state = OneTimeCode(
            challenge.code_hash,
            challenge.issued_at,
            challenge.expires_at,
            challenge.attempts,
            challenge.used_at is not None,
        )
        result = check_code(state, submitted or "", _key(), challenge.key, timezone.now())
        if result.ok and challenge.person_id is None:  # no one to prove: never a match
            result = check_code(state, "", _key(), challenge.key, timezone.now())
        challenge.attempts = result.state.attempts
        challenge.used_at = timezone.now() if result.ok else challenge.used_at
        challenge.save(update_fields=["attempts", "used_at"])
    if not result.ok:
        raise InputErrors.one("code", result.code, result.message_vi, result.message_en)
    return challenge.person


def do_prove(challenge_key: str, submitted: str, *, holder: Any = None) -> Person:
    """Check the code; the device's claim on the proved person (``holder``) is merged."""
    from phongdich.people.identity import do_confirm_claim

    person = do_check_code(challenge_key, submitted)
    if holder is not None and holder.claim_of_id == person.pk:
        do_confirm_claim(holder, via="otp")
    return person
