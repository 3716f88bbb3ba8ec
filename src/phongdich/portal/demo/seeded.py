"""Seeded stand-ins for the random identifiers the app normally draws from ``secrets``.

Demo data must be reproducible (same seed, same rows), so every token, code and client id comes
from a ``random.Random`` stream. These values are predictable by design: demo data only.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import random
import uuid
from collections.abc import Sequence
from typing import Generic, TypeVar

from phongdich.lib.codes import ALPHABET, CODE_LENGTH, TOKEN_BYTES, is_valid_code

T = TypeVar("T")


class DemoRandom(random.Random):  # reproducible demo data, never secrets
    def between(self, low: int, high: int) -> int:
        """Like ``randint`` (both ends included), three times faster: it is called millions of
        times for a large demo. The bias of scaling a float is far below anything visible."""
        return low + int(self.random() * (high - low + 1))


def stream(seed: int, *parts: object) -> DemoRandom:
    """An independent random stream per purpose, so adding draws to one part of the demo does not
    change the data of another (a string seed is hashed with SHA-512 by ``random``)."""
    return DemoRandom(":".join(str(p) for p in (seed, *parts)))


def token(rng: random.Random) -> str:
    """Same shape as ``lib.codes.new_token()``: URL-safe base64 of 24 bytes, no padding."""
    return base64.urlsafe_b64encode(rng.randbytes(TOKEN_BYTES)).decode().rstrip("=")


def client_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def venue_code(rng: random.Random) -> str:
    """A valid venue code (Crockford base32 with its check character, see ``lib.codes``)."""
    body = "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH - 1))
    return next(body + c for c in ALPHABET if is_valid_code(body + c))


class Weighted(Generic[T]):
    """Repeated weighted choice: ``random.choices`` re-adds the weights on every call."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in items]
        self.cumulative = list(itertools.accumulate(weight for _, weight in items))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]
