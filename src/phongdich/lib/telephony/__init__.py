"""Telephony for the "Robot call" switchboard: SIP calls, an IVR script runner, Vietnamese prompts.

Framework-free (no Django). See docs/reference/telephony.md.
"""

from .base import (
    CallOutcome,
    CallResult,
    CallSession,
    Question,
    QuestionResult,
    Script,
    ScriptStatus,
    TelephonyAdapter,
    TelephonyError,
)
from .console import ConsoleAdapter
from .prompts import PromptCache
from .sip_adapter import SipAdapter, SipTrunk

__all__ = [
    "CallOutcome",
    "CallResult",
    "CallSession",
    "ConsoleAdapter",
    "PromptCache",
    "Question",
    "QuestionResult",
    "Script",
    "ScriptStatus",
    "SipAdapter",
    "SipTrunk",
    "TelephonyAdapter",
    "TelephonyError",
]
