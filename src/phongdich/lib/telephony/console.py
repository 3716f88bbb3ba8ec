"""The console adapter, for the demo: no network, the script is written to the log and the answers
come from a fixed table, so the same table always gives the same result."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from .base import CallOutcome, CallResult, Script, check_number
from .ivr import run_script

logger = logging.getLogger(__name__)


class ConsoleSession:
    def __init__(self, answers: Mapping[str, Sequence[str | None]], script: Script) -> None:
        self._answers = {question: deque(keys) for question, keys in answers.items()}
        self._script = script
        self.transcript: list[str] = []

    async def play(self, text: str, interruptible: bool = True) -> None:
        self.transcript.append(f"prompt: {text}")
        logger.debug("prompt: %s", text)

    async def next_key(self, timeout: float, question_id: str | None = None) -> str | None:
        pending = self._answers.get(question_id or "")
        if pending is None:
            # A question the table does not name: the first allowed key.
            question = next(q for q in self._script.questions if q.id == question_id)
            key: str | None = question.keys[0]
        else:
            key = pending.popleft() if pending else None  # table used up: silence
        self.transcript.append(f"key: {key if key is not None else '(silence)'}")
        logger.debug("key: %s", key if key is not None else "(silence)")
        return key


class ConsoleAdapter:
    """Answers every call; ``answers`` maps question id to the key given at each attempt
    (None = silence). A question the table does not name gets its first allowed key."""

    def __init__(self, answers: Mapping[str, Sequence[str | None]] | None = None) -> None:
        self.answers = dict(answers or {})
        self.transcripts: list[list[str]] = []

    async def place_call(self, number: str, script: Script) -> CallResult:
        check_number(number)
        result = CallResult(
            CallOutcome.ANSWERED, datetime.now(UTC), status_code=200, setup_seconds=0.0
        )
        session = ConsoleSession(self.answers, script)
        logger.info("console call: script %s", script.name)
        await run_script(session, script, result)
        result.hung_up_by = "local"
        self.transcripts.append(session.transcript)
        return result
