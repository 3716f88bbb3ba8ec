"""EU Digital COVID Certificates (HC1) — issue, encode, verify. No Django here.

Issuing::

    csca = generate_csca("VN", valid_from=now)
    signer = generate_document_signer(csca, valid_from=now)
    dcc = build_vaccination_certificate(
        person_name("Nguyễn Thị Minh Khai"), "1990-05-17",
        product="EU/1/20/1528", dose_number=2, total_doses=2,
        vaccination_date=date(2021, 9, 1), issuer="Bộ Y tế",
    )
    hc1 = issue_hc1(dcc, signer, issued_at=now)        # "HC1:NCF…"
    png = qr_png(hc1)

Verifying::

    trust = TrustList([signer.certificate])            # or TrustList.from_json(published)
    result = verify_hc1(hc1, trust, at=now)
    result.valid, result.reason, result.payload, result.stages

The chain is DCC (JSON) → CBOR → CWT claims (1 iss, 6 iat, 4 exp, -260: {1: DCC}) →
COSE_Sign1 (tag 18, ES256 or PS256, ``kid`` in the protected header) → zlib → Base45 →
``HC1:`` → QR (alphanumeric, level Q). Modules: ``transport`` (prefix, Base45, zlib), ``cose``,
``cwt``, ``payload`` (builders), ``names`` (ICAO transliteration), ``uvci``, ``valuesets``,
``schema`` (official JSON schemas), ``clock`` (validation time from text), ``keys``
(CSCA/DSC), ``trust`` (trust list), ``rotation``,
``issuance``, ``qr``, ``verification``.
"""

from __future__ import annotations

from phongdich.lib.dcc.clock import (
    NOTE_MESSAGES,
    ValidationClock,
    note_message,
    parse_validation_clock,
)
from phongdich.lib.dcc.cose import Algorithm, CoseSign1, parse_cose_sign1
from phongdich.lib.dcc.cwt import CwtClaims, decode_claims, encode_dcc
from phongdich.lib.dcc.errors import REASON_MESSAGES, DccError, reason_message
from phongdich.lib.dcc.issuance import DEFAULT_VALIDITY, issue_hc1, sign_dcc
from phongdich.lib.dcc.keys import (
    OID_RECOVERY,
    OID_TEST,
    OID_VACCINATION,
    CountrySigningCA,
    DocumentSigner,
    certificate_pem,
    compute_kid,
    generate_csca,
    generate_document_signer,
    load_certificate,
    load_document_signer,
    load_private_key,
    private_key_pem,
)
from phongdich.lib.dcc.names import person_name, split_full_name, transliterate
from phongdich.lib.dcc.payload import (
    build_recovery_certificate,
    build_test_certificate,
    build_vaccination_certificate,
    certificate_type,
)
from phongdich.lib.dcc.qr import make_qr, qr_png, qr_svg
from phongdich.lib.dcc.rotation import KeyRing
from phongdich.lib.dcc.schema import (
    CURRENT_SCHEMA_VERSION,
    SCHEMA_VERSIONS,
    schema_errors,
    schema_version_for,
    validate_dcc,
)
from phongdich.lib.dcc.transport import HC1_PREFIX, decode_hc1, encode_hc1
from phongdich.lib.dcc.trust import TrustedCertificate, TrustList
from phongdich.lib.dcc.uvci import generate_uvci, is_valid_uvci, luhn_mod_n_check_character
from phongdich.lib.dcc.verification import (
    STAGES,
    VerificationResult,
    check_expiry,
    check_key_usage,
    verify_cose,
    verify_hc1,
)

__all__ = [
    "CURRENT_SCHEMA_VERSION",
    "DEFAULT_VALIDITY",
    "HC1_PREFIX",
    "NOTE_MESSAGES",
    "OID_RECOVERY",
    "OID_TEST",
    "OID_VACCINATION",
    "REASON_MESSAGES",
    "SCHEMA_VERSIONS",
    "STAGES",
    "Algorithm",
    "CoseSign1",
    "CountrySigningCA",
    "CwtClaims",
    "DccError",
    "DocumentSigner",
    "KeyRing",
    "TrustList",
    "TrustedCertificate",
    "ValidationClock",
    "VerificationResult",
    "build_recovery_certificate",
    "build_test_certificate",
    "build_vaccination_certificate",
    "certificate_pem",
    "certificate_type",
    "check_expiry",
    "check_key_usage",
    "compute_kid",
    "decode_claims",
    "decode_hc1",
    "encode_dcc",
    "encode_hc1",
    "generate_csca",
    "generate_document_signer",
    "generate_uvci",
    "is_valid_uvci",
    "issue_hc1",
    "load_certificate",
    "load_document_signer",
    "load_private_key",
    "luhn_mod_n_check_character",
    "make_qr",
    "note_message",
    "parse_cose_sign1",
    "parse_validation_clock",
    "person_name",
    "private_key_pem",
    "qr_png",
    "qr_svg",
    "reason_message",
    "schema_errors",
    "schema_version_for",
    "sign_dcc",
    "split_full_name",
    "transliterate",
    "validate_dcc",
    "verify_cose",
    "verify_hc1",
]
