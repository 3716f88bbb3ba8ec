"""Call scripts are data (``data/scripts.json``): the SMS that announces the call, what the robot
says and asks, and what each answer does. The ward's name and the hotline come first in the
greeting (docs/reference/outreach.md, the 18001119 call bot's lesson).

``effects`` maps an answer key to a follow-up kind (``models.FollowUpKind``): "symptoms" puts the
person on the officer's call-back list and the testing list, "wrong_person" marks the plan for
the officer.
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
        return Script(
            name=self.key,
            greeting=texts["greeting"],
            questions=tuple(
                Question(q["id"], q["prompt"], tuple(q["keys"])) for q in self.questions
            ),
            closing=texts["closing"],
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


def ward_title(ward: Any) -> str:
    """ "Phường Hạc Thành": the kind and the name, as people say it."""
    name, kind = ward.name, (ward.kind or "")
    if kind and not name.lower().startswith(kind.lower()):
        return f"{kind[:1].upper()}{kind[1:]} {name}"
    return name
