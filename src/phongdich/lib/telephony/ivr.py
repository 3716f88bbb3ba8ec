"""The IVR script runner: ask each question, re-ask on silence or a wrong key, never hang up in
silence.

Users of RapidPro, Surveda and SORMAS ask that timeouts and wrong keys re-ask (up to 3 times)
instead of hanging up (docs/reference/telephony.md, "IVR"). After the last attempt the fallback
prompt ("an officer will call you back") is spoken in full before the call ends.
"""

from __future__ import annotations

import asyncio

from .base import CallEnded, CallResult, CallSession, QuestionResult, Script, ScriptStatus


async def run_script(
    session: CallSession, script: Script, result: CallResult, max_duration: float | None = None
) -> None:
    """Run ``script`` on an answered call, filling ``result`` as it goes.

    The result is filled in place so that what was answered survives a hang-up or the time limit.
    The caller hangs up afterwards unless ``result.hung_up_by`` is "remote".
    """
    try:
        async with asyncio.timeout(max_duration):
            result.script_status = await _ask_all(session, script, result)
    except CallEnded:
        # Hanging up during the closing words still counts as a completed interview.
        # A recorded message counts once it was heard to its end (silence after it).
        optional = {q.id for q in script.questions if q.silence_ends}
        answered = [
            q
            for q in result.questions
            if q.answer is not None or (q.question_id in optional and None in q.keys)
        ]
        finished = len(answered) == len(script.questions)
        result.script_status = ScriptStatus.COMPLETED if finished else ScriptStatus.REMOTE_HANGUP
        result.hung_up_by = "remote"
    except TimeoutError:
        result.script_status = ScriptStatus.MAX_DURATION


async def _ask_all(session: CallSession, script: Script, result: CallResult) -> ScriptStatus:
    if script.greeting:
        await _say(session, result, script.greeting)
    for question in script.questions:
        record = QuestionResult(question.id)
        result.questions.append(record)
        while record.answer is None:
            last = record.keys[-1] if record.keys else None
            if record.attempts >= script.max_attempts:
                if question.silence_ends and (last is None or last == question.repeat_key):
                    break  # heard (again) as often as allowed: on to the closing
                await _say(session, result, script.fallback, interruptible=False)
                return ScriptStatus.FALLBACK
            if last is not None and last != question.repeat_key:
                await _say(session, result, script.invalid_key)
            await _say(session, result, question.prompt)
            key = await session.next_key(script.key_timeout, question.id)
            record.keys.append(key)
            if key in question.keys:
                record.answer = key
            elif key is None and question.silence_ends:
                break
    await _say(session, result, script.closing, interruptible=False)
    return ScriptStatus.COMPLETED


async def _say(
    session: CallSession, result: CallResult, text: str, interruptible: bool = True
) -> None:
    result.prompts.append(text)
    await session.play(text, interruptible)
