"""The medicine packs A, B and C as data (``data/medicine_packs.json``; docs/reference/care.md)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def medicine_packs() -> dict[str, dict[str, Any]]:
    path = resources.files("phongdich.care") / "data" / "medicine_packs.json"
    return {p["code"]: p for p in json.loads(path.read_text(encoding="utf-8"))["packs"]}
