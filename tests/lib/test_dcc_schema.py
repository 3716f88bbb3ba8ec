"""Validation against the vendored official DCC schemas."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from phongdich.lib.dcc import DccError, schema_errors, schema_version_for, validate_dcc
from phongdich.lib.dcc.schema import SCHEMA_VERSIONS, load_schema


def _vaccination(ver="1.3.0", **changes):
    dcc = {
        "ver": ver,
        "nam": {"fn": "Nguyễn", "fnt": "NGUYEN", "gn": "Bảo Duy", "gnt": "BAO<DUY"},
        "dob": "1983-10-10",
        "v": [
            {
                "tg": "840539006",
                "vp": "J07BX03",
                "mp": "EU/1/21/1529",
                "ma": "ORG-100001699",
                "dn": 2,
                "sd": 2,
                "dt": "2021-03-18",
                "co": "VN",
                "is": "Ban Co Yeu",
                "ci": "URN:UVCI:01:VN:FFFE3D31FABD035899134A9D3BAE9BCF",
            }
        ],
    }
    return dcc | changes


def _rat(**entry_changes):
    entry = {
        "tg": "840539006",
        "tt": "LP217198-3",
        "ma": "1232",
        "sc": "2021-06-11T17:30:00Z",
        "tr": "260415000",
        "co": "VN",
        "is": "Bộ Y tế",
        "ci": "URN:UVCI:01:VN:1#A",
    } | entry_changes
    return _vaccination() | {"t": [entry]}


@pytest.mark.parametrize(
    ("ver", "schema"),
    [
        ("1.0.0", "1.0.0"),
        ("1.0.1", "1.0.0"),
        ("1.1.0", "1.0.0"),
        ("1.2.0", "1.2.1"),
        ("1.2.1", "1.2.1"),
        ("1.3.0", "1.3.0"),
        ("1.3.2", "1.3.0"),
        ("1.4.0", "1.3.0"),
        ("2.0.0", None),
        ("0.9.0", None),
        ("1.3", None),
        (None, None),
        (130, None),
    ],
)
def test_the_schema_follows_the_payload_version(ver, schema):
    assert schema_version_for(ver) == schema


def test_the_vendored_schemas_are_the_ones_named():
    for version in SCHEMA_VERSIONS:
        schema = load_schema(version)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$comment"] == f"Schema version {version}"
    data = resources.files("phongdich.lib.dcc") / "data"
    assert "Apache License" in (data / "LICENSE-eu-dcc-schema.txt").read_text(encoding="utf-8")
    assert "ehn-dcc-schema" in (data / "NOTICE.md").read_text(encoding="utf-8")
    json.loads((data / "dcc-schema-1.3.0.json").read_text(encoding="utf-8"))


def test_the_vietnamese_production_payload_is_valid():
    assert schema_errors(_vaccination()) == []
    validate_dcc(_vaccination())


@pytest.mark.parametrize(
    ("dcc", "problem"),
    [
        (_vaccination(nam={"fn": "Nguyễn", "fnt": "Nguyen"}), "nam.fnt"),
        (_vaccination(nam={"fn": "Nguyễn"}), "'fnt' is a required property"),
        (_vaccination(dob="10/10/1983"), "dob"),
        (_vaccination(ver="3.0.0"), "unsupported"),
        ({"ver": "1.3.0", "nam": {"fnt": "X"}, "dob": ""}, "exactly one of v, t, r"),
    ],
)
def test_invalid_payloads_are_reported_with_their_path(dcc, problem):
    problems = schema_errors(dcc)
    assert any(problem in text for text in problems), problems


def test_two_certificate_groups_are_invalid_in_every_version():
    for ver in ("1.0.0", "1.2.1", "1.3.0"):
        dcc = _rat() | {"ver": ver}
        assert any("exactly one of v, t, r" in text for text in schema_errors(dcc))


def test_version_130_allows_an_empty_birth_date_and_no_testing_centre():
    assert schema_errors(_vaccination(dob="")) == []
    dcc = _rat()
    del dcc["v"]
    assert schema_errors(dcc) == []
    assert any("'tc' is a required property" in p for p in schema_errors(dcc | {"ver": "1.2.1"}))


def test_version_130_allows_one_entry_only():
    dcc = _vaccination()
    dcc["v"] = dcc["v"] * 2
    assert schema_errors(dcc)
    assert schema_errors(dcc | {"ver": "1.2.1"}) == []


def test_formats_are_checked_only_when_asked():
    # Certificates in circulation put date-times in date fields; verification lets them pass.
    dcc = _vaccination()
    dcc["v"][0]["dt"] = "2021-03-18T22:54:00+02:00"

    assert schema_errors(dcc) == []
    assert schema_errors(dcc, check_formats=True) == [
        "v[0].dt: '2021-03-18T22:54:00+02:00' is not a 'date'"
    ]
    with pytest.raises(DccError) as raised:
        validate_dcc(dcc)
    assert raised.value.code == "schema"


@pytest.mark.parametrize(
    "sc",
    [
        "2021-06-11T17:30:00Z",
        "2021-06-11T17:30:00.123Z",
        "2021-06-11T17:30:00+07",
        "2021-06-11T17:30:00+0700",
        "2021-06-11T17:30:00+07:00",
        "2021-06-11T17:30:00.123456789-03:30",
    ],
)
def test_iso_date_times_with_any_offset_form_are_accepted(sc):
    dcc = _rat(sc=sc)
    del dcc["v"]
    assert schema_errors(dcc, check_formats=True) == []


@pytest.mark.parametrize(
    "sc", ["2021-06-11", "2021-06-11T17:30:00", "2021-13-11T17:30:00Z", "11/06/2021 17:30"]
)
def test_malformed_date_times_are_refused_when_checking_formats(sc):
    dcc = _rat(sc=sc)
    del dcc["v"]
    assert schema_errors(dcc, check_formats=True)


def test_a_forced_version_overrides_the_payload_version():
    dcc = _vaccination(dob="1983")
    assert schema_errors(dcc) == []
    assert schema_errors(dcc, version="1.0.0")  # 1.0.0 wanted a full date


def test_a_non_object_is_invalid():
    assert schema_errors(["v"]) == ["(root): the DCC must be a JSON object"]  # type: ignore[arg-type]
