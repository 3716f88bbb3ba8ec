"""The IVR runner's re-ask and fallback rules, through the console adapter (no network)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from phongdich.lib.telephony import (
    CallOutcome,
    CallResult,
    ConsoleAdapter,
    Question,
    Script,
    ScriptStatus,
    TelephonyError,
)
from phongdich.lib.telephony.base import CallEnded
from phongdich.lib.telephony.ivr import run_script

from .conftest import run

SCRIPT = Script(
    name="tracing",
    greeting="Đây là Trạm Y tế phường Hạc Thành.",
    questions=(
        Question("fever", "Bạn có sốt không? Có bấm 1, không bấm 2.", ("1", "2")),
        Question("cough", "Bạn có ho không? Có bấm 1, không bấm 2.", ("1", "2")),
    ),
)


def _call(answers, script: Script = SCRIPT):
    adapter = ConsoleAdapter(answers)
    result = run(adapter.place_call("0912345678", script))
    return result, adapter.transcripts[0]


def test_it_records_the_answers_and_completes():
    result, transcript = _call({"fever": ["2"], "cough": ["1"]})
    assert result.outcome is CallOutcome.ANSWERED
    assert result.script_status is ScriptStatus.COMPLETED
    assert result.answers == {"fever": "2", "cough": "1"}
    assert result.prompts == [
        SCRIPT.greeting,
        SCRIPT.questions[0].prompt,
        SCRIPT.questions[1].prompt,
        SCRIPT.closing,
    ]
    assert transcript[0] == f"prompt: {SCRIPT.greeting}"


def test_a_wrong_key_is_told_and_the_question_asked_again():
    result, _ = _call({"fever": ["7", "1"]})
    assert result.questions[0].keys == ["7", "1"]
    assert result.answers["fever"] == "1"
    assert result.prompts[1:4] == [
        SCRIPT.questions[0].prompt,
        SCRIPT.invalid_key,
        SCRIPT.questions[0].prompt,
    ]


def test_silence_repeats_the_question_without_the_wrong_key_prompt():
    result, _ = _call({"fever": [None, None, "2"]})
    assert result.questions[0].keys == [None, None, "2"]
    assert result.answers["fever"] == "2"
    assert SCRIPT.invalid_key not in result.prompts
    assert result.prompts.count(SCRIPT.questions[0].prompt) == 3


def test_after_three_failed_attempts_the_fallback_is_said_and_the_call_ends():
    result, _ = _call({"fever": ["9", None, "#"]})
    assert result.script_status is ScriptStatus.FALLBACK
    assert result.questions[0].keys == ["9", None, "#"]
    assert result.answers == {"fever": None}  # the second question was never asked
    assert result.prompts[-1] == SCRIPT.fallback
    assert SCRIPT.closing not in result.prompts


def test_the_number_of_attempts_is_part_of_the_script():
    script = Script.from_dict(
        {
            "name": "short",
            "questions": [{"id": "ok", "prompt": "Bấm 1.", "keys": ["1"]}],
            "max_attempts": 2,
            "key_timeout": "4",
        }
    )
    assert script.key_timeout == 4.0
    result, _ = _call({"ok": [None, None, "1"]}, script)
    assert result.questions[0].keys == [None, None]
    assert result.script_status is ScriptStatus.FALLBACK


def test_a_question_missing_from_the_table_gets_its_first_key():
    result, _ = _call({})
    assert result.answers == {"fever": "1", "cough": "1"}


def test_every_prompt_of_a_script_is_listed_once_for_rendering():
    texts = SCRIPT.prompts()
    assert len(texts) == len(set(texts))
    assert {SCRIPT.greeting, SCRIPT.fallback, SCRIPT.invalid_key, SCRIPT.closing} <= set(texts)


def test_numbers_that_could_break_a_sip_header_are_refused():
    for number in ["09123 45678", "0912345678>;tag=x", "sip:0912345678", "", "+"]:
        with pytest.raises(TelephonyError) as caught:
            run(ConsoleAdapter().place_call(number, SCRIPT))
        assert caught.value.code == "invalid_number"
        assert caught.value.message_vi


def test_answer_keys_must_be_keypad_keys():
    with pytest.raises(TelephonyError) as caught:
        Question("bad", "?", ("1", "yes"))
    assert caught.value.code == "invalid_question_keys"


class _HangsUpOn:
    """A far end that answers 1 to everything and hangs up when it hears ``text``."""

    def __init__(self, text: str) -> None:
        self.text = text

    async def play(self, text: str, interruptible: bool = True) -> None:
        if text == self.text:
            raise CallEnded

    async def next_key(self, timeout: float, question_id: str | None = None) -> str | None:
        return "1"


def _run_with(session) -> CallResult:
    result = CallResult(CallOutcome.ANSWERED, datetime.now(UTC))
    run(run_script(session, SCRIPT, result))
    return result


def test_hanging_up_during_the_closing_words_still_completes_the_interview():
    result = _run_with(_HangsUpOn(SCRIPT.closing))
    assert result.script_status is ScriptStatus.COMPLETED
    assert result.hung_up_by == "remote"
    assert result.answers == {"fever": "1", "cough": "1"}


def test_hanging_up_before_the_last_answer_is_a_remote_hang_up():
    result = _run_with(_HangsUpOn(SCRIPT.questions[1].prompt))
    assert result.script_status is ScriptStatus.REMOTE_HANGUP
    assert result.answers == {"fever": "1", "cough": None}


MESSAGE = Script(
    name="message",
    greeting="Đây là Trạm Y tế phường Hạc Thành.",
    questions=(
        Question(
            "message",
            "Mời bà con đi tiêm. Nghe lại bấm 1, không nhận cuộc gọi nữa bấm 9.",
            ("9",),
            repeat_key="1",
            silence_ends=True,
        ),
    ),
    fallback="Xin cảm ơn.",
)


def test_a_recorded_message_heard_to_its_end_completes_on_silence():
    result, _ = _call({"message": [None]}, MESSAGE)
    assert result.script_status is ScriptStatus.COMPLETED
    assert result.questions[0].keys == [None] and result.answers == {"message": None}
    assert result.prompts == [MESSAGE.greeting, MESSAGE.questions[0].prompt, MESSAGE.closing]


def test_the_repeat_key_plays_the_message_again_without_the_wrong_key_prompt():
    result, _ = _call({"message": ["1", "9"]}, MESSAGE)
    assert result.answers == {"message": "9"}
    assert result.prompts.count(MESSAGE.questions[0].prompt) == 2
    assert MESSAGE.invalid_key not in result.prompts
    assert result.script_status is ScriptStatus.COMPLETED


def test_replays_are_bounded_by_the_attempts_then_the_closing_is_said():
    result, _ = _call({"message": ["1", "1", "1", "1"]}, MESSAGE)
    assert result.questions[0].keys == ["1", "1", "1"]
    assert result.prompts.count(MESSAGE.questions[0].prompt) == 3
    assert result.prompts[-1] == MESSAGE.closing
    assert result.script_status is ScriptStatus.COMPLETED


def test_a_wrong_key_on_a_recorded_message_still_ends_in_the_fallback():
    result, _ = _call({"message": ["5", "5", "5"]}, MESSAGE)
    assert result.script_status is ScriptStatus.FALLBACK
    assert result.prompts.count(MESSAGE.invalid_key) == 2


def test_the_repeat_key_must_be_a_key():
    with pytest.raises(TelephonyError):
        Question("m", "x", ("9",), repeat_key="x")
