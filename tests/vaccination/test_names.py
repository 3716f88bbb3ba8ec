"""Vaccines by the names staff use, beside the EU code."""

from __future__ import annotations

import pytest

from phongdich.vaccination.names import vaccine_name


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("EU/1/20/1528", "Pfizer-BioNTech (Comirnaty) · EU/1/20/1528"),
        ("EU/1/21/1529", "AstraZeneca (Vaxzevria) · EU/1/21/1529"),
        ("BBIBP-CorV", "Vero Cell (Sinopharm) · BBIBP-CorV"),
        ("EU/1/20/1507", "Moderna (Spikevax) · EU/1/20/1507"),
        ("Abdala", "Abdala"),
        ("not-a-code", "not-a-code"),
    ],
)
def test_the_name_comes_first_and_the_code_stays(code, shown):
    assert vaccine_name(code) == shown


def test_the_session_form_offers_names(client, ward_officer):
    client.force_login(ward_officer)
    html = client.get("/staff/vaccination/").content.decode()
    assert "Pfizer-BioNTech (Comirnaty) (EU/1/20/1528)" in html
