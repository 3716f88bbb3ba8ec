"""Short codes people read aloud and type, and opaque tokens they never see.

A *code* (venue codes on posters, tube labels) is Crockford base32 — digits and upper-case
letters without I, L, O and U, so nothing looks like anything else — with a final check
character. Typing tolerates what people actually do: lower case, spaces and hyphens,
O for 0, I or L for 1 (Crockford's own rules).

The check character makes every single wrong character and every swap of two
neighbouring characters detectable, so a typo gives "check the code" instead of
silently pointing at another venue. It is a Damm-style check over GF(32): reading the
code left to right, ``state = 2·state ⊕ value`` (multiplication in GF(2⁵) modulo
x⁵ + x² + 1), and the check character is chosen so that the final state is 0.

* A wrong character changes that step's state, and every later step is a bijection of
  the state, so the final state cannot be 0.
* Swapping neighbours ``a b`` changes ``2·(2s ⊕ a) ⊕ b`` by ``3·(a ⊕ b)``, which is
  non-zero in a field whenever ``a ≠ b``.

A *token* is a random URL-safe string of at least 128 bits for links that identify a
person (a result page, a vaccination certificate); nobody types it, so it has no check.
"""

from __future__ import annotations

import secrets
import unicodedata

__all__ = [
    "ALPHABET",
    "CODE_LENGTH",
    "InvalidCode",
    "format_code",
    "is_valid_code",
    "new_code",
    "new_token",
    "normalise_code",
]

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 9 random characters (45 bits) + 1 check character
TOKEN_BYTES = 24  # 192 bits

_VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
_TYPO_FIXES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = str.maketrans("", "", " -_\t")
_GF32_MODULUS = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)


class InvalidCode(ValueError):
    """A code that is malformed or fails its check; ``code`` is stable for clients."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


def _times_two(value: int) -> int:
    """Multiply by x in GF(32)."""
    doubled = value << 1
    return doubled ^ _GF32_MODULUS if doubled & 0b100000 else doubled


def _check_state(body: str) -> int:
    state = 0
    for ch in body:
        state = _times_two(state) ^ _VALUES[ch]
    return state


def _check_character(body: str) -> str:
    """The character that brings the running state of ``body + check`` to zero."""
    return ALPHABET[_times_two(_check_state(body))]


def new_code(length: int = CODE_LENGTH) -> str:
    """A random code of ``length`` characters, the last one a check character."""
    if length < 4:
        raise ValueError("codes shorter than 4 characters are too easy to guess")
    body = "".join(secrets.choice(ALPHABET) for _ in range(length - 1))
    return body + _check_character(body)


def _invalid_length(length: int) -> InvalidCode:
    return InvalidCode(
        "wrong_length",
        f"Mã phải có {length} ký tự.",
        f"The code must have {length} characters.",
    )


def normalise_code(raw: str, length: int = CODE_LENGTH) -> str:
    """The canonical form of a typed code, or :class:`InvalidCode`.

    ``"abcd-efgh-jk"``, ``"ABCD EFGH JK"`` and ``"abcdefghjk"`` all give ``"ABCDEFGHJK"``.
    """
    text = unicodedata.normalize("NFKC", raw).upper().translate(_IGNORED)
    text = text.translate(_TYPO_FIXES)
    if len(text) != length:
        raise _invalid_length(length)
    if any(ch not in _VALUES for ch in text):
        raise InvalidCode(
            "invalid_characters",
            "Mã chỉ gồm chữ số và chữ cái (không có U).",
            "A code only contains digits and letters (never U).",
        )
    if _check_state(text) != 0:
        raise InvalidCode(
            "check_failed",
            "Mã không đúng, vui lòng kiểm tra lại từng ký tự.",
            "This code is not right; please check each character.",
        )
    return text


def is_valid_code(raw: str, length: int = CODE_LENGTH) -> bool:
    try:
        normalise_code(raw, length)
    except InvalidCode:
        return False
    return True


def format_code(code: str) -> str:
    """Group in fours for reading aloud and printing: ``"ABCDEFGHJK"`` → ``"ABCD-EFGH-JK"``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_token(nbytes: int = TOKEN_BYTES) -> str:
    """An opaque, URL-safe random identifier of ``nbytes`` bytes (at least 16)."""
    if nbytes < 16:
        raise ValueError("tokens need at least 128 bits")
    return secrets.token_urlsafe(nbytes)
