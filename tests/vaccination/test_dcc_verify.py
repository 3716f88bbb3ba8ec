"""``phongdich dcc-verify``: every file of the EU conformance data through the command, each
stage of its JSON output against the file's EXPECTED* flags; the Vietnamese production sample;
our own certificates with a trust file and a clock; and the exit status."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.lib.test_dcc_conformance import (
    DATA_ERRORS,
    TESTDATA,
    _expectations,
    conformance_params,
    relative_name,
)

# The flags that speak about one stage of the verifier, and that stage.
FLAG_STAGES = {
    "EXPECTEDUNPREFIX": ("unprefix",),
    "EXPECTEDB45DECODE": ("base45",),
    "EXPECTEDCOMPRESSION": ("decompress",),
    "EXPECTEDDECODE": ("cbor",),
    "EXPECTEDVERIFY": ("kid", "signature"),
    "EXPECTEDKEYUSAGE": ("key_usage",),
    "EXPECTEDEXPIRATIONCHECK": ("expiry",),
    "EXPECTEDSCHEMAVALIDATION": ("schema",),
}
PIPELINE = (
    "unprefix",
    "base45",
    "decompress",
    "cbor",
    "kid",
    "signature",
    "key_usage",
    "expiry",
    "schema",
)
# Files whose flag contradicts the specification (reasons in tests/lib/test_dcc_conformance.py):
# only the schema ones concern a stage the command reports.
KNOWN = {
    path: flags["EXPECTEDSCHEMAVALIDATION"]
    for path, flags in DATA_ERRORS.items()
    if "EXPECTEDSCHEMAVALIDATION" in flags
}
STAGE_KEYS = {
    "unprefix",
    "base45",
    "decompress",
    "cbor",
    "signature",
    "kid",
    "key_usage",
    "expiry",
    "schema",
}


def verify(*args: str) -> dict:
    out = StringIO()
    call_command("dcc-verify", *args, stdout=out)
    return json.loads(out.getvalue())


def _observed(stages: dict, names: tuple[str, ...]) -> bool | None:
    values = [stages[name] for name in names]
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


@pytest.mark.parametrize("path", conformance_params())
def test_conformance_file_through_the_command(path: Path):
    relative = relative_name(path)
    output = verify(str(path))
    stages = output["stages"]
    assert set(stages) == STAGE_KEYS
    assert output["verified_at"]  # the file's own VALIDATIONCLOCK
    mismatches, checked = [], 0
    for flag, expected in _expectations(json.loads(path.read_text(encoding="utf-8"))).items():
        if flag not in FLAG_STAGES:
            continue
        observed = _observed(stages, FLAG_STAGES[flag])
        if observed is None:
            # Not reached: only acceptable when the pipeline stopped at an earlier stage.
            first = FLAG_STAGES[flag][0]
            earlier = PIPELINE[: PIPELINE.index(first)]
            assert any(stages[s] is False for s in earlier), f"{relative}: {flag} not reached"
            continue
        checked += 1
        if relative in KNOWN and flag == "EXPECTEDSCHEMAVALIDATION":
            assert observed != expected, f"{relative}: the listed data error no longer occurs"
            continue
        if observed != expected:
            mismatches.append(f"{flag}: expected {expected}, command says {observed}")
    assert not mismatches, f"{relative}: {output['reason']}\n" + "\n".join(mismatches)
    assert output["valid"] == (output["reason"] is None)
    if output["valid"]:
        assert output["payload"] is not None and output["unverified_payload"] is None


def test_the_vietnamese_sample_decodes_and_passes_the_schema(db):
    sample = TESTDATA / "VN" / "VAC_VN.hc1.txt"
    if not sample.is_file():
        pytest.skip("Vietnamese sample not found")
    output = verify(str(sample), "--at", "2022-06-01T00:00:00+00:00")
    assert output["stages"] == {
        "unprefix": True,
        "base45": True,
        "decompress": True,
        "cbor": True,
        "signature": None,
        "kid": False,
        "key_usage": None,
        "expiry": True,
        "schema": True,
    }
    assert (output["valid"], output["reason"], output["payload"]) == (False, "unknown_kid", None)
    dcc = output["unverified_payload"]
    assert dcc["ver"] == "1.3.0" and dcc["nam"]["gnt"] == "BAO<DUY"
    assert dcc["v"][0]["ci"].startswith("URN:UVCI:01:VN:")
    assert output["issuer"] == "VN" and output["certificate_type"] == "v"


def test_our_certificate_with_the_servers_trust_and_with_a_trust_file(
    vaccinated, signing_keys, tmp_path
):
    from phongdich.vaccination.certificates import do_issue_certificate

    certificate, _ = do_issue_certificate(vaccinated)
    output = verify(certificate.hc1)
    assert output["valid"] and output["payload"]["v"][0]["ci"] == certificate.uvci
    trust = tmp_path / "trust.json"
    call_command("certkeys", "export-trust-list", str(trust), stdout=StringIO())
    text_file = tmp_path / "cert.txt"
    text_file.write_text(certificate.hc1 + "\n")
    later = verify(str(text_file), "--trust", str(trust), "--at", "2027-03-03T00:00:00+07:00")
    assert (later["valid"], later["reason"]) == (False, "expired")
    pem = tmp_path / "signer.pem"
    pem.write_text(signing_keys.certificate_pem)
    assert verify(certificate.hc1, "--trust", str(pem))["valid"]


def test_bad_arguments(db, tmp_path):
    with pytest.raises(CommandError, match="ISO 8601"):
        verify("HC1:X", "--at", "yesterday")
    with pytest.raises(CommandError, match="time zone"):
        verify("HC1:X", "--at", "2026-01-01T00:00")
    junk = tmp_path / "junk.pem"
    junk.write_text("nothing")
    with pytest.raises(CommandError, match="not a certificate"):
        verify("HC1:X", "--trust", str(junk))
    assert verify("not a certificate")["reason"] == "bad_prefix"


def test_the_exit_status_says_valid_or_not(tmp_path):
    """Run as operators do: the ``phongdich`` entry point, in a fresh process."""
    sample = TESTDATA / "common" / "2DCode" / "raw" / "CO1.json"
    if not sample.is_file():
        pytest.skip("conformance data not found")
    env_dir = tmp_path / "data"
    command = [sys.executable, "-m", "phongdich", "dcc-verify"]
    env = {"PHONGDICH_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin"}
    good = subprocess.run(  # noqa: S603 (our own interpreter and entry point)
        [*command, str(sample)], capture_output=True, text=True, env=env, check=False
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["valid"] is True
    bad = subprocess.run(  # noqa: S603
        [*command, str(sample), "--at", "2099-01-01T00:00:00Z"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert bad.returncode == 1 and json.loads(bad.stdout)["reason"] == "expired"
