"""The person part of every JSON input that names a human (check-in, case, sample, dose)."""

from __future__ import annotations

from pydantic import BaseModel


# A plain pydantic model, not ninja's Schema: ninja wraps every value in a getter meant for ORM
# objects, which cost a tenth of a check-in's CPU on input that is always JSON.
class PersonIn(BaseModel):
    full_name: str = ""
    birth_year: int | None = None
    gender: str = ""
    phone: str = ""
    id_number: str = ""
    nationality: str = "VN"
    ward_code: int | None = None
    address: str = ""
