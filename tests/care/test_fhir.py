"""FHIR R4 vital signs: exports validated by fhir.resources (R4B models), imports tested against
HL7's official R4 examples (tests/care/fhir_examples, CC0), and the round trip."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation

from phongdich.care import fhir
from phongdich.care.reports import VIETNAM, Report
from phongdich.care.rulesets import get_rule_set
from phongdich.care.warnings import ALERT, REMEASURE, evaluate

EXAMPLES = Path(__file__).parent / "fhir_examples"
# HL7's Patient/example, the subject of these Observations, was born on 25 Dec 1974.
HL7_PATIENT_BIRTH = date(1974, 12, 25)
MOH_604 = get_rule_set("moh-604-2022")
SUBJECT = "Patient/f0-7c1e"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / f"Observation-{name}.json").read_text(encoding="utf-8"))


def collection(*resources: dict) -> dict:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in resources],
    }


def only_report(data: dict) -> Report:
    result = fhir.import_observations(data)
    assert len(result.reports) == 1, result
    return result.reports[0].report


def sample_reports() -> list[Report]:
    first = datetime(2022, 4, 1, 1, 0, tzinfo=UTC)
    return [
        Report(
            measured_at=first,
            form_version="604/QĐ-BYT/PL2/adult",
            respiratory_rate=18,
            pulse=92,
            temperature_c=37.8,
            spo2=96,
            spo2_repeat=95,
            systolic=118,
            diastolic=76,
        ),
        Report(
            measured_at=first + timedelta(hours=12),
            form_version="604/QĐ-BYT/PL2/adult",
            respiratory_rate=22,
            pulse=101,
            temperature_c=38.4,
            spo2=97.5,
            systolic=88,
        ),
        Report(measured_at=first + timedelta(days=1), form_version="x", spo2=98, diastolic=58),
    ]


@pytest.mark.parametrize(
    "name",
    ["satO2", "respiratory-rate", "heart-rate", "body-temperature", "blood-pressure"],
)
def test_the_hl7_examples_are_valid_r4_for_the_validator(name):
    # A guard on the validator itself: it must accept HL7's own R4 examples.
    Observation.model_validate(example(name))


def test_export_is_a_valid_r4_bundle_of_vital_signs():
    bundle = fhir.export_bundle(sample_reports(), SUBJECT)
    Bundle.model_validate(bundle)
    observations = [e["resource"] for e in bundle["entry"]]
    for obs in observations:
        Observation.model_validate(obs)
        assert obs["meta"]["profile"] == [fhir.PROFILE]
        assert obs["category"][0]["coding"][0]["code"] == "vital-signs"
        assert obs["subject"] == {"reference": SUBJECT}
    codes = [o["code"]["coding"][0]["code"] for o in observations[:6]]
    assert codes == ["9279-1", "8867-4", "8310-5", "59408-5", "59408-5", "85354-9"]
    panel = observations[5]
    assert [c["code"]["coding"][0]["code"] for c in panel["component"]] == ["8480-6", "8462-4"]
    assert panel["component"][0]["valueQuantity"] == {
        "value": 118,
        "unit": "mmHg",
        "system": "http://unitsofmeasure.org",
        "code": "mm[Hg]",
    }
    assert observations[2]["valueQuantity"]["code"] == "Cel"
    assert observations[0]["valueQuantity"]["code"] == "/min"
    assert observations[3]["valueQuantity"]["code"] == "%"
    assert len({e["fullUrl"] for e in bundle["entry"]}) == len(observations)


def test_the_validator_would_catch_a_broken_export():
    broken = fhir.export_bundle(sample_reports()[:1], SUBJECT)
    del broken["entry"][0]["resource"]["status"]
    with pytest.raises(ValueError, match="status"):
        Bundle.model_validate(broken)


def test_export_is_repeatable():
    assert fhir.export_bundle(sample_reports(), SUBJECT) == fhir.export_bundle(
        sample_reports(), SUBJECT
    )


def test_round_trip_gives_back_the_same_values():
    reports = sample_reports()
    result = fhir.import_observations(fhir.export_bundle(reports, SUBJECT))
    assert result.skipped == []
    assert [r.subject for r in result.reports] == [SUBJECT] * 3
    back = [r.report for r in result.reports]
    assert [r.form_version for r in back] == [fhir.IMPORTED_FORM_VERSION] * 3
    for original, imported in zip(reports, back, strict=True):
        assert imported.measured_at == original.measured_at
        assert imported.as_dict() | {"form_version": "-", "symptoms": []} == original.as_dict() | {
            "form_version": "-",
            "symptoms": [],
        }


def test_a_round_trip_judges_the_same():
    birth = date(1980, 5, 1)
    for original in sample_reports():
        imported = only_report(fhir.export_bundle([original], SUBJECT))
        assert evaluate(imported, birth).as_dict() == evaluate(original, birth).as_dict()


def test_hl7_spo2_example_95_percent_raises_the_spo2_warning():
    report = only_report(example("satO2"))
    assert report.spo2 == 95  # coded 2708-6 and 59408-5
    assert report.measured_at == datetime(2014, 12, 5, 8, 30, 10, tzinfo=UTC)
    result = evaluate(report, HL7_PATIENT_BIRTH, rule_set=MOH_604)
    assert result.codes == ("spo2_low",)
    assert result.status == REMEASURE  # alone, it asks for the second reading first


def test_hl7_respiratory_rate_example_26_raises_a_warning():
    report = only_report(example("respiratory-rate"))
    assert report.respiratory_rate == 26
    result = evaluate(report, HL7_PATIENT_BIRTH, rule_set=MOH_604)
    assert result.status == ALERT
    assert result.codes == ("respiratory_rate_high",)


def test_hl7_heart_rate_temperature_and_blood_pressure_examples():
    assert only_report(example("heart-rate")).pulse == 44
    assert only_report(example("body-temperature")).temperature_c == 36.5
    pressure = only_report(example("blood-pressure"))
    assert (pressure.systolic, pressure.diastolic) == (107, 60)
    # A date alone is read as that day in Vietnam.
    assert pressure.measured_at == datetime(2012, 9, 17, tzinfo=VIETNAM)
    assert evaluate(pressure, HL7_PATIENT_BIRTH, rule_set=MOH_604).codes == ()


def test_a_bundle_of_the_hl7_examples_groups_by_time_and_skips_what_it_cannot_use():
    names = [
        "respiratory-rate",
        "heart-rate",
        "body-temperature",
        "satO2",
        "blood-pressure",
        "blood-pressure-cancel",
        "vitals-panel",
    ]
    result = fhir.import_observations(collection(*(example(n) for n in names)))
    assert {(s.resource_id, s.code) for s in result.skipped} == {
        ("blood-pressure-cancel", "unusable_status"),
        ("vitals-panel", "unsupported_code"),
    }
    by_time = {r.report.measured_at.date(): r.report for r in result.reports}
    assert set(by_time) == {date(1999, 7, 2), date(2014, 12, 5), date(2012, 9, 17)}
    same_time = by_time[date(1999, 7, 2)]
    assert (same_time.respiratory_rate, same_time.pulse, same_time.temperature_c) == (26, 44, 36.5)
    result = evaluate(same_time, HL7_PATIENT_BIRTH, rule_set=MOH_604)
    assert result.status == ALERT
    assert result.codes == ("respiratory_rate_high", "pulse_low")


def _with_quantity(name: str, value: float, unit: str) -> dict:
    obs = copy.deepcopy(example(name))
    obs["valueQuantity"] = {"value": value, "unit": unit, "system": fhir.UCUM, "code": unit}
    return obs


def test_temperatures_in_fahrenheit_and_kelvin_are_converted():
    assert only_report(_with_quantity("body-temperature", 102.2, "[degF]")).temperature_c == 39.0
    assert only_report(_with_quantity("body-temperature", 310.15, "K")).temperature_c == 37.0


def test_blood_pressure_in_kilopascal_is_converted():
    obs = copy.deepcopy(example("blood-pressure"))
    for component, kpa in zip(obs["component"], (16.0, 10.7), strict=True):
        component["valueQuantity"] = {"value": kpa, "system": fhir.UCUM, "code": "kPa"}
    report = only_report(obs)
    assert (report.systolic, report.diastolic) == (120, 80)


def test_spo2_coded_2708_6_alone_is_accepted():
    obs = copy.deepcopy(example("satO2"))
    obs["code"]["coding"] = [c for c in obs["code"]["coding"] if c["code"] == "2708-6"]
    assert only_report(obs).spo2 == 95


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda o: o["valueQuantity"].update(code="[in_i]", unit="in"), "unsupported_unit"),
        (lambda o: o.pop("valueQuantity"), "no_value"),
        (lambda o: o.update(status="entered-in-error"), "unusable_status"),
        (lambda o: o.pop("effectiveDateTime"), "no_effective_time"),
        (lambda o: o.update(effectiveDateTime="1999"), "no_effective_time"),
        (lambda o: o.update(effectiveDateTime="1999-13-45"), "no_effective_time"),
        (lambda o: o["valueQuantity"].update(value="many"), "no_value"),
        (lambda o: o["valueQuantity"].update(value=260), "implausible_respiratory_rate"),
    ],
)
def test_unusable_observations_are_skipped_with_a_reason(change, code):
    obs = copy.deepcopy(example("respiratory-rate"))
    change(obs)
    result = fhir.import_observations(obs)
    assert result.reports == []
    assert [s.code for s in result.skipped] == [code]


def test_other_resources_in_a_bundle_are_skipped():
    patient = {"resourceType": "Patient", "id": "example"}
    result = fhir.import_observations(collection(patient, example("heart-rate")))
    assert [s.code for s in result.skipped] == ["not_observation"]
    assert result.reports[0].report.pulse == 44


def test_a_third_spo2_reading_at_the_same_time_is_reported_as_duplicate():
    readings = [_with_quantity("satO2", v, "%") for v in (96, 95, 94)]
    result = fhir.import_observations(collection(*readings))
    report = result.reports[0].report
    assert (report.spo2, report.spo2_repeat) == (96, 95)
    assert [s.code for s in result.skipped] == ["duplicate_value"]
