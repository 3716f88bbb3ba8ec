"""The demo's checkpoints: well-known places of Thanh Hóa first, then typical local ones.

About one checkpoint per hundred people (at least 30). The named places come first so that even a
small demo has the UBND, a market, schools of every level, a hospital, a factory, a bus station
and a road checkpoint; larger demos add shops, eateries, offices and schools in every ward.
Most are active; a few self-registrations wait for approval and one karaoke bar is suspended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from phongdich.checkpoints.models import VenueKind, VenueStatus
from phongdich.lib.phones import normalise_phone
from phongdich.portal.demo import geography as geo
from phongdich.portal.demo.names import full_name, given_name
from phongdich.portal.demo.seeded import Weighted

K = VenueKind

# Minutes after which a visit nobody closed is closed automatically (Venue.default_stay_minutes):
# long enough for the staff of offices, factories, schools and hospitals to work a full shift.
DEFAULT_STAY = {
    K.OFFICE: 480, K.SCHOOL: 600, K.MARKET: 60, K.SHOP: 30, K.RESTAURANT: 90, K.FACTORY: 600,
    K.HOSPITAL: 480, K.RELIGIOUS: 90, K.TRANSPORT: 120, K.ROAD_CHECKPOINT: 10,
    K.RESIDENTIAL: 720, K.EVENT: 240, K.OTHER: 120,
}  # fmt: skip

# School levels by the pupils' ages; the demo sends each child to a school of their level.
KINDERGARTEN, PRIMARY, LOWER_SECONDARY, UPPER_SECONDARY, UNIVERSITY = range(5)
_LEVEL_WORDS = (
    ("Mầm non", KINDERGARTEN), ("Tiểu học", PRIMARY), ("THCS", LOWER_SECONDARY),
    ("THPT", UPPER_SECONDARY), ("Đại học", UNIVERSITY),
)  # fmt: skip


@dataclass
class VenueSpec:
    name: str
    kind: str
    ward: int
    address: str
    operator: str
    lat: float | None = None
    lon: float | None = None
    status: str = VenueStatus.ACTIVE
    named: bool = False  # one of the well-known places of CURATED

    @property
    def level(self) -> int | None:
        if self.kind != K.SCHOOL:
            return None
        return next((level for word, level in _LEVEL_WORDS if word in self.name), None)


HT, QP = geo.HAC_THANH, geo.QUANG_PHU
HAM_RONG, DONG_SON, SAM_SON, BIM_SON, QUANG_TRUNG = 14758, 16378, 16531, 14812, 14818
LAM_SON, SAO_VANG, NGHI_SON = 15544, 15553, 16654

# Named places, most important first (a small demo keeps only the head of this list).
CURATED = (
    VenueSpec("UBND Phường Hạc Thành", K.OFFICE, HT, "25 Trần Phú", "UBND phường Hạc Thành"),
    VenueSpec("Chợ Vườn Hoa", K.MARKET, HT, "Tô Vĩnh Diện", "Ban quản lý chợ Vườn Hoa"),
    VenueSpec("Trường THCS Trần Mai Ninh", K.SCHOOL, HT, "108 Trường Thi",
              "Sở Giáo dục và Đào tạo"),
    VenueSpec("Bệnh viện Đa khoa tỉnh Thanh Hóa", K.HOSPITAL, HT, "181 Hải Thượng Lãn Ông",
              "Sở Y tế Thanh Hóa"),
    VenueSpec("Siêu thị Co.opmart Thanh Hóa", K.SHOP, HT, "27 Tống Duy Tân", "Saigon Co.op"),
    VenueSpec("Bến xe phía Bắc", K.TRANSPORT, HAM_RONG, "Quốc lộ 1A", "Công ty CP Xe khách"),
    VenueSpec("Công ty May Thanh Hóa", K.FACTORY, HT, "1 Lê Lai", "Công ty CP May Thanh Hóa"),
    VenueSpec("Trường Tiểu học Điện Biên", K.SCHOOL, HT, "12 Hàng Đồng", "UBND phường Hạc Thành"),
    VenueSpec("Trường THPT chuyên Lam Sơn", K.SCHOOL, HT, "307 Lê Lai", "Sở Giáo dục và Đào tạo"),
    VenueSpec("Trường Mầm non Hoa Hồng", K.SCHOOL, HT, "Số 9 ngõ 12 Phan Chu Trinh",
              "UBND phường Hạc Thành"),
    VenueSpec("Nhà hàng Sông Mã", K.RESTAURANT, HT, "48 Lê Hoàn", "Hộ kinh doanh Lê Văn Toàn"),
    VenueSpec("Chốt kiểm dịch Quốc lộ 1A — Bỉm Sơn", K.ROAD_CHECKPOINT, BIM_SON,
              "Km 290 Quốc lộ 1A", "Ban Chỉ đạo phòng, chống dịch tỉnh"),
    VenueSpec("Trường Đại học Hồng Đức", K.SCHOOL, HT, "565 Quang Trung", "UBND tỉnh Thanh Hóa"),
    VenueSpec("Vincom Plaza Thanh Hóa", K.SHOP, HT, "27 Trần Phú", "Vincom Retail"),
    VenueSpec("Ga Thanh Hóa", K.TRANSPORT, HT, "Dương Đình Nghệ", "Đường sắt Việt Nam"),
    VenueSpec("Chùa Hàm Rồng", K.RELIGIOUS, HAM_RONG, "Núi Hàm Rồng", "Giáo hội Phật giáo"),
    VenueSpec("Công ty CP Bia Thanh Hóa", K.FACTORY, HT, "152 Quang Trung",
              "Công ty CP Bia Thanh Hóa"),
    VenueSpec("Chợ Tây Thành", K.MARKET, HT, "Bà Triệu", "Ban quản lý chợ Tây Thành"),
    VenueSpec("UBND Phường Quảng Phú", K.OFFICE, QP, "Quốc lộ 47", "UBND phường Quảng Phú"),
    VenueSpec("Chợ Quảng Phú", K.MARKET, QP, "Quốc lộ 47", "UBND phường Quảng Phú"),
    VenueSpec("Bệnh viện Nhi Thanh Hóa", K.HOSPITAL, QP, "Đại lộ Nam Sông Mã", "Sở Y tế Thanh Hóa"),
    VenueSpec("Quảng trường Lam Sơn", K.EVENT, HT, "Đại lộ Lê Lợi", "UBND phường Hạc Thành"),
    VenueSpec("Chung cư Phú Sơn", K.RESIDENTIAL, HT, "Tô Vĩnh Diện", "Ban quản trị chung cư"),
    VenueSpec("Sở Y tế Thanh Hóa", K.OFFICE, HT, "101 Nguyễn Trãi", "UBND tỉnh Thanh Hóa"),
    VenueSpec("Trường THPT Hàm Rồng", K.SCHOOL, HAM_RONG, "Nguyễn Trãi", "Sở Giáo dục và Đào tạo"),
    VenueSpec("Highlands Coffee Vincom Thanh Hóa", K.RESTAURANT, HT, "27 Trần Phú",
              "Công ty CP Dịch vụ Cà phê Cao Nguyên"),
    VenueSpec("Chợ Sầm Sơn", K.MARKET, SAM_SON, "Nguyễn Du", "UBND phường Sầm Sơn"),
    VenueSpec("Đền Độc Cước", K.RELIGIOUS, SAM_SON, "Núi Trường Lệ", "UBND phường Sầm Sơn"),
    VenueSpec("Siêu thị GO! Thanh Hóa", K.SHOP, HT, "Đại lộ Lê Lợi", "Central Retail"),
    VenueSpec("Bến xe phía Nam", K.TRANSPORT, QP, "Quốc lộ 1A", "Công ty CP Xe khách"),
    VenueSpec("Bệnh viện Phụ sản Thanh Hóa", K.HOSPITAL, HT, "Hải Thượng Lãn Ông",
              "Sở Y tế Thanh Hóa"),
    VenueSpec("Nhà máy Xi măng Bỉm Sơn", K.FACTORY, QUANG_TRUNG, "Trần Phú",
              "Công ty CP Xi măng Bỉm Sơn"),
    VenueSpec("Trung tâm Kiểm soát bệnh tật tỉnh Thanh Hóa", K.OFFICE, HT, "474 Hải Thượng Lãn Ông",
              "Sở Y tế Thanh Hóa"),
    VenueSpec("Bệnh viện Đa khoa Hợp Lực", K.HOSPITAL, HT, "595 Nguyễn Chí Thanh",
              "Công ty CP Hợp Lực"),
    VenueSpec("Công ty CP Mía đường Lam Sơn", K.FACTORY, LAM_SON, "Thôn 1",
              "Công ty CP Mía đường Lam Sơn", 19.9360, 105.4130),
    VenueSpec("Cảng hàng không Thọ Xuân", K.TRANSPORT, SAO_VANG, "Thôn 5",
              "Tổng công ty Cảng hàng không Việt Nam", 19.9010, 105.4680),
    VenueSpec("Chốt kiểm dịch Nghi Sơn (giáp Nghệ An)", K.ROAD_CHECKPOINT, NGHI_SON,
              "Km 375 Quốc lộ 1A", "Ban Chỉ đạo phòng, chống dịch tỉnh", 19.3300, 105.7800),
    VenueSpec("Trường THPT Đào Duy Từ", K.SCHOOL, HT, "Lê Hoàn", "Sở Giáo dục và Đào tạo"),
)  # fmt: skip

SUSPENDED = VenueSpec("Karaoke Hoàng Gia", K.OTHER, HT, "215 Bà Triệu",
                      "Hộ kinh doanh Trịnh Văn Quý", status=VenueStatus.SUSPENDED)  # fmt: skip

_GENERATED_KINDS = Weighted([
    (K.SHOP, 25), (K.RESTAURANT, 18), (K.OFFICE, 10), (K.SCHOOL, 12), (K.MARKET, 5),
    (K.FACTORY, 8), (K.HOSPITAL, 4), (K.RELIGIOUS, 4), (K.RESIDENTIAL, 3), (K.TRANSPORT, 2),
    (K.ROAD_CHECKPOINT, 1), (K.EVENT, 3), (K.OTHER, 5),
])  # fmt: skip

_WORDS = (
    "Hoa Sen", "Bình Minh", "Hồng Phát", "Thành Công", "An Phát", "Sao Mai", "Hương Giang",
    "Sông Mã", "Lam Kinh", "Phố Cũ", "Thiên Phú", "Tân Phát", "Hạc Thành", "Đông Hương",
    "Phú Sơn", "Thành Đạt", "Minh Khai", "Hoàng Long", "Ngọc Lan", "Bạch Đằng", "Hải Tiến",
    "Xuân Mai", "Hòa Bình", "Kim Ngân", "Lam Sơn", "Mặt Trời",
)  # fmt: skip
_PEOPLE_NAMES_FOR_SCHOOLS = (
    "Lê Lợi", "Nguyễn Trãi", "Bà Triệu", "Lê Văn Hưu", "Tô Hiến Thành", "Lương Đắc Bằng",
    "Đặng Thai Mai", "Lý Thường Kiệt", "Nguyễn Du", "Trần Phú", "Quang Trung", "Lê Hồng Phong",
)  # fmt: skip
_BANKS = ("Vietcombank", "Agribank", "BIDV", "VietinBank", "MB", "Techcombank", "Sacombank")
_PHARMACIES = ("Nhà thuốc Long Châu", "Nhà thuốc An Khang", "Nhà thuốc Pharmacity")


def _shop(rng: random.Random, place: str, street: str, given: str) -> str:
    return rng.choice((
        f"Tạp hóa {given}", f"{rng.choice(_PHARMACIES)} {street}", f"WinMart+ {street}",
        f"Thế Giới Di Động {street}", f"Điện máy Xanh {place}", f"Hiệu vàng {given}",
        f"Nhà sách {rng.choice(_WORDS)}", f"Cửa hàng xăng dầu {place}",
        f"Cửa hàng vật liệu xây dựng {given}", f"Bách hóa Xanh {street}",
    ))  # fmt: skip


def _restaurant(rng: random.Random, place: str, street: str, given: str) -> str:
    return rng.choice((
        f"Quán phở {given}", f"Bún chả {given}", f"Cơm bình dân {given}", f"Nem chua {given}",
        f"Bánh cuốn {given}", f"Cà phê {rng.choice(_WORDS)}", f"Nhà hàng hải sản {given}",
        f"Quán nem lụi {given}", f"Trà sữa {rng.choice(_WORDS)}", f"Lẩu dê {given}",
        f"Gà nướng {place}", f"Bia hơi {street}",
    ))  # fmt: skip


def _generated_name(rng: random.Random, kind: str, ward_name: str, street: str) -> str:
    place = geo.short_name(ward_name)
    given = given_name(rng, 1975, rng.random() < 0.5)
    word = rng.choice(_WORDS)
    by_kind = {
        K.SHOP: lambda: _shop(rng, place, street, given),
        K.RESTAURANT: lambda: _restaurant(rng, place, street, given),
        K.OFFICE: lambda: rng.choice(
            (
                f"UBND {ward_name}",
                f"Công an {ward_name}",
                f"Bưu điện {place}",
                f"Ngân hàng {rng.choice(_BANKS)} chi nhánh {place}",
                f"Điện lực {place}",
                f"Chi cục Thuế khu vực {place}",
                f"Bảo hiểm xã hội {place}",
            )
        ),
        K.SCHOOL: lambda: rng.choice(
            (
                f"Trường Mầm non {place}",
                f"Trường Tiểu học {place}",
                f"Trường THCS {place}",
                f"Trường THPT {rng.choice(_PEOPLE_NAMES_FOR_SCHOOLS)}",
                f"Trường Mầm non {word}",
                f"Trường Tiểu học {rng.choice(_PEOPLE_NAMES_FOR_SCHOOLS)}",
            )
        ),
        K.MARKET: lambda: rng.choice((f"Chợ {place}", f"Chợ {word}")),
        K.FACTORY: lambda: rng.choice(
            (
                f"Công ty TNHH May {word}",
                f"Công ty CP Giày {word}",
                f"Xưởng gỗ {given}",
                f"Công ty CP Thực phẩm {word}",
                f"Xưởng chế biến hải sản {word}",
                f"Công ty TNHH Điện tử {word}",
            )
        ),
        K.HOSPITAL: lambda: rng.choice(
            (
                f"Trạm Y tế {ward_name}",
                f"Phòng khám Đa khoa {word}",
                f"Trung tâm Y tế {place}",
            )
        ),
        K.RELIGIOUS: lambda: rng.choice(
            (
                f"Chùa {word}",
                f"Đình làng {place}",
                f"Nhà thờ Giáo xứ {place}",
                f"Đền {place}",
            )
        ),
        K.RESIDENTIAL: lambda: rng.choice(
            (
                f"Chung cư {word}",
                f"Khu đô thị {word}",
                f"Khu dân cư {place}",
            )
        ),
        K.TRANSPORT: lambda: rng.choice((f"Bến xe {place}", f"Bến đò {place}")),
        K.ROAD_CHECKPOINT: lambda: f"Chốt kiểm dịch {place}",
        K.EVENT: lambda: rng.choice((f"Nhà văn hóa {ward_name}", f"Sân vận động {place}")),
        K.OTHER: lambda: rng.choice(
            (
                f"Sân bóng {word}",
                f"Phòng gym {word}",
                f"Tiệm cắt tóc {given}",
                f"Bể bơi {word}",
                f"Tiệm giặt là {given}",
            )
        ),
    }
    return by_kind[kind]()


def _operator(rng: random.Random, kind: str, name: str, ward_name: str) -> str:
    if kind in {K.SHOP, K.RESTAURANT, K.OTHER}:
        return "Hộ kinh doanh " + full_name(rng, 1975, rng.random() < 0.5)
    if kind in {K.FACTORY, K.RESIDENTIAL}:
        return name
    return f"UBND {ward_name}"


def venue_phone(rng: random.Random, spec: VenueSpec) -> str:
    """A Thanh Hóa landline (area code 0237), or a mobile for a small business."""
    if spec.kind in {K.SHOP, K.RESTAURANT, K.OTHER} and not spec.named:
        return normalise_phone(f"09{rng.choice('1468')}{rng.randrange(10**7):07d}")
    return normalise_phone(f"0237 3{rng.randrange(10**6):06d}")


def _pick_ward(rng: random.Random, areas: Weighted[int], rural: list[int]) -> int:
    code = areas.pick(rng)
    return rng.choice(rural) if code == 0 else code


def build_venues(rng: random.Random, count: int, ward_names: dict[int, str]) -> list[VenueSpec]:
    """``count`` checkpoints: the named ones first, generated ones after, a few pending and one
    suspended."""
    pending = max(2, count // 40)
    active = count - pending - 1
    specs = [
        VenueSpec(**{**vars(spec), "named": True})
        for spec in CURATED[:active]
        if spec.ward in ward_names
    ]
    areas = Weighted([(a.code, a.weight) for a in geo.URBAN_AREAS] + [(0, geo.RURAL_WEIGHT)])
    urban = {a.code for a in geo.URBAN_AREAS}
    rural = sorted(code for code in ward_names if code not in urban)
    names = {spec.name for spec in specs}
    while len(specs) < count - 1:
        status = VenueStatus.ACTIVE if len(specs) < active else VenueStatus.PENDING
        kind = (
            _GENERATED_KINDS.pick(rng)
            if status == VenueStatus.ACTIVE
            else rng.choice((K.SHOP, K.RESTAURANT, K.OTHER))
        )
        ward = _pick_ward(rng, areas, rural)
        cluster = cluster_of(ward)
        if cluster == geo.RURAL:
            street = geo.short_name(ward_names[ward])
            address = f"Thôn {rng.randint(1, 12)}"
        else:
            street = rng.choice(geo.streets_of(cluster))
            address = f"{rng.randint(1, 420)} {street}"
        name = _generated_name(rng, kind, ward_names[ward], street)
        if name in names:
            continue
        names.add(name)
        specs.append(
            VenueSpec(
                name,
                kind,
                ward,
                address,
                _operator(rng, kind, name, ward_names[ward]),
                status=status,
            )
        )
    specs.append(VenueSpec(**vars(SUSPENDED)))
    for spec in specs:
        _place_on_map(rng, spec)
    return specs


_CENTRES = {a.code: (a.lat, a.lon) for a in geo.URBAN_AREAS}


def cluster_of(ward: int) -> str:
    return next((a.cluster for a in geo.URBAN_AREAS if a.code == ward), geo.RURAL)


def _place_on_map(rng: random.Random, spec: VenueSpec) -> None:
    """Jitter around the ward centre; communes without a known centre get no coordinates."""
    if spec.lat is not None or spec.ward not in _CENTRES:
        return
    lat, lon = _CENTRES[spec.ward]
    spec.lat = round(lat + rng.uniform(-0.009, 0.009), 6)
    spec.lon = round(lon + rng.uniform(-0.009, 0.009), 6)
