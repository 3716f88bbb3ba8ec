"""Where the demo's people live and its checkpoints stand: Thanh Hóa (province 38).

Most of the demo happens in and around Thanh Hóa city: Phường Hạc Thành (the old city centre) and
the wards that ring it carry most of the weight, then the coastal wards of Sầm Sơn and the
industrial town of Bỉm Sơn; the remaining wards and communes of the province share the rest.
Coordinates are approximate ward centres, good enough for a map of demo data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

PROVINCE = 38
HAC_THANH = 14797
QUANG_PHU = 16522

CITY = "city"
SAM_SON = "sam_son"
BIM_SON = "bim_son"
RURAL = "rural"


@dataclass(frozen=True)
class Area:
    code: int
    cluster: str
    weight: float
    lat: float
    lon: float


# Ward code → where it is and how many of the demo's people live there.
URBAN_AREAS = (
    Area(HAC_THANH, CITY, 26, 19.8075, 105.7765),
    Area(14758, CITY, 7, 19.8450, 105.7900),  # Hàm Rồng
    Area(QUANG_PHU, CITY, 8, 19.7720, 105.8420),
    Area(16417, CITY, 7, 19.7760, 105.7560),  # Đông Quang
    Area(16378, CITY, 6, 19.7950, 105.7250),  # Đông Sơn
    Area(15853, CITY, 5, 19.8300, 105.7250),  # Đông Tiến
    Area(15925, CITY, 6, 19.8600, 105.8200),  # Nguyệt Viên
    Area(16531, SAM_SON, 5, 19.7420, 105.9010),  # Sầm Sơn
    Area(16516, SAM_SON, 3, 19.7150, 105.8900),  # Nam Sầm Sơn
    Area(14812, BIM_SON, 3, 20.0790, 105.8600),  # Bỉm Sơn
    Area(14818, BIM_SON, 2, 20.0950, 105.8400),  # Quang Trung
)
RURAL_WEIGHT = 22  # shared by every other ward and commune of the province

CITY_STREETS = (
    "Lê Lợi", "Trần Phú", "Lê Hoàn", "Bà Triệu", "Quang Trung", "Phan Chu Trinh",
    "Tống Duy Tân", "Lê Lai", "Nguyễn Trãi", "Hạc Thành", "Lạc Long Quân", "Dương Đình Nghệ",
    "Đội Cung", "Lê Thánh Tông", "Hải Thượng Lãn Ông", "Trường Thi", "Nguyễn Du", "Cao Thắng",
    "Triệu Quốc Đạt", "Tô Vĩnh Diện", "Nguyễn Chí Thanh", "Lê Quý Đôn", "Hàm Nghi", "Phú Thọ",
    "Hàng Đồng", "Lý Thường Kiệt", "Trần Hưng Đạo", "Nguyễn Trường Tộ", "Bến Ngự",
    "Ngô Từ", "Đào Duy Từ", "Lê Hữu Lập", "Cửa Tả", "Tân Sơn", "Trần Khát Chân",
)  # fmt: skip
SAM_SON_STREETS = (
    "Hồ Xuân Hương", "Nguyễn Du", "Lê Lợi", "Trần Hưng Đạo", "Thanh Niên", "Lê Thánh Tông",
    "Tây Sơn", "Nguyễn Thị Lợi", "Bà Triệu", "Hai Bà Trưng",
)  # fmt: skip
BIM_SON_STREETS = (
    "Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Bà Triệu", "Trần Hưng Đạo", "Lê Hồng Phong",
    "Phan Đình Phùng", "Hoàng Hoa Thám",
)  # fmt: skip
_STREETS = {CITY: CITY_STREETS, SAM_SON: SAM_SON_STREETS, BIM_SON: BIM_SON_STREETS}
_HAMLET_NAMES = ("Đông", "Tây", "Nam", "Bắc", "Trung", "Thượng", "Hạ", "Tân Lập", "Phú Xá")


def streets_of(cluster: str) -> tuple[str, ...]:
    return _STREETS.get(cluster, CITY_STREETS)


def street_address(rng: random.Random, cluster: str) -> str:
    """A home address: "12 Lê Lợi" or "Số 5 ngõ 3 Trần Phú" in town, "Thôn 4" in a commune."""
    if cluster == RURAL:
        r = rng.random()
        if r < 0.6:
            return f"Thôn {rng.randint(1, 12)}"
        if r < 0.85:
            return f"Thôn {rng.choice(_HAMLET_NAMES)}"
        return f"Xóm {rng.randint(1, 9)}"
    street = rng.choice(streets_of(cluster))
    r = rng.random()
    if r < 0.55:
        return f"{rng.randint(1, 420)} {street}"
    if r < 0.9:
        return f"Số {rng.randint(1, 60)} ngõ {rng.randint(1, 180)} {street}"
    return f"Số {rng.randint(1, 30)} ngách {rng.randint(1, 20)}/{rng.randint(1, 120)} {street}"


def short_name(ward_name: str) -> str:
    """The name without its kind: "Phường Hạc Thành" → "Hạc Thành"."""
    for prefix in ("Phường ", "Xã ", "Đặc khu "):
        if ward_name.startswith(prefix):
            return ward_name[len(prefix) :]
    return ward_name
