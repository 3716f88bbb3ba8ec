"""insert_one writes what save() would, and never skips a signal."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils import timezone

from phongdich.checkpoints.models import Visit
from phongdich.core.rows import insert_one
from phongdich.people.models import Person

pytestmark = pytest.mark.django_db


def person(**over):
    data = {"full_name": "Lê Văn Nam", "name_folded": "le van nam", "birth_year": 1990,
            "phone": "+84912000111", "token": uuid.uuid4().hex, "ward_id": 14797}  # fmt: skip
    return Person(**{**data, **over})


def test_the_row_reads_back_as_saved(venue):
    at = timezone.now().replace(microsecond=123456)
    who = insert_one(person())
    assert who.pk is not None and not who._state.adding
    visit = insert_one(
        Visit(
            client_id=uuid.uuid4(), venue=venue, person=who, checked_in_at=at, received_at=at,
            expected_out_at=at + timedelta(hours=1), form_version="v1",
            symptoms=["fever", "cough"], exposures=[], conditions=["diabetes"],
            travel=["Hà Nội"], flagged=True,
        )
    )  # fmt: skip
    stored = Visit.objects.get(pk=visit.pk)
    assert (stored.client_id, stored.person_id, stored.venue_id) == (
        visit.client_id,
        who.pk,
        venue.pk,
    )
    assert stored.checked_in_at == at and stored.expected_out_at == at + timedelta(hours=1)
    assert stored.symptoms == ["fever", "cough"] and stored.travel == ["Hà Nội"]
    assert stored.flagged is True and stored.source == "self"  # the model's default
    again = Person.objects.get(pk=who.pk)
    assert again.created_at is not None and again.created_at == who.created_at  # auto_now_add


def test_a_unique_conflict_raises_integrity_error(venue):
    token = uuid.uuid4().hex
    insert_one(person(token=token))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(person(token=token, phone="+84912000222"))
    assert Person.objects.filter(token=token).count() == 1


def test_a_model_with_receivers_goes_through_save():
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.full_name, created))

    post_save.connect(receiver, sender=Person)
    try:
        insert_one(person())
    finally:
        post_save.disconnect(receiver, sender=Person)
    assert seen == [("Lê Văn Nam", True)]


def visit_of(venue, **over):
    at = timezone.now()
    data = {"client_id": uuid.uuid4(), "venue": venue, "checked_in_at": at, "received_at": at,
            "expected_out_at": at + timedelta(hours=1), "form_version": "v1"}  # fmt: skip
    return Visit(**{**data, **over})


def test_a_parent_and_its_child_are_inserted_together(venue):
    who, visit = person(), visit_of(venue)
    from phongdich.core.rows import insert_with_parent

    with transaction.atomic():
        insert_with_parent(who, visit, "person")
    assert who.pk and visit.pk and visit.person_id == who.pk
    stored = Visit.objects.select_related("person").get(pk=visit.pk)
    assert stored.person.full_name == "Lê Văn Nam" and stored.client_id == visit.client_id


def test_when_the_child_conflicts_the_parent_is_not_kept(venue):
    from phongdich.core.rows import insert_with_parent

    taken = insert_one(visit_of(venue, person=insert_one(person())))
    token = uuid.uuid4().hex
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_with_parent(person(token=token, phone="+84912000333"), visit_of(venue, client_id=taken.client_id), "person")  # fmt: skip
    assert not Person.objects.filter(token=token).exists()


def test_select_one_loads_a_row_as_the_orm_does_or_none():
    from phongdich.core.rows import select_one

    who = insert_one(person())
    found = select_one(Person, "token = %s", [who.token])
    assert found == Person.objects.get(pk=who.pk) and not found._state.adding
    assert found.created_at == who.created_at and found.birth_year == 1990
    assert select_one(Person, "token = %s", ["nobody"]) is None
