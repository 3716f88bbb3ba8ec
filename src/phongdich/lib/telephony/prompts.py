"""Vietnamese prompts spoken by espeak-ng, rendered once and kept on disk as 8 kHz audio.

espeak-ng (voice ``vi``) writes a 22,050 Hz WAV; sox resamples it to 8 kHz, 16-bit mono, which is
G.711-ready: encoding it to μ-law or A-law is a table lookup (``g711``). The cache key is the hash
of text, voice and rate, so changing any of them renders anew (docs/reference/telephony.md,
"Prompts").
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import tempfile
import wave
from pathlib import Path

from . import g711
from .base import TelephonyError

SAMPLE_RATE = 8000


def cache_key(text: str, voice: str, rate: int) -> str:
    return hashlib.sha256(f"{voice}\x00{rate}\x00{text}".encode()).hexdigest()


class PromptCache:
    """Text to 8 kHz PCM through espeak-ng and sox, cached on disk and in memory."""

    def __init__(
        self,
        directory: Path,
        voice: str = "vi",
        rate: int = 150,
        espeak: str = "espeak-ng",
        sox: str = "sox",
    ) -> None:
        self.directory = Path(directory)
        self.voice = voice
        self.rate = rate
        self._espeak = espeak
        self._sox = sox
        self._pcm: dict[str, bytes] = {}
        self._encoded: dict[tuple[str, int], bytes] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._voice_checked = False
        self.rendered = 0  # how many texts were rendered by espeak-ng (not found in the cache)

    def path_for(self, text: str) -> Path:
        return self.directory / f"{cache_key(text, self.voice, self.rate)}.wav"

    async def pcm(self, text: str) -> bytes:
        """Signed 16-bit little-endian PCM at 8 kHz for ``text``."""
        key = cache_key(text, self.voice, self.rate)
        if key in self._pcm:
            return self._pcm[key]
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self._pcm:
                path = self.path_for(text)
                if not path.exists():
                    await self._render(text, path)
                    self.rendered += 1
                self._pcm[key] = read_pcm(path)
        return self._pcm[key]

    async def encoded(self, text: str, payload_type: int) -> bytes:
        """The prompt in the call's G.711 law, ready to cut into 20 ms RTP frames."""
        key = (cache_key(text, self.voice, self.rate), payload_type)
        if key not in self._encoded:
            self._encoded[key] = g711.encode(await self.pcm(text), payload_type)
        return self._encoded[key]

    async def prepare(self, texts: list[str]) -> None:
        """Render every prompt before dialling, so nobody waits for speech synthesis mid-call."""
        for text in texts:
            await self.pcm(text)

    async def _render(self, text: str, path: Path) -> None:
        for tool in (self._espeak, self._sox):
            if shutil.which(tool) is None:
                raise TelephonyError(
                    "speech_tool_missing",
                    f"Thiếu chương trình {tool} để tạo lời nói.",
                    f"The program {tool} is needed to render speech.",
                )
        if not self._voice_checked:
            await self._check_voice()
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.directory) as work:
            spoken = Path(work) / "espeak.wav"
            # The text goes through stdin, never argv: no text can be read as an option.
            await _run(
                [
                    self._espeak,
                    "-v",
                    self.voice,
                    "-s",
                    str(self.rate),
                    "--stdin",
                    "-w",
                    str(spoken),
                ],
                text,
            )
            resampled = Path(work) / "8k.wav"
            await _run(
                [
                    self._sox,
                    str(spoken),
                    "-r",
                    str(SAMPLE_RATE),
                    "-c",
                    "1",
                    "-b",
                    "16",
                    "-e",
                    "signed-integer",
                    str(resampled),
                ]
            )
            os.replace(resampled, path)  # atomic: a reader never sees half a file

    async def _check_voice(self) -> None:
        # espeak-ng quietly falls back to its default (English) voice for a name it does not know:
        # a typo in the setting would make every prompt unintelligible, so it is refused here.
        listing = await _run([self._espeak, "--voices"])
        known: set[str] = set()
        for line in listing.splitlines()[1:]:
            columns = line.split()
            if len(columns) >= 5:
                known.update({columns[1], columns[3], columns[4]})
        if self.voice.split("+")[0] not in known:
            raise TelephonyError(
                "speech_voice_missing",
                f"espeak-ng không có giọng đọc {self.voice}.",
                f"espeak-ng has no voice named {self.voice}.",
            )
        self._voice_checked = True


async def _run(command: list[str], stdin_text: str | None = None) -> str:
    process = await asyncio.create_subprocess_exec(
        *command,
        stdin=asyncio.subprocess.PIPE if stdin_text is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate(
        stdin_text.encode() if stdin_text is not None else None
    )
    if process.returncode != 0:
        raise TelephonyError(
            "speech_render_failed",
            "Không tạo được lời nói cho câu nhắc.",
            f"Rendering a prompt failed: {Path(command[0]).name}: {stderr.decode(errors='replace')[:200]}",
        )
    return stdout.decode(errors="replace")


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path), "rb") as audio:
        if (audio.getframerate(), audio.getnchannels(), audio.getsampwidth()) != (
            SAMPLE_RATE,
            1,
            2,
        ):
            raise TelephonyError(
                "bad_prompt_audio",
                "Tệp âm thanh câu nhắc không đúng định dạng 8 kHz.",
                f"Prompt audio is not 8 kHz 16-bit mono: {path.name}",
            )
        return audio.readframes(audio.getnframes())
