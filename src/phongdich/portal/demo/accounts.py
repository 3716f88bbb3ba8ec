"""One demo account per role, with passwords derived from the seed and printed.

A second run resets the passwords to the printed ones (and lifts a login lockout), so the table
on screen always works. The passwords are predictable from the seed, which is why the demo
refuses a database that already holds real people (see ``management/commands/demo.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from phongdich.accounts.actions import do_create_staff, do_set_password
from phongdich.accounts.models import Role, User
from phongdich.checkpoints.models import Venue
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.names import full_name
from phongdich.portal.demo.seeded import stream

ADMIN_USERNAME = "demo_admin"

# (username, role, area code) — the venue of venue_staff is the demo's staff checkpoint.
ACCOUNTS = (
    (ADMIN_USERNAME, Role.ADMIN, None),
    ("demo_tinh", Role.PROVINCE_OFFICER, geo.PROVINCE),
    ("demo_phuong", Role.WARD_OFFICER, geo.HAC_THANH),  # also the ward portal's leader
    ("demo_bientap", Role.WARD_OFFICER, geo.HAC_THANH),  # the ward portal's editor
    ("demo_quangphu", Role.WARD_OFFICER, geo.QUANG_PHU),
    ("demo_diemkd", Role.VENUE_STAFF, None),
    ("demo_xetnghiem", Role.LAB_TECHNICIAN, geo.PROVINCE),
    ("demo_tiemchung", Role.VACCINATOR, geo.HAC_THANH),
    ("demo_tongdai", Role.CALL_OPERATOR, geo.PROVINCE),
    ("demo_bacsi", Role.CLINICIAN, geo.PROVINCE),
    ("demo_chutich", Role.CHAIRPERSON, geo.PROVINCE),
)

# Easy to read out and type on a phone: three words without diacritics and four digits.
_WORDS = (
    "bien", "song", "nui", "lua", "sen", "tre", "may", "trang", "sao", "gio", "mua", "hoa",
    "que", "nha", "cau", "thuyen", "cho", "den", "duong", "rung", "suoi", "dong", "lang", "pho",
    "chim", "ca", "meo", "trau", "ngua", "voi", "tom", "cua", "cam", "buoi", "xoai", "mit",
    "chuoi", "dua", "nhan", "vai", "mai", "dao", "cuc", "lan", "truc", "thong", "bang", "khe",
    "nang", "suong", "tuyet", "mat", "dat", "vang", "bac", "ngoc", "lam", "hong", "xanh", "tim",
    "nau", "bong", "trai", "hat",
)  # fmt: skip


@dataclass
class DemoAccount:
    username: str
    role: str
    area: str
    password: str
    created: bool


def demo_passwords(seed: int) -> dict[str, str]:
    rng = stream(seed, "passwords")
    return {
        username: "-".join([*rng.sample(_WORDS, 3), f"{rng.randrange(10**4):04d}"])
        for username, _, _ in ACCOUNTS
    }


def staff_venue() -> Venue | None:
    """The demo's staff checkpoint: the UBND of Phường Hạc Thành, else its first active one."""
    venues = Venue.objects.filter(ward_id=geo.HAC_THANH, status="active").order_by("pk")
    return venues.filter(name="UBND Phường Hạc Thành").first() or venues.first()


def ensure_demo_accounts(seed: int, venue: Venue | None) -> list[DemoAccount]:
    """Create the accounts that are missing and reset every demo password to the seed's."""
    passwords = demo_passwords(seed)
    names = stream(seed, "account-names")
    rows = []
    for username, role, area in ACCOUNTS:
        name = full_name(names, 1980, names.random() < 0.5)
        if role == Role.VENUE_STAFF and venue is None:
            continue
        user = User.objects.select_related("ward", "province").filter(username=username).first()
        created = user is None
        if user is None:
            user, _ = do_create_staff(
                username,
                role,
                area=area,
                password=passwords[username],
                full_name=name,
                venue=venue if role == Role.VENUE_STAFF else None,
            )
        else:
            do_set_password(user, passwords[username], reason="demo")
            if role == Role.VENUE_STAFF and venue is not None:
                venue.staff.add(user)
        rows.append(
            DemoAccount(username, user.role, _area_label(user, venue), passwords[username], created)
        )
    return rows


def _area_label(user: User, venue: Venue | None) -> str:
    if user.role == Role.VENUE_STAFF and venue is not None:
        return f"{venue.name} ({venue.code})"
    if user.ward is not None:
        return user.ward.name
    if user.province is not None:
        return user.province.name
    return "Toàn quốc"
