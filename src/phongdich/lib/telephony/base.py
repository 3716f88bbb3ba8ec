"""What every telephony adapter shares: the script (data), the call result, and the two
interfaces — an adapter places a call, a call session is what the IVR runner talks to.

Adapters are asyncio: one process holds many calls at once, each a task, with no thread per call
(docs/reference/telephony.md, "Design").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

DTMF_KEYS = frozenset("0123456789*#ABCD")
_NUMBER = re.compile(r"^\+?[0-9]{2,20}$")


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    BUSY = "busy"  # 486 Busy Here, 600 Busy Everywhere
    REJECTED = "rejected"  # 603 Decline and other final 4xx-6xx
    NO_ANSWER = "no_answer"  # our ring timeout (CANCEL), or the trunk's 408/480
    FAILED = "failed"  # no response, ICMP unreachable, unusable answer


class ScriptStatus(StrEnum):
    NOT_RUN = "not_run"  # the call was not answered
    COMPLETED = "completed"  # every question answered, closing prompt played
    FALLBACK = "fallback"  # a question went unanswered 3 times: fallback prompt, then hang-up
    REMOTE_HANGUP = "remote_hangup"  # the person hung up (BYE) before the end
    MAX_DURATION = "max_duration"  # the per-call limit ended the call


class TelephonyError(Exception):
    """An error the caller must act on, with a stable code and messages in both languages."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


class CallEnded(Exception):
    """The far end hung up; raised inside the IVR runner by the session."""


def check_number(number: str) -> str:
    """A dialable number: digits with an optional leading +, nothing that could break a header."""
    if not _NUMBER.match(number):
        raise TelephonyError(
            "invalid_number",
            "Số điện thoại không hợp lệ (chỉ gồm chữ số, có thể bắt đầu bằng +).",
            "Invalid phone number (digits only, optionally starting with +).",
        )
    return number


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    keys: tuple[str, ...]  # allowed answers
    # A key that plays the prompt again instead of answering ("press 1 to hear again"); the
    # replays count as attempts, so a caller cannot hold the line for ever.
    repeat_key: str | None = None
    # Silence after the prompt ends the question without an answer (a recorded message: having
    # heard it is enough) instead of re-asking.
    silence_ends: bool = False

    def __post_init__(self) -> None:
        extra = {self.repeat_key} if self.repeat_key else set()
        if not self.keys or not (set(self.keys) | extra) <= DTMF_KEYS:
            raise TelephonyError(
                "invalid_question_keys",
                f"Câu hỏi {self.id}: phím trả lời phải là 0-9, *, #.",
                f"Question {self.id}: answer keys must be 0-9, *, #.",
            )


@dataclass(frozen=True)
class Script:
    """An IVR script is data: what to say, what to ask, which keys answer each question."""

    name: str
    questions: tuple[Question, ...]
    greeting: str | None = None
    closing: str = "Xin cảm ơn. Chào tạm biệt."
    # Said when a question stays unanswered: the call never ends in silence (docs/reference/telephony.md).
    fallback: str = "Cán bộ y tế sẽ gọi lại cho bạn sau. Xin cảm ơn."
    invalid_key: str = "Phím bạn bấm không hợp lệ."
    max_attempts: int = 3
    key_timeout: float = 5.0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Script:
        questions = tuple(
            Question(str(q["id"]), str(q["prompt"]), tuple(str(k) for k in q["keys"]))
            for q in data["questions"]
        )
        options = {
            k: data[k] for k in ("greeting", "closing", "fallback", "invalid_key") if k in data
        }
        for key, kind in (("max_attempts", int), ("key_timeout", float)):
            if key in data:
                options[key] = kind(data[key])
        return cls(name=str(data["name"]), questions=questions, **options)

    def prompts(self) -> list[str]:
        """Every text this script may speak, for rendering before the call is dialled."""
        texts = [self.greeting] if self.greeting else []
        texts += [q.prompt for q in self.questions]
        texts += [self.invalid_key, self.closing, self.fallback]
        return list(dict.fromkeys(texts))


@dataclass
class QuestionResult:
    question_id: str
    keys: list[str | None] = field(default_factory=list)  # one per attempt; None = silence
    answer: str | None = None

    @property
    def attempts(self) -> int:
        return len(self.keys)


@dataclass
class CallResult:
    outcome: CallOutcome
    started_at: datetime
    status_code: int | None = None  # final SIP response to the INVITE
    reason: str = ""  # short machine-readable detail of a failure ("timeout", "unreachable")
    script_status: ScriptStatus = ScriptStatus.NOT_RUN
    questions: list[QuestionResult] = field(default_factory=list)
    setup_seconds: float | None = None  # INVITE sent -> answer
    duration_seconds: float = 0.0  # answer -> end of call
    hung_up_by: str | None = None  # "remote" or "local"
    prompts: list[str] = field(default_factory=list)  # prompts the runner played, in order

    @property
    def answers(self) -> dict[str, str | None]:
        return {q.question_id: q.answer for q in self.questions}


class CallSession(Protocol):
    """An answered call, as the IVR runner sees it."""

    async def play(self, text: str, interruptible: bool = True) -> None:
        """Speak a prompt; with ``interruptible`` a key press cuts it short (barge-in)."""

    async def next_key(self, timeout: float, question_id: str | None = None) -> str | None:
        """The next key pressed (keys pressed earlier are kept in order), or None on silence."""


class TelephonyAdapter(Protocol):
    async def place_call(self, number: str, script: Script) -> CallResult:
        """Dial, run the script if answered, hang up, and say what happened."""


__all__ = [
    "CallEnded",
    "CallOutcome",
    "CallResult",
    "CallSession",
    "Question",
    "QuestionResult",
    "Script",
    "ScriptStatus",
    "TelephonyAdapter",
    "TelephonyError",
    "check_number",
]
