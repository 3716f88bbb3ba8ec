"""Call scripts are data (``data/scripts.json``): the SMS that announces the call, what the robot
says and asks, and what each answer does. The ward's name and the hotline come first in the
greeting (docs/reference/outreach.md, the 18001119 call bot's lesson).

``effects`` maps an answer key to a follow-up kind (``models.FollowUpKind``): "symptoms" puts the
person on the officer's call-back list and the testing list, "wrong_person" marks the plan for
the officer.

``campaign_message`` is not in the data file: its text is a campaign's own (``message_script``),
played after the same first sentence (the ward and the hotline), then "press 1 to hear it
again, press 9 to stop receiving these calls". The text is one prompt, the same for every ward,
so espeak-ng renders it once per text (``PromptCache``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import get_language

from phongdich.core.site import hotlines
from phongdich.lib.telephony import Question, Script

DATA = Path(__file__).parent / "data" / "scripts.json"


@dataclass(frozen=True)
class CallScript:
    key: str
    label_vi: str
    label_en: str
    sms: str
    greeting: str
    questions: tuple[dict[str, Any], ...]
    closing: str
    fallback: str | None = None  # None: the IVR runner's own ("an officer will call you back")

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "vi").startswith("en") else self.label_vi

    def effect(self, question_id: str, key: str | None) -> str | None:
        for question in self.questions:
            if question["id"] == question_id:
                return question.get("effects", {}).get(key or "")
        return None

    def filled(self, ward_name: str) -> dict[str, str]:
        """The texts with the ward's name and the first hotline filled in."""
        values = {"ward": ward_name, "hotline": (hotlines() or [""])[0]}
        return {
            "sms": self.sms.format(**values),
            "greeting": self.greeting.format(**values),
            "closing": self.closing,
        }

    def ivr(self, ward_name: str) -> Script:
        """The IVR script the adapter runs (one per ward: the prompts cache per text)."""
        texts = self.filled(ward_name)
        options = {"fallback": self.fallback} if self.fallback else {}
        return Script(
            name=self.key,
            greeting=texts["greeting"],
            questions=tuple(
                Question(
                    q["id"],
                    q["prompt"],
                    tuple(q["keys"]),
                    repeat_key=q.get("repeat_key"),
                    silence_ends=bool(q.get("silence_ends")),
                )
                for q in self.questions
            ),
            closing=texts["closing"],
            **options,
        )


@cache
def all_scripts() -> dict[str, CallScript]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        s["key"]: CallScript(
            key=s["key"],
            label_vi=s["label_vi"],
            label_en=s["label_en"],
            sms=s["sms"],
            greeting=s["greeting"],
            questions=tuple(s["questions"]),
            closing=s["closing"],
        )
        for s in data["scripts"]
    }


def get_script(key: str) -> CallScript:
    return all_scripts()[key]


def choices() -> list[tuple[str, str]]:
    return [(s.key, s.label) for s in all_scripts().values()]


CAMPAIGN_SCRIPT = "campaign_message"
OPT_OUT_KEY = "9"
REPEAT_KEY = "1"
_MENU = "Để nghe lại, bấm phím 1. Để không nhận cuộc gọi thông tin nữa, bấm phím 9."
_GOODBYE = "Xin cảm ơn, chào tạm biệt."


def message_script(text: str) -> CallScript:
    """A campaign's recorded message: the ward and hotline first, the text, then the menu."""
    return CallScript(
        key=CAMPAIGN_SCRIPT,
        label_vi="Tin nhắn thoại của chiến dịch",
        label_en="Campaign call message",
        sms="",  # no announcing SMS: the message itself is the information
        greeting="Đây là Trạm Y tế {ward}, đường dây nóng {hotline}.",
        questions=(
            {
                "id": "message",
                "prompt": f"{text.strip()} {_MENU}",
                "keys": [OPT_OUT_KEY],
                "repeat_key": REPEAT_KEY,
                "silence_ends": True,
                "effects": {},
            },
        ),
        closing=_GOODBYE,
        fallback=_GOODBYE,
    )


def script_for(plan: Any) -> CallScript:
    """The script a plan speaks: its campaign message, or one of the data file."""
    if plan.script == CAMPAIGN_SCRIPT:
        return message_script(plan.message.text)
    return get_script(plan.script)


def label_of(key: str) -> str:
    if key == CAMPAIGN_SCRIPT:
        return message_script("").label
    found = all_scripts().get(key)
    return found.label if found else key


def ward_title(ward: Any) -> str:
    """ "Phường Hạc Thành": the kind and the name, as people say it."""
    name, kind = ward.name, (ward.kind or "")
    if kind and not name.lower().startswith(kind.lower()):
        return f"{kind[:1].upper()}{kind[1:]} {name}"
    return name
