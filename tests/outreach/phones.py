"""sipp as each person's phone: one sipp far end per number, and an adapter factory that sends
each call through a real ``SipAdapter`` to that number's far end."""

from __future__ import annotations

import contextlib
from pathlib import Path

from phongdich.lib.telephony import PromptCache, SipAdapter
from tests.telephony.conftest import SippFarEnd, trunk_for

SCENARIOS = Path(__file__).parent / "sipp"
PCAP = {"PCAP_DIR": "/usr/share/sip-tester"}


class Routed:
    """Places each call through the SIP adapter of that number's far end."""

    def __init__(self, adapters: dict[str, SipAdapter]) -> None:
        self.adapters = adapters

    async def place_call(self, number, script):
        return await self.adapters[number].place_call(number, script)


class Phones:
    def __init__(self, workdir: Path, prompt_dir: Path) -> None:
        self.workdir = workdir
        self.prompt_dir = prompt_dir
        self.ends: list[SippFarEnd] = []

    def start(self, routes: dict[str, tuple[str, dict, dict]]):
        """``{number: (scenario, replacements, trunk options)}`` → an adapter factory."""
        trunks = {}
        for number, (scenario, replacements, options) in routes.items():
            workdir = self.workdir / number.lstrip("+")
            workdir.mkdir()
            extra = {"directory": SCENARIOS} if (SCENARIOS / scenario).exists() else {}
            end = SippFarEnd(scenario, workdir, 1, **extra, **PCAP, **replacements).start()
            self.ends.append(end)
            trunks[number] = trunk_for(end, **options)

        @contextlib.asynccontextmanager
        async def factory():
            prompts = PromptCache(self.prompt_dir)
            async with contextlib.AsyncExitStack() as stack:
                adapters = {
                    n: await stack.enter_async_context(SipAdapter(t, prompts))
                    for n, t in trunks.items()
                }
                yield Routed(adapters)

        return factory

    def finish(self) -> list[int]:
        """Each sipp's exit status (0: it saw its scenario through, our ACK and BYE included)."""
        statuses = [end.finish() for end in self.ends]
        for end in self.ends:
            end.stop()
        return statuses

    def log(self) -> str:
        return "\n".join(end.log() for end in self.ends)
