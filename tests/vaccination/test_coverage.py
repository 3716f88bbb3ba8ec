"""Coverage per ward and age band on small exact data, and the population tables it divides by."""

from __future__ import annotations

from datetime import date

import pytest

from phongdich.lib.codes import new_token
from phongdich.lib.errors import InputErrors
from phongdich.lib.exports import write_xlsx
from phongdich.lib.text import fold
from phongdich.people.models import Person
from phongdich.places.models import Ward
from phongdich.vaccination.coverage import (
    coverage_by_ward,
    coverage_for,
    do_import_population,
    do_set_population,
    preview_population,
    totals,
)
from phongdich.vaccination.models import WardPopulation
from tests.conftest import HAC_THANH, QUANG_PHU
from tests.vaccination.conftest import elsewhere

pytestmark = pytest.mark.django_db


def resident(name: str, year: int, ward: int = HAC_THANH) -> Person:
    return Person.objects.create(
        full_name=name,
        name_folded=fold(name),
        birth_year=year,
        gender="male",
        phone=f"+849{year}{len(name):04d}",
        ward_id=ward,
        token=new_token(),
    )


@pytest.fixture
def world(ward_officer, other_ward_officer, province_officer):
    """Hạc Thành (population 18+ 10, 50+ 4, 65+ 2) and one resident of Quảng Phú."""
    do_set_population(
        Ward.objects.get(code=HAC_THANH),
        age_18_plus=10,
        age_50_plus=4,
        age_65_plus=2,
        actor=ward_officer,
    )
    a = resident("An Hai Mươi Sáu", 2000)  # 26: one dose
    b = resident("Bình Năm Mươi Sáu", 1970)  # 56: two doses
    c = resident("Cúc Bảy Mươi Sáu", 1950)  # 76: two doses and a booster
    d = resident("Dung Mười Sáu", 2010)  # 16: not an adult
    e = resident("Em Quảng Phú", 1960, QUANG_PHU)  # 66 in the other ward
    f = resident("Phúc Năm Mươi", 1976)  # 50 this year: one dose of a 1-dose vaccine
    elsewhere(a, ward_officer, 1, date(2025, 9, 1))
    for person in (b, c, d):
        elsewhere(person, ward_officer, 1, date(2025, 9, 1))
        elsewhere(person, ward_officer, 2, date(2025, 10, 1))
    elsewhere(c, ward_officer, 3, date(2026, 1, 10))
    elsewhere(e, other_ward_officer, 1, date(2025, 9, 1))
    elsewhere(f, ward_officer, 1, date(2025, 9, 20), product="EU/1/20/1525")
    return locals()


def numbers(item, age):
    band = item.bands[age]
    return band.population, band.one_dose, band.fully, band.booster


def test_coverage_counts_by_residence_and_age_band(world, ward_officer):
    [hac_thanh] = coverage_for(ward_officer)
    assert hac_thanh.ward_code == HAC_THANH
    assert numbers(hac_thanh, 18) == (10, 4, 3, 1)
    assert numbers(hac_thanh, 50) == (4, 3, 3, 1)
    assert numbers(hac_thanh, 65) == (2, 1, 1, 1)
    assert hac_thanh.bands[18].rate("one_dose") == 0.4
    assert hac_thanh.bands[50].rate("fully") == 0.75
    assert hac_thanh.bands[65].rate("booster") == 0.5


def test_coverage_on_an_earlier_day(world, ward_officer):
    [on_15_sep] = coverage_for(ward_officer, on=date(2025, 9, 15))
    # Age by year of birth in 2025: Phúc (1976) is 49 and had no dose yet anyway.
    assert numbers(on_15_sep, 18) == (10, 3, 0, 0)
    assert numbers(on_15_sep, 50) == (4, 2, 0, 0)


def test_a_province_sees_every_ward_and_the_total(world, province_officer):
    items = {i.ward_code: i for i in coverage_for(province_officer)}
    assert len(items) == Ward.objects.filter(province_id=38).count()
    quang_phu = items[QUANG_PHU]
    assert numbers(quang_phu, 65) == (None, 1, 0, 0)
    assert quang_phu.bands[65].rate("one_dose") is None
    total = totals(list(items.values()))
    assert numbers(total, 18)[1:] == (5, 3, 1)
    assert total.bands[18].population is None  # not every ward has a population


def test_the_risk_module_interface(world):
    found = coverage_by_ward([HAC_THANH, QUANG_PHU])
    assert set(found) == {HAC_THANH, QUANG_PHU}
    assert found[HAC_THANH].as_dict()["bands"]["50+"] == {
        "population": 4,
        "one_dose": 3,
        "fully": 3,
        "booster": 1,
        "one_dose_rate": 0.75,
        "fully_rate": 0.75,
        "booster_rate": 0.25,
    }
    assert set(coverage_by_ward()) == {HAC_THANH, QUANG_PHU}


def test_an_outsider_sees_no_ward(world, outsider):
    assert all(i.bands[18].one_dose == 0 for i in coverage_for(outsider))


CSV = (
    "mã phường;từ 18 tuổi;từ 50 tuổi;từ 65 tuổi\n"
    f"{HAC_THANH};12 000;4 000;1 500\n{QUANG_PHU};9000;3000;900\n"
).encode()


def test_population_import_preview_then_commit(province_officer):
    rows, file_errors = preview_population(CSV, "dan-so.csv", province_officer)
    assert not file_errors and [r.errors for r in rows] == [[], []]
    assert rows[0].data == {
        "ward_code": HAC_THANH,
        "age_18_plus": 12000,
        "age_50_plus": 4000,
        "age_65_plus": 1500,
    }
    assert not WardPopulation.objects.exists()
    assert do_import_population(CSV, "dan-so.csv", actor=province_officer) == 2
    assert WardPopulation.objects.get(ward_id=QUANG_PHU).age_65_plus == 900


def test_population_import_refuses_other_areas_and_bad_rows(ward_officer):
    with pytest.raises(InputErrors) as error:
        do_import_population(CSV, "dan-so.csv", actor=ward_officer)
    assert [e.code for e in error.value.errors] == ["outside_area"]
    assert not WardPopulation.objects.exists()
    bad = write_xlsx(
        [[HAC_THANH, 100, 200, 10], [HAC_THANH, "x", 1, 1]],
        ["ward_code", "age_18_plus", "age_50_plus", "age_65_plus"],
    )
    rows, _ = preview_population(bad, "dan-so.xlsx", ward_officer)
    assert [e.code for e in rows[0].errors] == ["bands_not_nested"]
    assert {e.code for e in rows[1].errors} == {"not_integer", "duplicate_row"}
    rows, file_errors = preview_population(b"ward_code;total\n1;2\n", "x.csv", ward_officer)
    assert file_errors[0].code == "missing_column"
