"""Dorfman two-stage pooling (Ann. Math. Stat. 14:436, 1943; docs/reference/testing.md). No Django here.

Pool ``k`` samples; a negative pool clears all ``k`` with one test, a positive one costs ``k``
more individual tests. At prevalence ``p`` a pool is negative with probability ``(1 − p)^k``, so
the expected tests per person are ``E(k) = 1/k + 1 − (1 − p)^k`` (and 1 without pooling). Pooling
pays while some ``k`` gives ``E(k) < 1``: below ``p = 1 − 3^(−1/3) ≈ 0.3066``.
"""

from __future__ import annotations

from dataclasses import dataclass

POOLING_LIMIT = 1 - 3 ** (-1 / 3)  # ≈ 0.3066: where E(3) = 1, the last pool size that pays


def expected_tests(p: float, k: int) -> float:
    """Expected tests per person with pools of ``k`` at prevalence ``p`` (``k = 1``: no pooling)."""
    if not 0 <= p <= 1:
        raise ValueError("prevalence must be between 0 and 1")
    if k < 1:
        raise ValueError("pool size must be at least 1")
    if k == 1:
        return 1.0
    return 1 / k + 1 - (1 - p) ** k


@dataclass(frozen=True)
class Advice:
    prevalence: float
    pool_size: int  # 1 = test individually
    tests_per_person: float

    @property
    def pooling_advised(self) -> bool:
        return self.pool_size > 1

    def tests_for(self, people: int) -> float:
        return people * self.tests_per_person

    def tests_saved(self, people: int) -> float:
        """Expected tests saved against testing ``people`` one by one."""
        return people - self.tests_for(people)


def best_pool_size(p: float, max_size: int) -> Advice:
    """The pool size up to ``max_size`` with the fewest expected tests (the smallest on a tie)."""
    best_k, best_e = 1, 1.0
    for k in range(2, max(1, max_size) + 1):
        e = expected_tests(p, k)
        if e < best_e - 1e-12:
            best_k, best_e = k, e
    return Advice(p, best_k, best_e)
