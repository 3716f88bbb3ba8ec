"""The remembered-device cookie: an opaque person token, signed, given only to whoever created
the record or proved it is theirs (people.identity)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from phongdich.people.models import Person

PERSON_COOKIE = "pd_person"
PERSON_COOKIE_AGE = 60 * 60 * 24 * 365


def person_from_cookie(request) -> Person | None:
    token = request.get_signed_cookie(PERSON_COOKIE, default=None, salt=PERSON_COOKIE)
    if not token or request.GET.get("new"):
        return None
    return Person.objects.filter(token=token).first()


def remember_person(response: HttpResponse, person: Person) -> None:
    response.set_signed_cookie(
        PERSON_COOKIE,
        person.token,
        salt=PERSON_COOKIE,
        max_age=PERSON_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.BASE_URL.startswith("https://"),
    )
