"""Every role walks its own pages on the demo data, on a 360 px phone and on a desktop, as a
new user would on day one: the page is never wider than the screen, no English sentence shows
through the Vietnamese pages, and no link the role is shown answers 4xx/5xx."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.core.management import call_command

import phongdich
from phongdich.accounts.models import User
from tests.conftest import PASSWORD
from tests.e2e.conftest import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = [
    "demo_admin",
    "demo_tinh",
    "demo_phuong",
    "demo_diemkd",
    "demo_xetnghiem",
    "demo_tiemchung",
    "demo_tongdai",
    "demo_bacsi",
]
PAGES_PER_ROLE = {"360px": 32, "desktop": 8}  # the phone is where pages break
# Pages walked first, before those found by following links: the lists that page, filter,
# sort and export (a filtered, sorted view of each, so the filters' own rendering is walked).
FIRST = {
    "demo_phuong": [
        "/staff/vaccination/?show=all&sort=site",
        "/staff/vaccination/registrations/?sort=name",
        "/staff/vaccination/adverse-events/?severity=mild",
        "/staff/checkpoints/?sort=name",
    ],
    "demo_tiemchung": [
        "/staff/vaccination/?show=past",
        "/staff/vaccination/registrations/?sort=ward",
        "/staff/vaccination/adverse-events/",
    ],
    "demo_diemkd": ["/staff/checkpoints/?sort=name"],
}
SKIP = ("/staff/logout", "/admin/", "/i18n/", "/api/")
DOWNLOAD = re.compile(r"\.(csv|xlsx|pdf|png|svg)$")
# English that is meant to be there: the language switch and words both languages use.
DELIBERATE = {"English"}
# Codes and English words that no Vietnamese sentence holds: shown, they are a value printed
# raw (a gender, a status, an audit action) instead of its Vietnamese label.
RAW = re.compile(
    r"\b(the|and|with|from|male|female|self|paper|pending|active|suspended|identified|"
    r"notified|quarantined|tested|released|negative|positive|fever|cough|view|export|"
    r"create|update|walk_in|rt_pcr)\b"
)


def english_sentences() -> list[str]:
    """Every English sentence of the catalogue whose Vietnamese differs: shown as is, it was
    left untranslated (or never marked)."""
    po = polib.pofile(
        str(Path(phongdich.__file__).parent / "locale" / "vi" / "LC_MESSAGES" / "django.po")
    )
    found = []
    for entry in po.translated_entries():
        text = entry.msgid
        if entry.msgid_plural or "%" in text or "{" in text or text in DELIBERATE:
            continue
        if len(text.split()) >= 3 and entry.msgstr.strip() != text.strip():
            found.append(text)
    return found


def pattern(path: str) -> str:
    """One page of each kind: /staff/tracing/12/ and /staff/tracing/13/ are the same page."""
    return re.sub(r"/[0-9A-Z]{6,}(?=/|$)|/\d+(?=/|$)", "/{id}", path)


def links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "header a[href], main a[href]", "els => els.map(e => e.getAttribute('href'))"
    )
    out = []
    for href in hrefs:
        parts = urlsplit(href)
        if (
            parts.scheme
            or parts.netloc
            or not parts.path.startswith("/")
            or href.startswith("tel:")
        ):
            continue
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


def check(page, english: list[str]) -> list[str]:
    problems = []
    # Against the configured width: a mobile browser zooms out to fit a wide page, which
    # makes window.innerWidth grow with the overflow.
    width = page.viewport_size["width"]
    wide = page.evaluate("document.documentElement.scrollWidth") - width
    if wide > 0:
        offenders = page.evaluate(
            """(width) => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .slice(0, 3).map(e => e.tagName + (e.id ? '#' + e.id : '') +
                (e.className && typeof e.className === 'string' ? '.' + e.className : ''))""",
            width,
        )
        problems.append(f"{wide}px wider than the screen ({', '.join(offenders)})")
    text = page.inner_text("body")
    shown = [s for s in english if s in text]
    if shown:
        problems.append(f"English: {shown[:3]}")
    raw = sorted(set(RAW.findall(text)))
    if raw:
        problems.append(f"raw values: {raw}")
    return problems


def walk(
    context, username: str, english: list[str], limit: int, public: set[str]
) -> dict[str, list[str]]:
    """Breadth first from the dashboard; public pages once for all roles (``public``)."""
    page = context.new_page()
    log_in(page, username)
    queue, seen, kinds = ["/staff/", *FIRST.get(username, [])], set(), set()
    problems: dict[str, list[str]] = defaultdict(list)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        kind = pattern(path.split("?")[0])
        if path in seen or kind in kinds or path.startswith(SKIP) or path in public:
            continue
        if not path.startswith("/staff/"):
            public.add(path)
        seen.add(path)
        kinds.add(kind)
        if DOWNLOAD.search(path.split("?")[0]):
            answer = page.request.get(path)
            if answer.status >= 400:
                problems[path].append(f"answers {answer.status}")
            continue
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems[path].append(f"answers {response.status if response else 'nothing'}")
            continue
        problems[path].extend(check(page, english))
        found = links(page)  # the role's own pages before the public ones
        queue.extend(p for p in found if p.startswith("/staff/"))
        queue.extend(p for p in found if not p.startswith("/staff/"))
    page.close()
    return {k: v for k, v in problems.items() if v}


@pytest.fixture
def demo_data(db):
    call_command("demo", "--people", "300", "--days", "2", "--no-serve", verbosity=0)
    for user in User.objects.filter(username__in=ROLES):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def test_every_role_walks_its_pages_on_a_phone_and_a_desktop(new_context, demo_data):
    english = english_sentences()
    assert len(english) > 100  # the check has something to look for
    found = {}
    for label, size in (("360px", PHONE), ("desktop", DESKTOP)):
        public: set[str] = set()
        for username in ROLES:
            problems = walk(new_context(**size), username, english, PAGES_PER_ROLE[label], public)
            if problems:
                found[f"{username} {label}"] = problems
    assert found == {}
