"""Prompts rendered by espeak-ng (voice vi) and sox, cached on disk by text, voice and rate."""

from __future__ import annotations

import wave

import pytest

from phongdich.lib.telephony import PromptCache, TelephonyError, g711
from phongdich.lib.telephony.prompts import SAMPLE_RATE, cache_key

from .conftest import require_tool, run


@pytest.fixture
def tools():
    require_tool("espeak-ng")
    require_tool("sox")


def test_a_prompt_is_rendered_once_as_8khz_audio(tools, tmp_path):
    cache = PromptCache(tmp_path)
    pcm = run(cache.pcm("Xin chào, đây là trạm y tế."))
    path = cache.path_for("Xin chào, đây là trạm y tế.")
    with wave.open(str(path)) as audio:
        assert (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        )
        assert audio.readframes(audio.getnframes()) == pcm
    assert len(pcm) > SAMPLE_RATE  # more than half a second of speech
    assert (
        max(
            abs(int.from_bytes(pcm[i : i + 2], "little", signed=True))
            for i in range(0, len(pcm), 2)
        )
        > 1000
    )

    # A new cache over the same directory finds the file: no second rendering.
    again = PromptCache(tmp_path)
    assert run(again.pcm("Xin chào, đây là trạm y tế.")) == pcm
    assert (cache.rendered, again.rendered) == (1, 0)


def test_the_encoded_prompt_is_the_g711_of_the_audio(tools, tmp_path):
    cache = PromptCache(tmp_path)

    async def both():
        return (
            await cache.pcm("Một."),
            await cache.encoded("Một.", 0),
            await cache.encoded("Một.", 8),
        )

    pcm, ulaw, alaw = run(both())
    assert ulaw == g711.encode_ulaw(pcm)
    assert alaw == g711.encode_alaw(pcm)


def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tools, tmp_path):
    cache = PromptCache(tmp_path)
    pcm = run(cache.pcm("--help"))
    assert len(pcm) > 0
    assert cache.path_for("--help").exists()


def test_voice_and_rate_are_part_of_the_key():
    assert cache_key("a", "vi", 150) != cache_key("a", "vi", 160)
    assert cache_key("a", "vi", 150) != cache_key("a", "vi-vn-x-south", 150)
    assert cache_key("a", "vi", 150) == cache_key("a", "vi", 150)


def test_a_missing_tool_is_an_error_with_a_code(tmp_path):
    cache = PromptCache(tmp_path, espeak="espeak-ng-not-installed")
    with pytest.raises(TelephonyError) as caught:
        run(cache.pcm("Một."))
    assert caught.value.code == "speech_tool_missing"


def test_an_unknown_voice_is_refused_not_replaced_by_english(tools, tmp_path):
    cache = PromptCache(tmp_path, voice="no-such-voice")
    with pytest.raises(TelephonyError) as caught:
        run(cache.pcm("Một."))
    assert caught.value.code == "speech_voice_missing"
    assert not list(tmp_path.glob("*.wav"))
