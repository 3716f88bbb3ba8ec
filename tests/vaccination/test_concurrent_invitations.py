"""Invitations written by two officers at once, and an answer arriving after the dose: a person
holds one open invitation at a time, and an attended invitation stays attended."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from phongdich.accounts.models import AuditEvent
from phongdich.lib.errors import DomainError
from phongdich.vaccination.actions import do_register
from phongdich.vaccination.invitations import do_answer_invitation, do_invite
from phongdich.vaccination.models import Invitation, InvitationStatus, Registration
from tests.conftest import HAC_THANH, PERSON
from tests.interleave import interleave
from tests.vaccination.conftest import TODAY, at_session, make_session


def _people(officer, count: int) -> list:
    return [
        do_register(
            {
                "full_name": f"Người Được Mời {chr(65 + i)}",
                "birth_year": 1950 + i,
                "gender": "female",
                "phone": f"090100{i:04d}",
                "ward_code": HAC_THANH,
            },
            channel="officer",
            actor=officer,
        )[0]
        for i in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_two_sessions_of_one_ward_invited_at_once_ask_each_person_once(ward_officer, monkeypatch):
    registrations = _people(ward_officer, 3)
    monday = make_session(ward_officer, day=TODAY + timedelta(days=7))
    tuesday = make_session(ward_officer, day=TODAY + timedelta(days=8))
    invited: dict[str, int] = {}
    errors, blocked = interleave(
        monkeypatch,
        "invite",
        lambda: invited.update(monday=do_invite(monday, actor=ward_officer)),
        lambda: invited.update(tuesday=do_invite(tuesday, actor=ward_officer)),
    )
    assert not errors, errors
    assert invited == {"monday": 3, "tuesday": 0}
    for registration in registrations:
        held = Invitation.objects.filter(registration=registration)
        assert list(held.values_list("session_id", "status")) == [
            (monday.pk, InvitationStatus.INVITED)
        ]
    assert blocked, "the second invite never waited for the first"


@pytest.mark.django_db(transaction=True)
def test_registering_in_the_ward_does_not_wait_for_an_invite(ward_officer, monkeypatch):
    """The ward row is locked against other invites only: rows that merely refer to the ward (a
    registration, its audit event) are written beside it (SQLite has one writer anyway)."""
    _people(ward_officer, 2)
    session = make_session(ward_officer, day=TODAY + timedelta(days=7))
    invited: dict[str, int] = {}
    errors, blocked = interleave(
        monkeypatch,
        "invite",
        lambda: invited.update(count=do_invite(session, actor=ward_officer)),
        lambda: _people(ward_officer, 3),
    )
    assert not errors, errors
    if connection.vendor == "postgresql":
        assert not blocked
    assert invited == {"count": 2}
    assert Invitation.objects.count() == 2 and Registration.objects.count() == 3


@pytest.mark.django_db
def test_an_answer_does_not_undo_attendance(ward_officer, vaccinator):
    registration, _ = do_register(PERSON, channel="officer", actor=ward_officer)
    session = make_session(ward_officer, day=TODAY)
    assert do_invite(session, actor=ward_officer) == 1
    invitation = session.invitations.get()  # as the officer's page loaded it: invited
    at_session(registration.person, session, vaccinator, 1)
    for answer in (InvitationStatus.DECLINED, InvitationStatus.INVITED):
        answered = do_answer_invitation(invitation, answer, actor=ward_officer)
        assert answered.status == InvitationStatus.ATTENDED
        assert session.invitations.get().status == InvitationStatus.ATTENDED
    assert not AuditEvent.objects.filter(action="answer_invitation").exists()
    # An open invitation is still answered.
    [other] = _people(ward_officer, 1)
    later = make_session(ward_officer, day=TODAY + timedelta(days=7))
    assert do_invite(later, actor=ward_officer) == 1
    open_one = later.invitations.get(registration=other)
    do_answer_invitation(open_one, InvitationStatus.DECLINED, actor=ward_officer)
    assert later.invitations.get().status == InvitationStatus.DECLINED
    assert AuditEvent.objects.filter(action="answer_invitation").count() == 1


@pytest.mark.django_db
def test_a_declined_place_is_taken_back_only_while_free_and_invited_nowhere_else(ward_officer):
    _people(ward_officer, 2)
    session = make_session(ward_officer, day=TODAY + timedelta(days=7), slots=1)
    assert do_invite(session, actor=ward_officer) == 1
    declined = session.invitations.get()
    do_answer_invitation(declined, InvitationStatus.DECLINED, actor=ward_officer)
    assert do_invite(session, actor=ward_officer) == 1  # the freed place went to the other one
    # "Coming after all" now would overbook the session: refused, nothing changes.
    with pytest.raises(DomainError) as caught:
        do_answer_invitation(declined, InvitationStatus.INVITED, actor=ward_officer)
    assert caught.value.code == "session_full"
    assert session.invitations.exclude(status=InvitationStatus.DECLINED).count() == 1
    declined.refresh_from_db()
    assert declined.status == InvitationStatus.DECLINED
    # With a place free again but an invitation to another session held meanwhile: refused too.
    session.slots = 2
    session.save(update_fields=["slots"])
    other = make_session(ward_officer, day=TODAY + timedelta(days=8))
    assert do_invite(other, actor=ward_officer) == 1  # the one who declined is invited there
    with pytest.raises(DomainError) as caught:
        do_answer_invitation(declined, InvitationStatus.INVITED, actor=ward_officer)
    assert caught.value.code == "invited_elsewhere"
    # Once that one is declined, the first session's place is taken back.
    do_answer_invitation(other.invitations.get(), InvitationStatus.DECLINED, actor=ward_officer)
    answered = do_answer_invitation(declined, InvitationStatus.INVITED, actor=ward_officer)
    assert answered.status == InvitationStatus.INVITED
    assert session.invitations.exclude(status=InvitationStatus.DECLINED).count() == 2
