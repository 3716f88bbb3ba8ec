"""Vietnamese phone numbers: validate, normalise to E.164, format for people.

Numbering plan (Ministry of Information and Communications):

* Mobile numbers have 10 digits: ``0`` + a two-digit network prefix + 7 digits. The old
  11-digit ``01xx`` numbers were moved to 10 digits between 15 September and
  14 November 2018 (see :data:`OLD_MOBILE_PREFIXES`); they are rejected with a message
  that names the new number.
* Landlines have 11 digits: ``024`` (Hà Nội) or ``028`` (TP. Hồ Chí Minh) + 8 digits, or
  ``02xx`` (other provinces, codes of the 2017 renumbering) + 7 digits.

Since 2018 subscribers can keep their number when they change network, so the prefix
does not tell the carrier; this module deliberately does not try.

Foreign numbers (visitors) are accepted only where a person's own phone is entered, and only in
international form: ``+`` (or ``00``) and the country code; :func:`normalise_any_phone` checks
them against Google's numbering metadata (``phonenumbers``) and stores them in E.164. SMS goes
through Vietnamese carriers, so :func:`parse_phone` and the SMS gateways keep refusing them.

Accepted input: spaces, dots, hyphens, slashes and brackets anywhere; ``+84``, ``84``,
``0084`` in front (with or without the trunk ``0`` after them); and the leading ``0``
missing altogether, because Excel drops it from numbers typed into a cell.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

__all__ = [
    "LANDLINE_AREA_CODES",
    "MOBILE_PREFIXES",
    "OLD_MOBILE_PREFIXES",
    "InvalidPhone",
    "PhoneKind",
    "PhoneNumber",
    "format_international",
    "format_local",
    "is_foreign_phone",
    "is_valid_phone",
    "normalise_any_phone",
    "normalise_phone",
    "parse_phone",
]

# Mobile network prefixes in use, as dialled nationally. Carriers are noted for the reader.
MOBILE_PREFIXES: frozenset[str] = frozenset(
    {
        # Viettel
        "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",
        # VinaPhone
        "081", "082", "083", "084", "085", "088", "091", "094",
        # MobiFone
        "070", "076", "077", "078", "079", "089", "090", "093",
        # Vietnamobile
        "052", "056", "058", "092",
        # Gmobile
        "059", "099",
        # Reddi / Wintel
        "055",
        # Itelecom
        "087",
    }
)  # fmt: skip

# The 2018 conversion of 11-digit mobile numbers: old four-digit prefix -> new prefix.
OLD_MOBILE_PREFIXES: dict[str, str] = {
    # Viettel
    "0162": "032", "0163": "033", "0164": "034", "0165": "035",
    "0166": "036", "0167": "037", "0168": "038", "0169": "039",
    # MobiFone
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    # VinaPhone
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    # Vietnamobile
    "0186": "056", "0188": "058",
    # Gmobile
    "0199": "059",
}  # fmt: skip

# Landline area codes since the 2017 renumbering (Circular 22/2014/TT-BTTTT).
# 024 and 028 are followed by 8 digits, every other code by 7.
LANDLINE_AREA_CODES: frozenset[str] = frozenset(
    {
        "024", "028",
        "0203", "0204", "0205", "0206", "0207", "0208", "0209",
        "0210", "0211", "0212", "0213", "0214", "0215", "0216", "0218", "0219",
        "0220", "0221", "0222", "0225", "0226", "0227", "0228", "0229",
        "0232", "0233", "0234", "0235", "0236", "0237", "0238", "0239",
        "0251", "0252", "0254", "0255", "0256", "0257", "0258", "0259",
        "0260", "0261", "0262", "0263", "0269",
        "0270", "0271", "0272", "0273", "0274", "0275", "0276", "0277",
        "0290", "0291", "0292", "0293", "0294", "0296", "0297", "0299",
    }
)  # fmt: skip

_SEPARATORS = re.compile(r"[\s.\-/()\[\]]+")
_COUNTRY_CODE = "84"


class InvalidPhone(ValueError):
    """A phone number that cannot be accepted; ``code`` is stable for clients."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """A valid Vietnamese number. ``national`` is the 10 or 11 digits starting with 0."""

    national: str
    kind: PhoneKind

    @property
    def e164(self) -> str:
        return f"+{_COUNTRY_CODE}{self.national[1:]}"


def _digits_only(raw: str) -> str:
    """Strip separators and an international prefix; return national digits with the 0."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw))
    if not text:
        raise InvalidPhone("empty", "Chưa nhập số điện thoại.", "No phone number given.")
    international = text.startswith(("+", "00"))
    digits = text.removeprefix("+").removeprefix("00") if international else text
    if not digits.isascii() or not digits.isdigit():
        raise InvalidPhone(
            "invalid_characters",
            "Số điện thoại chỉ được chứa chữ số, dấu cách, dấu chấm, dấu gạch ngang và dấu +.",
            "A phone number may only contain digits, spaces, dots, hyphens and a leading +.",
        )
    if international:
        if not digits.startswith(_COUNTRY_CODE):
            raise InvalidPhone(
                "not_vietnamese",
                "Chỉ chấp nhận số điện thoại Việt Nam (mã quốc gia +84).",
                "Only Vietnamese phone numbers (country code +84) are accepted.",
            )
        return "0" + digits.removeprefix(_COUNTRY_CODE).removeprefix("0")
    # "84912345678" (mobile) or "842438251234" (landline): country code without the +.
    if digits.startswith(_COUNTRY_CODE) and len(digits) in (11, 12):
        return "0" + digits.removeprefix(_COUNTRY_CODE)
    return digits if digits.startswith("0") else "0" + digits


def _old_mobile_error(national: str) -> InvalidPhone:
    new_prefix = OLD_MOBILE_PREFIXES[national[:4]]
    new_number = format_local(new_prefix + national[4:])
    return InvalidPhone(
        "old_mobile_prefix",
        f"Số 11 số đầu {national[:4]} đã chuyển sang 10 số từ năm 2018. Số mới là {new_number}.",
        f"11-digit numbers starting {national[:4]} changed to 10 digits in 2018. "
        f"The new number is {new_number}.",
    )


def _landline_area_code(national: str) -> str | None:
    for length in (3, 4):
        if national[:length] in LANDLINE_AREA_CODES:
            return national[:length]
    return None


def _classify(national: str) -> PhoneKind:
    if len(national) == 11 and national[:4] in OLD_MOBILE_PREFIXES:
        raise _old_mobile_error(national)
    if national.startswith("02"):
        if len(national) != 11:
            raise _wrong_length()
        if _landline_area_code(national) is None:
            raise InvalidPhone(
                "unknown_area_code",
                f"Mã vùng {national[:4]} không tồn tại.",
                f"There is no area code {national[:4]}.",
            )
        return PhoneKind.LANDLINE
    if len(national) != 10:
        raise _wrong_length()
    if national[:3] not in MOBILE_PREFIXES:
        raise InvalidPhone(
            "unknown_mobile_prefix",
            f"Đầu số {national[:3]} không phải đầu số di động Việt Nam.",
            f"{national[:3]} is not a Vietnamese mobile prefix.",
        )
    return PhoneKind.MOBILE


def _wrong_length() -> InvalidPhone:
    return InvalidPhone(
        "wrong_length",
        "Số di động phải có 10 chữ số, số cố định 11 chữ số (kể cả số 0 đầu).",
        "Mobile numbers have 10 digits and landlines 11, including the leading 0.",
    )


def parse_phone(raw: str) -> PhoneNumber:
    """Parse any accepted spelling of a Vietnamese number, or raise :class:`InvalidPhone`."""
    national = _digits_only(raw)
    return PhoneNumber(national=national, kind=_classify(national))


def normalise_phone(raw: str) -> str:
    """The E.164 form of a Vietnamese number: ``"0912 345 678"`` → ``"+84912345678"``."""
    return parse_phone(raw).e164


def _foreign_digits(raw: str) -> str | None:
    """The digits after ``+``/``00`` when they do not start with Việt Nam's 84, else None."""
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        return None
    if not digits.isascii() or not digits.isdigit() or digits.startswith(_COUNTRY_CODE):
        return None
    return digits


def normalise_any_phone(raw: str) -> str:
    """A person's own phone in E.164: a Vietnamese number exactly as :func:`normalise_phone`;
    a foreign one written with its country code (``"+33 6 12 34 56 78"`` → ``"+33612345678"``)."""
    digits = _foreign_digits(raw)
    if digits is None:
        return normalise_phone(raw)
    try:
        number = phonenumbers.parse("+" + digits)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise InvalidPhone(
            "invalid_foreign_phone",
            "Số điện thoại nước ngoài không hợp lệ: ghi dấu + và mã quốc gia rồi đến số "
            "(VD: +33 6 12 34 56 78).",
            "The foreign phone number is not valid: write + and the country code, then the "
            "number (e.g. +33 6 12 34 56 78).",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_foreign_phone(phone: str) -> bool:
    """Whether a stored (E.164) number is outside Việt Nam."""
    return bool(phone) and phone.startswith("+") and not phone.startswith("+" + _COUNTRY_CODE)


def is_valid_phone(raw: str) -> bool:
    try:
        parse_phone(raw)
    except InvalidPhone:
        return False
    return True


def _group_local(national: str) -> str:
    if len(national) == 10:  # mobile: 0912 345 678
        return f"{national[:4]} {national[4:7]} {national[7:]}"
    area = _landline_area_code(national) or national[:4]
    rest = national[len(area) :]
    if len(area) == 3:  # 024 3825 1234
        return f"{area} {rest[:4]} {rest[4:]}"
    return f"{area} {rest[:3]} {rest[3:]}"  # 0236 382 2123


def format_local(phone: str) -> str:
    """Format for Vietnamese readers: ``"+84912345678"`` → ``"0912 345 678"``,
    ``"+842438251234"`` → ``"024 3825 1234"``, ``"+842363822123"`` → ``"0236 382 2123"``."""
    return _group_local(parse_phone(phone).national)


def format_international(phone: str) -> str:
    """Format for readers abroad: ``"+84 912 345 678"``."""
    local = format_local(phone)
    return f"+{_COUNTRY_CODE} {local[1:]}"


def display_phone(phone: str) -> str:
    """What a person reads: a Vietnamese number as ``0912 345 678``, a foreign one in
    international form (``+33 6 12 34 56 78``); anything else unchanged."""
    if not phone:
        return ""
    if is_foreign_phone(phone):
        try:
            number = phonenumbers.parse(phone)
        except phonenumbers.NumberParseException:
            return phone
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    try:
        return format_local(phone)
    except InvalidPhone:
        return phone
