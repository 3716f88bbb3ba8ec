"""The SIP adapter against sipp as the far end on loopback: every outcome, both DTMF methods,
hang-up by the far end, digest authentication, the per-call time limit."""

from __future__ import annotations

import pytest

from phongdich.lib.telephony import CallOutcome, Question, Script, ScriptStatus, SipAdapter

from .conftest import free_udp_port, run, trunk_for, two_questions

NUMBER = "0912345678"


async def _call(trunk, prompts, script: Script):
    async with SipAdapter(trunk, prompts) as adapter:
        return await adapter.place_call(NUMBER, script)


def _finished(end) -> None:
    status = end.finish()
    assert status == 0, f"sipp exit status {status}:\n{end.log()}"


def test_it_receives_rfc2833_keys_and_reasks_after_a_wrong_key(far_end, prompts):
    end = far_end("answer_rfc2833.xml")
    result = run(_call(trunk_for(end), prompts, two_questions()))
    _finished(end)  # sipp saw our ACK and our BYE
    assert result.outcome is CallOutcome.ANSWERED
    assert result.status_code == 200
    assert result.answers == {"symptoms": "1", "contact": "2"}
    assert result.questions[1].keys == ["9", "2"]
    assert "Phím sai." in result.prompts  # the wrong key was told, then the question re-asked
    assert result.script_status is ScriptStatus.COMPLETED
    assert result.hung_up_by == "local"


def test_it_receives_keys_by_sip_info(far_end, prompts):
    end = far_end("info_dtmf.xml")
    result = run(_call(trunk_for(end), prompts, two_questions()))
    _finished(end)
    assert result.answers == {"symptoms": "2", "contact": "1"}
    assert result.script_status is ScriptStatus.COMPLETED


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        ("486", "Busy Here", CallOutcome.BUSY),
        ("600", "Busy Everywhere", CallOutcome.BUSY),
        ("603", "Decline", CallOutcome.REJECTED),
        ("404", "Not Found", CallOutcome.REJECTED),
        ("480", "Temporarily Unavailable", CallOutcome.NO_ANSWER),
    ],
)
def test_it_classifies_final_responses(far_end, prompts, status, reason, outcome):
    end = far_end("final_response.xml", STATUS=status, REASON=reason)
    result = run(_call(trunk_for(end), prompts, two_questions()))
    _finished(end)  # sipp saw our ACK to the final response
    assert result.outcome is outcome
    assert result.status_code == int(status)
    assert result.script_status is ScriptStatus.NOT_RUN
    assert result.questions == []


def test_it_cancels_a_call_that_rings_too_long(far_end, prompts):
    end = far_end("no_answer.xml")
    result = run(_call(trunk_for(end, ring_timeout=1.0), prompts, two_questions()))
    _finished(end)  # sipp saw CANCEL, then the ACK to its 487
    assert result.outcome is CallOutcome.NO_ANSWER
    assert result.status_code == 487
    assert result.reason == "ring_timeout"


def test_it_notices_the_far_end_hanging_up_mid_question(far_end, prompts):
    end = far_end("hangup_mid_question.xml")
    result = run(_call(trunk_for(end), prompts, two_questions(key_timeout=10.0)))
    _finished(end)  # and no BYE of ours came after theirs
    assert result.outcome is CallOutcome.ANSWERED
    assert result.script_status is ScriptStatus.REMOTE_HANGUP
    assert result.hung_up_by == "remote"
    assert result.answers == {"symptoms": None}


def test_silence_is_asked_three_times_then_the_fallback_is_spoken(far_end, prompts):
    end = far_end("answer_silent.xml")
    script = Script(
        name="silence",
        questions=(Question("ready", "Bấm một.", ("1",)),),
        fallback="Cán bộ sẽ gọi lại.",
        key_timeout=0.2,
    )
    result = run(_call(trunk_for(end), prompts, script))
    _finished(end)
    assert result.script_status is ScriptStatus.FALLBACK
    assert result.questions[0].keys == [None, None, None]
    assert result.prompts[-1] == script.fallback
    assert result.hung_up_by == "local"


def test_the_call_ends_at_its_maximum_duration(far_end, prompts):
    end = far_end("answer_silent.xml")
    result = run(_call(trunk_for(end, max_duration=0.5), prompts, two_questions(key_timeout=10.0)))
    _finished(end)  # we sent BYE
    assert result.script_status is ScriptStatus.MAX_DURATION
    assert result.hung_up_by == "local"


def test_it_answers_a_digest_challenge(far_end, prompts):
    end = far_end("digest_auth.xml", USERNAME="robot", PASSWORD="s3cret")
    trunk = trunk_for(end, username="robot", password="s3cret")
    result = run(_call(trunk, prompts, Script(name="auth", questions=(), closing="Cảm ơn.")))
    _finished(end)
    assert result.outcome is CallOutcome.ANSWERED
    assert result.script_status is ScriptStatus.COMPLETED


def test_wrong_credentials_are_rejected(far_end, prompts):
    end = far_end("digest_auth.xml", USERNAME="robot", PASSWORD="s3cret")
    trunk = trunk_for(end, username="robot", password="wrong")
    result = run(_call(trunk, prompts, Script(name="auth", questions=(), closing="Cảm ơn.")))
    _finished(end)
    assert result.outcome is CallOutcome.REJECTED
    assert result.status_code == 403


def test_an_unreachable_trunk_fails_the_call(prompts):
    # Nothing listens on this port: the kernel answers with ICMP port unreachable.
    from phongdich.lib.telephony import SipTrunk

    trunk = SipTrunk(host="127.0.0.1", port=free_udp_port(), response_timeout=3.0)
    result = run(_call(trunk, prompts, two_questions()))
    assert result.outcome is CallOutcome.FAILED
    assert result.reason == "unreachable"
