"""Vietnamese personal names, weighted roughly as they occur in Thanh Hóa.

Family-name shares follow the usual national estimates (Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % …),
nudged for Thanh Hóa, where Lê and Trịnh are more common than nationally and the northern
spellings Hoàng and Vũ prevail over Huỳnh and Võ. The middle names Văn and Thị dominate the
older generations and become rarer among the young; given names shift with the generation too.
"""

from __future__ import annotations

import random

from phongdich.portal.demo.seeded import Weighted

FAMILY_NAMES = Weighted([
    ("Nguyễn", 32), ("Lê", 13), ("Trần", 10), ("Phạm", 6.5), ("Hoàng", 4.5), ("Huỳnh", 0.3),
    ("Phan", 2), ("Vũ", 3), ("Võ", 0.8), ("Đặng", 2), ("Bùi", 2.5), ("Đỗ", 2.5), ("Hồ", 1),
    ("Ngô", 1.3), ("Dương", 1), ("Lý", 0.5), ("Trịnh", 3), ("Mai", 1.5), ("Hà", 1.4),
    ("Đào", 0.8), ("Cao", 0.8), ("Lương", 0.6), ("Tống", 0.5), ("Đinh", 1), ("Lại", 0.3),
    ("Trương", 0.8), ("Vương", 0.2), ("Chu", 0.2), ("Nghiêm", 0.2), ("Quách", 0.2), ("Lò", 0.2),
])  # fmt: skip

_MIDDLE_MALE = Weighted([
    ("Đức", 8), ("Minh", 9), ("Hữu", 5), ("Quang", 6), ("Xuân", 4), ("Đình", 5), ("Ngọc", 3),
    ("Thành", 3), ("Trọng", 3), ("Công", 4), ("Tuấn", 2), ("Hoàng", 3), ("Gia", 4), ("Bảo", 4),
    ("Anh", 2), ("Duy", 3), ("Mạnh", 2), ("Việt", 2), ("Tiến", 2), ("Huy", 2), ("Thế", 3),
    ("Bá", 2), ("Khánh", 2), ("Nhật", 2), ("Trung", 2),
])  # fmt: skip
_MIDDLE_FEMALE = Weighted([
    ("Thu", 6), ("Ngọc", 8), ("Thanh", 6), ("Minh", 5), ("Hồng", 4), ("Phương", 4), ("Khánh", 4),
    ("Bảo", 4), ("Mai", 3), ("Diệu", 2), ("Kim", 3), ("Quỳnh", 3), ("Thùy", 4), ("Hải", 2),
    ("Hoài", 2), ("Thảo", 2), ("Tuệ", 1), ("Gia", 2), ("Ánh", 2), ("Bích", 2), ("Lan", 2),
    ("Hà", 2), ("Yến", 1), ("Thị Thu", 1), ("Thị Kim", 1), ("Thị Thanh", 1),
])  # fmt: skip

_GIVEN_MALE_OLDER = (
    "Hùng", "Dũng", "Thắng", "Lợi", "Hòa", "Bình", "Sơn", "Hải", "Thanh", "Tâm", "Hưng",
    "Cường", "Chiến", "Thành", "Tùng", "Lâm", "Toàn", "Thịnh", "Quý", "Vinh", "Tuấn", "Minh",
    "Long", "Nam", "Trung", "Đông", "Hiển", "Khoa", "Mạnh", "Phúc", "Tiến", "Quang", "Hậu",
    "Kiên", "Nghĩa", "Lực", "Tài", "Thái", "Trường", "Lộc", "Hiệp", "Ngọc", "Thuận", "Tú",
)  # fmt: skip
_GIVEN_MALE_YOUNGER = (
    "Minh", "Anh", "Huy", "Khánh", "Nam", "Phong", "Quân", "Đức", "Hoàng", "Bảo", "Khôi",
    "Duy", "Đạt", "Hiếu", "Long", "Tuấn", "Việt", "An", "Kiên", "Lâm", "Phúc", "Thành",
    "Trung", "Vũ", "Hải", "Dương", "Nhật", "Khang", "Lộc", "Tùng", "Thịnh", "Quang", "Sơn",
    "Hưng", "Tiến", "Nguyên", "Phát", "Khoa", "Tài", "Thắng",
)  # fmt: skip
_GIVEN_FEMALE_OLDER = (
    "Lan", "Hương", "Hoa", "Mai", "Hằng", "Nga", "Thủy", "Hạnh", "Hiền", "Loan", "Dung",
    "Oanh", "Tuyết", "Xuân", "Liên", "Cúc", "Đào", "Nhàn", "Thơm", "Huệ", "Lụa", "Hồng",
    "Vân", "Yến", "Nhung", "Phượng", "Thoa", "Sen", "Hà", "Tâm", "Bình", "Lý", "Thu", "Hải",
    "Hiên", "Luyến", "Ngân", "Chung", "Tình", "Thắm",
)  # fmt: skip
_GIVEN_FEMALE_YOUNGER = (
    "Linh", "Trang", "Ngọc", "Thảo", "Huyền", "Anh", "Chi", "Giang", "Ly", "My", "Nhi",
    "Quỳnh", "Trâm", "Vy", "Ngân", "Hà", "Hương", "Phương", "Diệp", "Hân", "An", "Thư",
    "Uyên", "Như", "Yến", "Mai", "Hạnh", "Vân", "Nhung", "Thanh", "Trinh", "Hằng", "Châu",
    "Tâm", "Nhung", "Diệu", "Thùy", "Hoa",
)  # fmt: skip


def _traditional_share(birth_year: int, male: bool) -> float:
    """How often the middle name is Văn (men) or Thị (women), by generation."""
    if birth_year < 1975:
        return 0.8 if male else 0.9
    if birth_year < 1995:
        return 0.5 if male else 0.7
    if birth_year < 2010:
        return 0.25 if male else 0.35
    return 0.08 if male else 0.12


def middle_name(rng: random.Random, birth_year: int, male: bool) -> str:
    if rng.random() < _traditional_share(birth_year, male):
        return "Văn" if male else "Thị"
    return (_MIDDLE_MALE if male else _MIDDLE_FEMALE).pick(rng)


def given_name(rng: random.Random, birth_year: int, male: bool) -> str:
    older = rng.random() < (0.85 if birth_year < 1985 else 0.15)
    if male:
        return rng.choice(_GIVEN_MALE_OLDER if older else _GIVEN_MALE_YOUNGER)
    return rng.choice(_GIVEN_FEMALE_OLDER if older else _GIVEN_FEMALE_YOUNGER)


def full_name(rng: random.Random, birth_year: int, male: bool, family: str | None = None) -> str:
    """``Họ + tên đệm + tên``, e.g. "Lê Thị Hằng"; ``family`` keeps a parent's family name."""
    family = family or FAMILY_NAMES.pick(rng)
    middle = middle_name(rng, birth_year, male)
    given = given_name(rng, birth_year, male)
    while given == middle or middle.endswith(" " + given):
        given = given_name(rng, birth_year, male)
    return f"{family} {middle} {given}"


def given_of(name: str) -> str:
    return name.rsplit(" ", 1)[-1]
