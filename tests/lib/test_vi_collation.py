"""Vietnamese alphabetical order: the sort key, SQLite's ``vi`` collation and PostgreSQL's ICU
collation put names in the same order, which is not the order of code points."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from phongdich.core.collation import POSTGRES_COLLATION, vi_order
from phongdich.lib.text import vi_sort_key
from phongdich.places.models import Ward

# In the order of a Vietnamese dictionary: ă and â after a, đ after d, ơ after ô after o,
# ư after u; the tones none < huyền < hỏi < ngã < sắc < nặng; lower case before upper.
ORDERED = [
    "Anh",
    "Ành",
    "Ảnh",
    "Ãnh",
    "Ánh",
    "Ạnh",
    "Anh Tuấn",
    "Ăn",
    "Ân",
    "Bảo",
    "Dương",
    "Đặng",
    "Đỗ",
    "Hà",
    "Hạ",
    "Hải",
    "Ong",
    "Ông",
    "Ơn",
    "Uy",
    "Ưng",
    "Vũ",
    "Yến",
]


def test_the_sort_key_gives_dictionary_order_not_code_points():
    shuffled = ORDERED[:]
    random.Random(13).shuffle(shuffled)
    assert sorted(shuffled, key=vi_sort_key) == ORDERED
    assert sorted(ORDERED) != ORDERED  # code points put Đ, Ơ, Ư after Z: the key matters
    assert vi_sort_key("anh") < vi_sort_key("Anh")  # case only breaks ties


@pytest.mark.django_db
def test_the_database_orders_by_the_same_collation():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_collation WHERE collname = %s", [POSTGRES_COLLATION])
            assert cursor.fetchone(), "PostgreSQL must be built with ICU"
    province = Ward.objects.first().province
    shuffled = ORDERED[:]
    random.Random(7).shuffle(shuffled)
    Ward.objects.bulk_create(
        Ward(
            code=990000 + i,
            name=name,
            kind="Phường",
            codename="x",
            name_folded=name,
            province=province,
        )
        for i, name in enumerate(shuffled)
    )
    names = list(
        Ward.objects.filter(code__gte=990000)
        .order_by(vi_order("name"), "code")
        .values_list("name", flat=True)
    )
    assert names == ORDERED
