"""Vaccines by the names staff use ("Pfizer-BioNTech", "Vero Cell"), beside the EU product code
the certificates carry. See docs/reference/vaccination.md ("Names staff use")."""

from __future__ import annotations

from phongdich.lib.dcc.valuesets import MEDICINAL_PRODUCTS

# product code → the name on vaccination cards and in ward reports (holder or common name)
STAFF_NAMES = {
    "EU/1/20/1528": "Pfizer-BioNTech",
    "EU/1/20/1507": "Moderna",
    "EU/1/21/1529": "AstraZeneca",
    "Covishield": "AstraZeneca (Covishield)",
    "EU/1/20/1525": "Janssen (Johnson & Johnson)",
    "EU/1/21/1618": "Novavax",
    "BBIBP-CorV": "Vero Cell (Sinopharm)",
    "Hayat-Vax": "Hayat-Vax (Sinopharm)",
    "CoronaVac": "Sinovac",
    "Sputnik-V": "Sputnik V",
    "Sputnik-Light": "Sputnik Light",
    "Covaxin": "Covaxin (Bharat)",
    "Abdala": "Abdala",
}


def vaccine_name(code: str) -> str:
    """``EU/1/20/1528`` → ``Pfizer-BioNTech (Comirnaty) · EU/1/20/1528``."""
    if not code:
        return ""
    product = MEDICINAL_PRODUCTS.get(code, "")
    label = STAFF_NAMES.get(code, "") or product
    if product and product != code and product not in label:
        label = f"{label} ({product})"
    return f"{label} · {code}" if label and label != code else code
