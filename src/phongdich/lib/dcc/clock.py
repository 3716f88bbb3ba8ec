"""The moment a certificate is checked at, read from text such as a conformance file's clock.

The EU conformance data (``TESTCTX.VALIDATIONCLOCK``) mostly writes an offset, but NL, GE, GR,
IS and VA write none (``2021-07-01T10:00:00.000000``). The data's own harness reads those as UTC
(see ``docs/reference/dcc-conformance.md``), and so do we — but never silently: a
:class:`ValidationClock` read that way carries the note ``clock_assumed_utc``, which
:func:`~phongdich.lib.dcc.verification.verify_hc1` copies into its result's ``notes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

__all__ = ["NOTE_MESSAGES", "ValidationClock", "note_message", "parse_validation_clock"]

CLOCK_ASSUMED_UTC = "clock_assumed_utc"

# Facts about a verification that are not failures; same shape as errors.REASON_MESSAGES.
NOTE_MESSAGES: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        CLOCK_ASSUMED_UTC: (
            "Thời điểm kiểm tra không ghi múi giờ nên được hiểu là giờ UTC.",
            "The validation time has no time-zone offset, so it was read as UTC.",
        ),
    }
)


def note_message(code: str) -> tuple[str, str]:
    """(Vietnamese, English) text of a note; unknown codes echo the code."""
    return NOTE_MESSAGES.get(code, (code, code))


@dataclass(frozen=True)
class ValidationClock:
    """An aware ``moment`` and the notes on how it was read (``clock_assumed_utc``)."""

    moment: datetime
    notes: tuple[str, ...] = ()

    @property
    def assumed_utc(self) -> bool:
        return CLOCK_ASSUMED_UTC in self.notes


def parse_validation_clock(text: str) -> ValidationClock:
    """Read an ISO 8601 time; without an offset it is UTC, and the result says so.

    Raises ``ValueError`` for text that is not an ISO 8601 date or time.
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None or moment.utcoffset() is None:
        return ValidationClock(moment.replace(tzinfo=UTC), (CLOCK_ASSUMED_UTC,))
    return ValidationClock(moment)
