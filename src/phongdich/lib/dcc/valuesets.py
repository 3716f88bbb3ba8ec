"""eHealth Network value sets used when issuing certificates.

Codes and display names follow the public ``ehn-dcc-development/eu-dcc-valuesets`` repository
(``disease-agent-targeted``, ``vaccine-prophylaxis``, ``vaccine-medicinal-product``,
``vaccine-mah-manf``, ``test-type``, ``test-result``), checked against its 2022–2023 releases.
Only the vaccines used in Viet Nam plus the EU-authorised ones are listed as products; the
verifier does not reject other codes (the DCC JSON schema does not either), so foreign
certificates with newer codes still verify.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = [
    "COUNTRY_VIETNAM",
    "DISEASES",
    "DISEASE_COVID19",
    "MANUFACTURERS",
    "MEDICINAL_PRODUCTS",
    "TEST_RESULTS",
    "TEST_RESULT_DETECTED",
    "TEST_RESULT_NOT_DETECTED",
    "TEST_TYPES",
    "TEST_TYPE_NAAT",
    "TEST_TYPE_RAT",
    "VACCINE_PRODUCTS",
    "VACCINE_TYPES",
    "CertificateType",
    "VaccineProduct",
    "value_set_problems",
]

CertificateType = Literal["v", "t", "r"]

COUNTRY_VIETNAM: Final = "VN"

DISEASE_COVID19: Final = "840539006"
DISEASES: Mapping[str, str] = MappingProxyType({DISEASE_COVID19: "COVID-19"})

# vaccine-prophylaxis (SNOMED CT; J07BX03 is the deprecated ATC code still found in old DCCs,
# including Viet Nam's own early certificates).
VACCINE_TYPE_ANTIGEN: Final = "1119305005"
VACCINE_TYPE_MRNA: Final = "1119349007"
VACCINE_TYPE_RECOMBINANT_PROTEIN: Final = "1162643001"
VACCINE_TYPE_INACTIVATED: Final = "1157024006"
VACCINE_TYPE_VIRAL_VECTOR: Final = "29061000087103"
VACCINE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        VACCINE_TYPE_ANTIGEN: "SARS-CoV-2 antigen vaccine",
        VACCINE_TYPE_MRNA: "SARS-CoV-2 mRNA vaccine",
        VACCINE_TYPE_RECOMBINANT_PROTEIN: "SARS-CoV-2 recombinant spike protein antigen vaccine",
        VACCINE_TYPE_INACTIVATED: "Inactivated whole SARS-CoV-2 antigen vaccine",
        VACCINE_TYPE_VIRAL_VECTOR: "COVID-19 non-replicating viral vector vaccine",
        "28531000087107": "COVID-19 vaccine",
        "30141000087107": "SARS-CoV-2 virus-like particle antigen vaccine",
        "1187593009": "SARS-CoV-2 DNA plasmid encoding spike protein vaccine",
        "J07BX03": "covid-19 vaccines (deprecated)",
    }
)

# vaccine-mah-manf: marketing authorisation holder, or manufacturer when there is none.
MANUFACTURERS: Mapping[str, str] = MappingProxyType(
    {
        "ORG-100030215": "Biontech Manufacturing GmbH",
        "ORG-100031184": "Moderna Biotech Spain S.L.",
        "ORG-100001699": "AstraZeneca AB",
        "ORG-100001417": "Janssen-Cilag International",
        "ORG-100032020": "Novavax CZ a.s.",
        "ORG-100006270": "Curevac AG",
        "ORG-100013793": "CanSino Biologics",
        "ORG-100020693": "China Sinopharm International Corp. - Beijing location",
        "ORG-100010771": "Sinopharm Weiqida Europe Pharmaceutical s.r.o. - Prague location",
        "ORG-100024420": "Sinopharm Zhijun (Shenzhen) Pharmaceutical Co. Ltd. - Shenzhen location",
        "ORG-100001981": "Serum Institute Of India Private Limited",
        "ORG-100023050": "Gulf Pharmaceutical Industries",
        "ORG-100007893": "R-Pharm CJSC",
        "ORG-100033914": "Medigen Vaccine Biologics Corporation",
        "ORG-100000788": "Sanofi Pasteur",
        "ORG-100036422": "Valneva France",
        "Gamaleya-Research-Institute": "Gamaleya Research Institute",
        "Vector-Institute": "Vector Institute",
        "Sinovac-Biotech": "Sinovac Biotech",
        "Bharat-Biotech": "Bharat Biotech",
        "CIGB": "Center for Genetic Engineering and Biotechnology",
        "Sinopharm-WIBP": "Sinopharm - Wuhan Institute of Biological Products",
        "Fiocruz": "Fiocruz",
        "Chumakov-Federal-Scientific-Center": "Chumakov Federal Scientific Center for Research "
        "and Development of Immune-and-Biological Products",
        "Instituto-Butantan": "Instituto Butantan",
        "NVSI": "National Vaccine and Serum Institute, China",
        "Yisheng-Biopharma": "Yisheng Biopharma",
        "ORG-100026614": "Sinocelltech Ltd.",
        "ORG-100008549": "Medicago Inc.",
        "Finlay-Institute": "Finlay Institute of Vaccines",
    }
)


# vaccine-medicinal-product: the whole value set, so that value_set_problems() accepts any
# product a foreign issuer could legitimately name.
MEDICINAL_PRODUCTS: Mapping[str, str] = MappingProxyType(
    {
        "EU/1/20/1528": "Comirnaty",
        "EU/1/20/1507": "Spikevax",
        "EU/1/21/1529": "Vaxzevria",
        "EU/1/20/1525": "Jcovden",
        "EU/1/21/1618": "Nuvaxovid",
        "CVnCoV": "CVnCoV",
        "NVX-CoV2373": "NVX-CoV2373 (deprecated)",
        "Sputnik-V": "Sputnik-V",
        "Convidecia": "Convidecia",
        "EpiVacCorona": "EpiVacCorona",
        "BBIBP-CorV": "BBIBP-CorV",
        "Inactivated-SARS-CoV-2-Vero-Cell": "Inactivated SARS-CoV-2 (Vero Cell) (deprecated)",
        "CoronaVac": "CoronaVac",
        "Covaxin": "Covaxin",
        "Covishield": "Covishield",
        "Covid-19-recombinant": "Covid-19 (recombinant)",
        "R-COVI": "R-COVI",
        "CoviVac": "CoviVac",
        "Sputnik-Light": "Sputnik Light",
        "Hayat-Vax": "Hayat-Vax",
        "Abdala": "Abdala",
        "WIBP-CorV": "WIBP-CorV",
        "MVC-COV1901": "MVC COVID-19 vaccine",
        "Covovax": "Covovax",
        "Vidprevtyn": "Vidprevtyn",
        "VLA2001": "VLA2001",
        "EpiVacCorona-N": "EpiVacCorona-N",
        "Sputnik-M": "Sputnik M",
        "Covid-19-adsorvida-inativada": "Vacina adsorvida covid-19 (inativada)",
        "NVSI-06-08": "NVSI-06-08",
        "YS-SC2-010": "YS-SC2-010",
        "SCTV01C": "SCTV01C",
        "Covifenz": "Covifenz",
        "AZD2816": "AZD2816",
        "Soberana-02": "Soberana 02",
        "Soberana-Plus": "Soberana Plus",
    }
)


@dataclass(frozen=True)
class VaccineProduct:
    """A ``vaccine-medicinal-product`` code with the type and holder normally paired with it."""

    code: str
    name: str
    vaccine_type: str
    manufacturer: str


_PRODUCTS = (
    VaccineProduct("EU/1/20/1528", "Comirnaty", VACCINE_TYPE_MRNA, "ORG-100030215"),
    VaccineProduct("EU/1/20/1507", "Spikevax", VACCINE_TYPE_MRNA, "ORG-100031184"),
    VaccineProduct("EU/1/21/1529", "Vaxzevria", VACCINE_TYPE_VIRAL_VECTOR, "ORG-100001699"),
    VaccineProduct("EU/1/20/1525", "Jcovden", VACCINE_TYPE_VIRAL_VECTOR, "ORG-100001417"),
    VaccineProduct("EU/1/21/1618", "Nuvaxovid", VACCINE_TYPE_RECOMBINANT_PROTEIN, "ORG-100032020"),
    VaccineProduct(
        "Sputnik-V", "Sputnik-V", VACCINE_TYPE_VIRAL_VECTOR, "Gamaleya-Research-Institute"
    ),
    VaccineProduct(
        "Sputnik-Light", "Sputnik Light", VACCINE_TYPE_VIRAL_VECTOR, "Gamaleya-Research-Institute"
    ),
    VaccineProduct("BBIBP-CorV", "BBIBP-CorV", VACCINE_TYPE_INACTIVATED, "ORG-100020693"),
    VaccineProduct("CoronaVac", "CoronaVac", VACCINE_TYPE_INACTIVATED, "Sinovac-Biotech"),
    VaccineProduct("Covaxin", "Covaxin", VACCINE_TYPE_INACTIVATED, "Bharat-Biotech"),
    VaccineProduct("Covishield", "Covishield", VACCINE_TYPE_VIRAL_VECTOR, "ORG-100001981"),
    VaccineProduct("Hayat-Vax", "Hayat-Vax", VACCINE_TYPE_INACTIVATED, "ORG-100023050"),
    VaccineProduct("Abdala", "Abdala", VACCINE_TYPE_RECOMBINANT_PROTEIN, "CIGB"),
)
VACCINE_PRODUCTS: Mapping[str, VaccineProduct] = MappingProxyType(
    {product.code: product for product in _PRODUCTS}
)

TEST_TYPE_NAAT: Final = "LP6464-4"  # nucleic acid amplification (RT-PCR)
TEST_TYPE_RAT: Final = "LP217198-3"  # rapid antigen (immunoassay)
TEST_TYPES: Mapping[str, str] = MappingProxyType(
    {
        TEST_TYPE_NAAT: "Nucleic acid amplification with probe detection",
        TEST_TYPE_RAT: "Rapid immunoassay",
    }
)

TEST_RESULT_NOT_DETECTED: Final = "260415000"
TEST_RESULT_DETECTED: Final = "260373001"
TEST_RESULTS: Mapping[str, str] = MappingProxyType(
    {TEST_RESULT_NOT_DETECTED: "Not detected", TEST_RESULT_DETECTED: "Detected"}
)

_ENTRY_FIELDS: Mapping[str, tuple[tuple[str, Mapping[str, str]], ...]] = {
    "v": (
        ("tg", DISEASES),
        ("vp", VACCINE_TYPES),
        ("mp", MEDICINAL_PRODUCTS),
        ("ma", MANUFACTURERS),
    ),
    "t": (("tg", DISEASES), ("tt", TEST_TYPES), ("tr", TEST_RESULTS)),
    "r": (("tg", DISEASES),),
}


def value_set_problems(dcc: Mapping[str, Any]) -> list[str]:
    """Coded values of ``dcc`` that are not in the value sets above, as ``"v[0].mp: 'X'"``.

    Used before *issuing*: a typo in a product code must not reach a printed certificate. It
    is deliberately not part of verification (see the module docstring).
    """
    problems: list[str] = []
    for group, fields in _ENTRY_FIELDS.items():
        entries = dcc.get(group)
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, Mapping):
                continue
            for field, allowed in fields:
                if field in entry and entry[field] not in allowed:
                    problems.append(f"{group}[{index}].{field}: {entry[field]!r}")
    return problems
