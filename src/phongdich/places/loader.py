"""Load the divisions from the ``vietnam-provinces`` package (GSO codes)."""

from __future__ import annotations

from typing import Any

from phongdich.lib.text import fold


def load_divisions(province_model: Any, ward_model: Any) -> tuple[int, int]:
    """Insert or update every province and ward; returns (provinces, wards).

    Takes the model classes as arguments so the data migration can pass its historical models.
    """
    import vietnam_provinces as vp

    provinces = [
        province_model(
            code=int(p.code),
            name=p.name,
            kind=p.division_type.value,
            codename=p.codename,
            name_folded=fold(p.name),
            phone_code=p.phone_code,
        )
        for p in vp.Province.iter_all()
    ]
    province_model.objects.bulk_create(
        provinces,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "codename", "name_folded", "phone_code"],
    )
    wards = [
        ward_model(
            code=int(w.code),
            province_id=int(w.province_code),
            name=w.name,
            kind=w.division_type.value,
            codename=w.codename,
            name_folded=fold(w.name),
        )
        for w in vp.Ward.iter_all()
    ]
    ward_model.objects.bulk_create(
        wards,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["province", "name", "kind", "codename", "name_folded"],
    )
    return len(provinces), len(wards)
