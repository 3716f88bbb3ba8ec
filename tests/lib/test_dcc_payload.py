"""Payload builders for vaccination, test and recovery certificates (schema 1.3.0)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from phongdich.lib.dcc import (
    build_recovery_certificate,
    build_test_certificate,
    build_vaccination_certificate,
    certificate_type,
    is_valid_uvci,
    person_name,
    schema_errors,
)
from phongdich.lib.dcc.valuesets import (
    MANUFACTURERS,
    MEDICINAL_PRODUCTS,
    VACCINE_PRODUCTS,
    VACCINE_TYPES,
    value_set_problems,
)

VIETNAM = timezone(timedelta(hours=7))


@pytest.fixture
def name():
    return person_name("Nguyễn Thị Minh Khai")


def _vaccination(name, **overrides):
    options = {
        "product": "EU/1/21/1529",
        "dose_number": 2,
        "total_doses": 2,
        "vaccination_date": date(2021, 8, 20),
        "issuer": "Bộ Y tế",
    }
    return build_vaccination_certificate(name, date(1990, 5, 17), **options | overrides)


def test_a_vaccination_certificate_fills_type_and_holder_from_the_product(name):
    dcc = _vaccination(name, uvci="URN:UVCI:01:VN:ABC123#W")

    assert dcc == {
        "ver": "1.3.0",
        "nam": name,
        "dob": "1990-05-17",
        "v": [
            {
                "tg": "840539006",
                "vp": "29061000087103",
                "mp": "EU/1/21/1529",
                "ma": "ORG-100001699",
                "dn": 2,
                "sd": 2,
                "dt": "2021-08-20",
                "co": "VN",
                "is": "Bộ Y tế",
                "ci": "URN:UVCI:01:VN:ABC123#W",
            }
        ],
    }
    assert schema_errors(dcc, check_formats=True) == []
    assert value_set_problems(dcc) == []
    assert certificate_type(dcc) == "v"


@pytest.mark.parametrize("product", sorted(VACCINE_PRODUCTS))
def test_every_catalogued_product_builds_a_valid_certificate(name, product):
    dcc = _vaccination(name, product=product)

    assert schema_errors(dcc, check_formats=True) == []
    assert value_set_problems(dcc) == []
    assert is_valid_uvci(dcc["v"][0]["ci"])


def test_the_value_sets_hold_the_codes_the_specification_names():
    assert MANUFACTURERS["ORG-100030215"].startswith("Biontech")
    assert MANUFACTURERS["ORG-100031184"].startswith("Moderna")
    assert MANUFACTURERS["ORG-100001699"] == "AstraZeneca AB"
    assert MANUFACTURERS["ORG-100001417"].startswith("Janssen")
    assert MANUFACTURERS["ORG-100032020"].startswith("Novavax")
    assert VACCINE_TYPES["1119305005"] == "SARS-CoV-2 antigen vaccine"
    assert VACCINE_TYPES["1119349007"] == "SARS-CoV-2 mRNA vaccine"
    for code, product in {
        "EU/1/20/1528": "Comirnaty",
        "EU/1/20/1507": "Spikevax",
        "EU/1/21/1529": "Vaxzevria",
        "EU/1/20/1525": "Jcovden",
        "EU/1/21/1618": "Nuvaxovid",
    }.items():
        assert MEDICINAL_PRODUCTS[code] == product
    for code in ("Sputnik-V", "BBIBP-CorV", "CoronaVac", "Covishield", "Hayat-Vax", "Abdala"):
        assert code in MEDICINAL_PRODUCTS


def test_a_booster_may_exceed_the_primary_series(name):
    dcc = _vaccination(name, product="EU/1/20/1528", dose_number=3, total_doses=2)
    assert schema_errors(dcc) == []


def test_an_uncatalogued_product_needs_type_and_holder(name):
    with pytest.raises(ValueError, match="not in the eHN value set"):
        _vaccination(name, product="Covaxin-X")
    with pytest.raises(ValueError, match="vaccine_type and manufacturer"):
        _vaccination(name, product="Convidecia")
    dcc = _vaccination(
        name, product="Convidecia", vaccine_type="29061000087103", manufacturer="ORG-100013793"
    )
    assert value_set_problems(dcc) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"product": "Pfizer"},
        {"dose_number": 0},
        {"issuer": " "},
        {"issuer": "x" * 81},
        {"country": "Viet Nam"},
        {"vaccination_date": datetime(2021, 8, 20, tzinfo=UTC)},
        {"vaccine_type": "12345", "product": "EU/1/20/1528"},
    ],
)
def test_the_vaccination_builder_refuses_bad_values(name, overrides):
    with pytest.raises((ValueError, TypeError)):
        _vaccination(name, **overrides)


@pytest.mark.parametrize("dob", ["1950", "1950-04", "1950-04-30", ""])
def test_partial_and_unknown_birth_dates_are_allowed(name, dob):
    dcc = build_recovery_certificate(
        name,
        dob,
        first_positive_on=date(2022, 1, 1),
        valid_from=date(2022, 1, 12),
        valid_until=date(2022, 6, 30),
        issuer="Bộ Y tế",
    )
    assert dcc["dob"] == dob
    assert schema_errors(dcc, check_formats=True) == []


@pytest.mark.parametrize("dob", ["1899-12-31", "17/05/1990", "2100"])
def test_impossible_birth_dates_are_refused(name, dob):
    with pytest.raises(ValueError, match="date_of_birth"):
        build_recovery_certificate(
            name,
            dob,
            first_positive_on=date(2022, 1, 1),
            valid_from=date(2022, 1, 12),
            valid_until=date(2022, 6, 30),
            issuer="Bộ Y tế",
        )


def test_a_pcr_test_certificate_stores_the_sample_time_in_utc(name):
    dcc = build_test_certificate(
        name,
        "1990-05-17",
        test_type="LP6464-4",
        result="260415000",
        sample_collected_at=datetime(2024, 3, 1, 7, 30, tzinfo=VIETNAM),
        issuer="Bộ Y tế",
        testing_centre="CDC Thanh Hóa",
        naat_name="Sansure Biotech RT-PCR",
        uvci="URN:UVCI:01:VN:T1#D",
    )

    assert dcc["t"] == [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "nm": "Sansure Biotech RT-PCR",
            "sc": "2024-03-01T00:30:00Z",
            "tr": "260415000",
            "tc": "CDC Thanh Hóa",
            "co": "VN",
            "is": "Bộ Y tế",
            "ci": "URN:UVCI:01:VN:T1#D",
        }
    ]
    assert schema_errors(dcc, check_formats=True) == []
    assert certificate_type(dcc) == "t"


def test_a_rapid_antigen_test_needs_its_device_and_may_omit_the_centre(name):
    dcc = build_test_certificate(
        name,
        "1990-05-17",
        test_type="LP217198-3",
        result="260373001",
        sample_collected_at=datetime(2024, 3, 1, 7, 30, tzinfo=VIETNAM),
        issuer="Bộ Y tế",
        rat_device="1232",
    )

    assert dcc["t"][0]["ma"] == "1232"
    assert "tc" not in dcc["t"][0]
    assert schema_errors(dcc, check_formats=True) == []
    with pytest.raises(ValueError, match="rat_device"):
        build_test_certificate(
            name,
            "1990",
            test_type="LP217198-3",
            result="260373001",
            sample_collected_at=datetime(2024, 3, 1, tzinfo=UTC),
            issuer="Bộ Y tế",
        )


@pytest.mark.parametrize(
    "overrides",
    [
        {"test_type": "PCR"},
        {"result": "negative"},
        {"sample_collected_at": datetime(2024, 3, 1, 7, 30)},
        {"test_type": "LP217198-3", "rat_device": "1232", "naat_name": "RT-PCR"},
    ],
)
def test_the_test_builder_refuses_bad_values(name, overrides):
    options = {
        "test_type": "LP6464-4",
        "result": "260415000",
        "sample_collected_at": datetime(2024, 3, 1, tzinfo=UTC),
        "issuer": "Bộ Y tế",
    } | overrides
    with pytest.raises((ValueError, TypeError)):
        build_test_certificate(name, "1990", **options)


def test_a_recovery_certificate_checks_its_dates(name):
    dcc = build_recovery_certificate(
        name,
        "1990-05-17",
        first_positive_on=date(2022, 1, 1),
        valid_from=date(2022, 1, 12),
        valid_until=date(2022, 6, 30),
        issuer="Bộ Y tế",
    )
    assert dcc["r"][0]["fr"] == "2022-01-01"
    assert certificate_type(dcc) == "r"
    with pytest.raises(ValueError):
        build_recovery_certificate(
            name,
            "1990",
            first_positive_on=date(2022, 2, 1),
            valid_from=date(2022, 1, 12),
            valid_until=date(2022, 6, 30),
            issuer="Bộ Y tế",
        )


def test_certificate_type_is_none_unless_exactly_one_group():
    assert certificate_type({"v": [], "t": []}) is None
    assert certificate_type({}) is None


def test_value_set_problems_names_the_field():
    dcc = {"v": [{"tg": "840539006", "vp": "J07BX03", "mp": "X", "ma": "ORG-99999999"}]}
    assert value_set_problems(dcc) == ["v[0].mp: 'X'", "v[0].ma: 'ORG-99999999'"]
