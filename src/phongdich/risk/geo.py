"""Ward shapes for the map from an operator-uploaded GeoJSON, checked against RFC 7946.

No licence-clean table of ward centroids or boundaries for the 2025 wards was available to ship
(docs/reference/places.md, docs/reference/risk.md §8), so the map places a ward only where an
operator uploaded its point or polygon (e.g. an OpenStreetMap extract, ODbL, with attribution);
other wards are shown in a grid and a list.

Accepted (RFC 7946): a FeatureCollection of Features whose geometry is a Point, Polygon or
MultiPolygon in WGS 84 longitude/latitude (no ``crs`` member: §4 removed it), positions of two or
three numbers, linear rings closed and of at least four positions (§3.1.6). Each feature names its
ward in ``properties.ward_code`` (or ``ma_xa`` / ``code``). Ring orientation is not enforced
(§3.1.6: parsers SHOULD NOT reject clockwise rings).
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from django.db import transaction

from phongdich.accounts import audit
from phongdich.accounts.jurisdiction import can_see_ward
from phongdich.lib.errors import FieldError, InputErrors
from phongdich.places.models import Ward
from phongdich.risk.models import WardShape

MAX_BYTES = 20 * 1024 * 1024
CODE_KEYS = ("ward_code", "ma_xa", "code")


class GeoError(ValueError):
    def __init__(self, where: str, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.error = FieldError("file", code, f"{where}: {vi}", f"{where}: {en}")


def _position(p: Any, where: str) -> tuple[float, float]:
    if not isinstance(p, list) or len(p) not in (2, 3):
        raise GeoError(where, "geojson_position", "cần [kinh độ, vĩ độ].", "need [lon, lat].")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p):
        raise GeoError(where, "geojson_position", "tọa độ phải là số.", "coordinates are numbers.")
    lon, lat = float(p[0]), float(p[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeoError(
            where,
            "geojson_range",
            "kinh độ trong [-180, 180], vĩ độ trong [-90, 90] (thứ tự: kinh độ, vĩ độ).",
            "longitude in [-180, 180], latitude in [-90, 90] (order: lon, lat).",
        )
    return lon, lat


def _ring(ring: Any, where: str) -> list[tuple[float, float]]:
    if not isinstance(ring, list) or len(ring) < 4:
        raise GeoError(
            where, "geojson_ring", "vòng cần ít nhất 4 điểm.", "a ring needs 4 or more positions."
        )
    points = [_position(p, f"{where}[{i}]") for i, p in enumerate(ring)]
    if points[0] != points[-1]:
        raise GeoError(
            where,
            "geojson_ring_open",
            "điểm đầu và điểm cuối của vòng phải trùng nhau.",
            "a ring's first and last positions must be the same.",
        )
    return points


def _polygon(rings: Any, where: str) -> list[list[tuple[float, float]]]:
    if not isinstance(rings, list) or not rings:
        raise GeoError(where, "geojson_polygon", "đa giác rỗng.", "empty polygon.")
    return [_ring(r, f"{where}[{i}]") for i, r in enumerate(rings)]


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Signed area and centroid of a ring (shoelace; small areas, so plane geometry suffices)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in pairwise(ring):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, sum(xs) / len(xs), sum(ys) / len(ys)
    return a / 2, cx / (3 * a), cy / (3 * a)


def centroid(geometry: dict[str, Any], where: str = "geometry") -> tuple[float, float]:
    """(lat, lon) of a Point, or of the largest exterior ring of a (Multi)Polygon."""
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Point":
        lon, lat = _position(coords, f"{where}.coordinates")
        return lat, lon
    if kind == "Polygon":
        polygons = [_polygon(coords, f"{where}.coordinates")]
    elif kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeoError(where, "geojson_polygon", "đa giác rỗng.", "empty polygon.")
        polygons = [_polygon(p, f"{where}.coordinates[{i}]") for i, p in enumerate(coords)]
    else:
        raise GeoError(
            where,
            "geojson_geometry",
            "chỉ nhận Point, Polygon hoặc MultiPolygon.",
            "only Point, Polygon or MultiPolygon are accepted.",
        )
    best = max((_area_centroid(p[0]) for p in polygons), key=lambda t: abs(t[0]))
    return best[2], best[1]


def parse(data: bytes) -> list[tuple[int, dict[str, Any], float, float]]:
    """(ward code, geometry, lat, lon) of each feature; raises InputErrors naming the feature."""
    if len(data) > MAX_BYTES:
        raise InputErrors.one(
            "file",
            "file_too_large",
            "Tệp quá lớn (tối đa 20 MB).",
            "File too large (20 MB at most).",
        )
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputErrors.one(
            "file", "not_json", "Tệp không phải JSON hợp lệ.", "The file is not valid JSON."
        ) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputErrors.one(
            "file",
            "geojson_not_collection",
            "Cần một GeoJSON FeatureCollection (RFC 7946).",
            "Need a GeoJSON FeatureCollection (RFC 7946).",
        )
    if "crs" in doc:
        raise InputErrors.one(
            "file",
            "geojson_crs",
            "RFC 7946 không dùng 'crs': tọa độ phải là WGS 84 (kinh độ, vĩ độ).",
            "RFC 7946 has no 'crs': coordinates must be WGS 84 longitude, latitude.",
        )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise InputErrors.one(
            "file", "geojson_empty", "Không có đối tượng nào.", "There are no features."
        )
    out, errors = [], []
    for i, feature in enumerate(features):
        where = f"features[{i}]"
        try:
            if not isinstance(feature, dict) or feature.get("type") != "Feature":
                raise GeoError(where, "geojson_feature", "cần type 'Feature'.", "need a Feature.")
            props = feature.get("properties")
            props = props if isinstance(props, dict) else {}
            raw = next((props[k] for k in CODE_KEYS if k in props), None)
            try:
                code = int(str(raw).strip())
            except ValueError:
                raise GeoError(
                    where,
                    "geojson_ward_code",
                    "thiếu mã phường/xã (properties.ward_code).",
                    "missing the ward code (properties.ward_code).",
                ) from None
            lat, lon = centroid(feature.get("geometry"), f"{where}.geometry")
            out.append((code, feature["geometry"], lat, lon))
        except GeoError as exc:
            errors.append(exc.error)
        if len(errors) >= 20:
            break
    if errors:
        raise InputErrors(errors)
    return out


def do_import_shapes(data: bytes, filename: str, *, actor: Any, request: Any = None) -> int:
    """Replace the shapes of the wards a GeoJSON names (all or nothing). Returns features."""
    items = parse(data)
    wards = Ward.objects.in_bulk([code for code, *_ in items])
    errors = [
        FieldError(
            "file",
            "outside_area",
            f"Mã {code}: không phải phường/xã trong địa bàn của bạn.",
            f"Code {code}: not a ward of your area.",
        )
        for code, *_ in items
        if code not in wards or not can_see_ward(actor, wards[code])
    ]
    if errors:
        raise InputErrors(errors[:20])
    with transaction.atomic():
        for code, geometry, lat, lon in items:
            WardShape.objects.update_or_create(
                ward=wards[code],
                defaults={"geometry": geometry, "lat": lat, "lon": lon, "source": filename[:200]},
            )
        audit.record(
            "import_ward_shapes",
            actor=actor,
            request=request,
            object_type="risk.wardshape",
            detail={"features": len(items), "file": filename[:100]},
        )
    from phongdich.risk.actions import bump_published

    bump_published()
    transaction.on_commit(bump_published)
    return len(items)
