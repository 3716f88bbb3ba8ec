"""Build DCC payloads (schema 1.3.0) for vaccination, test and recovery certificates.

The builders check what the schema cannot: coded values come from the eHN value sets, times
are timezone-aware, doses are consistent. They return plain dicts ready for
:func:`~phongdich.lib.dcc.issuance.issue_hc1`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from phongdich.lib.dcc.cwt import require_aware
from phongdich.lib.dcc.schema import CURRENT_SCHEMA_VERSION
from phongdich.lib.dcc.uvci import generate_uvci
from phongdich.lib.dcc.valuesets import (
    COUNTRY_VIETNAM,
    DISEASE_COVID19,
    MANUFACTURERS,
    MEDICINAL_PRODUCTS,
    TEST_RESULTS,
    TEST_TYPE_NAAT,
    TEST_TYPE_RAT,
    TEST_TYPES,
    VACCINE_PRODUCTS,
    VACCINE_TYPES,
    CertificateType,
)

__all__ = [
    "build_recovery_certificate",
    "build_test_certificate",
    "build_vaccination_certificate",
    "certificate_type",
]

MAX_TEXT_LENGTH = 80  # schema 1.3.0 maxLength for issuer, testing centre, NAAT name, UVCI
_GROUPS: tuple[CertificateType, ...] = ("v", "t", "r")
_DOB = re.compile(r"^((19|20)\d\d(-\d\d){0,2})?$")


def certificate_type(dcc: Mapping[str, Any]) -> CertificateType | None:
    """``"v"``, ``"t"`` or ``"r"``; ``None`` unless exactly one group is present."""
    groups: list[CertificateType] = [group for group in _GROUPS if group in dcc]
    return groups[0] if len(groups) == 1 else None


def _date_of_birth(value: date | str) -> str:
    # The DCC allows a partial birth date ("1950", "1950-04") or "" when it is unknown.
    if isinstance(value, datetime):
        raise TypeError("date_of_birth must be a date or a string, not a datetime")
    text = value.isoformat() if isinstance(value, date) else value
    if not _DOB.match(text):
        raise ValueError("date_of_birth must be YYYY, YYYY-MM, YYYY-MM-DD (1900–2099) or ''")
    return text


def _text(value: str, label: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError(f"{label} is required")
    if len(cleaned) > MAX_TEXT_LENGTH:
        raise ValueError(f"{label} is longer than {MAX_TEXT_LENGTH} characters")
    return cleaned


def _country(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code such as 'VN'")
    return value


def _coded(value: str, value_set: Mapping[str, str], label: str) -> str:
    if value not in value_set:
        raise ValueError(f"{label} {value!r} is not in the eHN value set")
    return value


def _uvci(uvci: str | None, country: str) -> str:
    # A given identifier is kept as is (certificates re-issued from another system keep
    # theirs), but it must fit the schema.
    return generate_uvci(country) if uvci is None else _text(uvci, "uvci")


def _base(name: Mapping[str, str], date_of_birth: date | str) -> dict[str, Any]:
    if "fnt" not in name:
        raise ValueError("name must come from person_name() (fnt is required)")
    return {"ver": CURRENT_SCHEMA_VERSION, "nam": dict(name), "dob": _date_of_birth(date_of_birth)}


def build_vaccination_certificate(
    name: Mapping[str, str],
    date_of_birth: date | str,
    *,
    product: str,
    dose_number: int,
    total_doses: int,
    vaccination_date: date,
    issuer: str,
    country: str = COUNTRY_VIETNAM,
    uvci: str | None = None,
    vaccine_type: str | None = None,
    manufacturer: str | None = None,
) -> dict[str, Any]:
    """A vaccination DCC (``v``). ``product`` is a ``vaccine-medicinal-product`` code.

    For products in :data:`VACCINE_PRODUCTS` the vaccine type and marketing-authorisation holder
    are filled in; any other product of the value set needs ``vaccine_type`` and
    ``manufacturer``. ``uvci`` defaults to a new Vietnamese UVCI (:func:`generate_uvci`).

    A booster is recorded as dose ``n/n`` or ``n/m`` with n > m, as the eHN guidelines say, so
    ``dose_number`` may exceed ``total_doses``.
    """
    known = VACCINE_PRODUCTS.get(product)
    _coded(product, MEDICINAL_PRODUCTS, "product")
    vaccine_type = vaccine_type or (known.vaccine_type if known else None)
    manufacturer = manufacturer or (known.manufacturer if known else None)
    if vaccine_type is None or manufacturer is None:
        raise ValueError(f"give vaccine_type and manufacturer for product {product!r}")
    if isinstance(vaccination_date, datetime) or not isinstance(vaccination_date, date):
        raise TypeError("vaccination_date must be a date")
    if dose_number < 1 or total_doses < 1:
        raise ValueError("dose_number and total_doses are positive")
    entry = {
        "tg": DISEASE_COVID19,
        "vp": _coded(vaccine_type, VACCINE_TYPES, "vaccine_type"),
        "mp": product,
        "ma": _coded(manufacturer, MANUFACTURERS, "manufacturer"),
        "dn": dose_number,
        "sd": total_doses,
        "dt": vaccination_date.isoformat(),
        "co": _country(country),
        "is": _text(issuer, "issuer"),
        "ci": _uvci(uvci, country),
    }
    return _base(name, date_of_birth) | {"v": [entry]}


def _rfc3339_utc(moment: datetime) -> str:
    return (
        require_aware(moment, "sample_collected_at").astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )


def build_test_certificate(
    name: Mapping[str, str],
    date_of_birth: date | str,
    *,
    test_type: str,
    result: str,
    sample_collected_at: datetime,
    issuer: str,
    testing_centre: str | None = None,
    naat_name: str | None = None,
    rat_device: str | None = None,
    country: str = COUNTRY_VIETNAM,
    uvci: str | None = None,
) -> dict[str, Any]:
    """A test DCC (``t``).

    ``rat_device`` is the device identifier from the EU common list of rapid antigen tests
    (``test-manf`` value set, e.g. ``"1232"``) and is required for a RAT; ``naat_name`` is the
    free-text name of a NAAT. ``testing_centre`` is optional since schema 1.3.0 but should be
    given for a NAAT. The sample time is stored in UTC.
    """
    _coded(test_type, TEST_TYPES, "test_type")
    entry: dict[str, Any] = {
        "tg": DISEASE_COVID19,
        "tt": test_type,
    }
    if test_type == TEST_TYPE_RAT:
        if not rat_device:
            raise ValueError("a rapid antigen test needs rat_device (EU common list id)")
        entry["ma"] = _text(rat_device, "rat_device")
    if naat_name:
        if test_type != TEST_TYPE_NAAT:
            raise ValueError("naat_name only applies to NAAT tests")
        entry["nm"] = _text(naat_name, "naat_name")
    entry["sc"] = _rfc3339_utc(sample_collected_at)
    entry["tr"] = _coded(result, TEST_RESULTS, "result")
    if testing_centre:
        entry["tc"] = _text(testing_centre, "testing_centre")
    entry |= {"co": _country(country), "is": _text(issuer, "issuer")}
    entry["ci"] = _uvci(uvci, country)
    return _base(name, date_of_birth) | {"t": [entry]}


def build_recovery_certificate(
    name: Mapping[str, str],
    date_of_birth: date | str,
    *,
    first_positive_on: date,
    valid_from: date,
    valid_until: date,
    issuer: str,
    country: str = COUNTRY_VIETNAM,
    uvci: str | None = None,
) -> dict[str, Any]:
    """A recovery DCC (``r``) from the date of the first positive NAAT."""
    if not first_positive_on <= valid_from <= valid_until:
        raise ValueError("need first_positive_on <= valid_from <= valid_until")
    entry = {
        "tg": DISEASE_COVID19,
        "fr": first_positive_on.isoformat(),
        "co": _country(country),
        "is": _text(issuer, "issuer"),
        "df": valid_from.isoformat(),
        "du": valid_until.isoformat(),
        "ci": _uvci(uvci, country),
    }
    return _base(name, date_of_birth) | {"r": [entry]}
