"""Dorfman pooling (docs/reference/testing.md): the table, the pooling limit and the session advice."""

from __future__ import annotations

import pytest

from phongdich.core.models import Rule
from phongdich.core.rules import reset_cache
from phongdich.testing.dorfman import POOLING_LIMIT, best_pool_size, expected_tests
from phongdich.testing.queries import pool_advice, recent_positivity
from tests.testing.conftest import register

# p, best k, E(best), E(5), E(10) — docs/reference/testing.md, to the table's three decimals.
TABLE = [
    (0.001, 32, 0.063, 0.205, 0.110),
    (0.01, 11, 0.196, 0.249, 0.196),
    (0.02, 8, 0.274, 0.296, 0.283),
    (0.05, 5, 0.426, 0.426, 0.501),
    (0.10, 4, 0.594, 0.610, 0.751),
    (0.20, 3, 0.821, 0.872, 0.993),
]


@pytest.mark.parametrize(("p", "best_k", "e_best", "e5", "e10"), TABLE)
def test_it_matches_the_reference_table(p, best_k, e_best, e5, e10):
    advice = best_pool_size(p, max_size=100)
    assert advice.pool_size == best_k
    assert round(advice.tests_per_person, 3) == e_best
    assert round(expected_tests(p, 5), 3) == e5
    assert round(expected_tests(p, 10), 3) == e10


def test_the_maximum_pool_size_caps_the_advice():
    capped = best_pool_size(0.001, max_size=10)
    assert capped.pool_size == 10 and round(capped.tests_per_person, 3) == 0.110
    assert best_pool_size(0.05, max_size=10).pool_size == 5


def test_pooling_stops_paying_at_about_0_3066():
    assert round(POOLING_LIMIT, 4) == 0.3066
    assert best_pool_size(POOLING_LIMIT - 0.001, 10).pool_size == 3
    assert best_pool_size(POOLING_LIMIT + 0.001, 10).pool_size == 1
    assert not best_pool_size(0.5, 10).pooling_advised
    assert expected_tests(0.5, 1) == 1.0


def test_savings_are_counted_against_individual_testing():
    advice = best_pool_size(0.01, 10)
    assert advice.tests_saved(100) == pytest.approx(100 - 100 * expected_tests(0.01, 10))


@pytest.mark.parametrize(("p", "k"), [(-0.1, 5), (1.1, 5), (0.1, 0)])
def test_it_rejects_impossible_inputs(p, k):
    with pytest.raises(ValueError):
        expected_tests(p, k)


def test_the_session_uses_the_default_rate_until_there_are_enough_results(session, ward_officer):
    register(session, ward_officer, 20)
    advice = pool_advice(session)
    assert advice["assumed"] and advice["prevalence"] == 0.01
    assert advice["pool_size"] == 10 and advice["people"] == 20
    assert advice["tests_saved"] == pytest.approx(20 * (1 - expected_tests(0.01, 10)))


def test_the_session_advice_follows_recent_positivity(session, ward_officer, lab_technician, lab):
    from phongdich.testing.results import do_record_result

    Rule.objects.create(key="testing.prevalence_min_samples", value=10)
    reset_cache()
    samples = register(session, ward_officer, 10)
    for i, s in enumerate(samples):
        do_record_result(
            s.tube_code, "positive" if i < 2 else "negative", user=lab_technician, lab=lab
        )
    rate, counted, assumed = recent_positivity(session.ward.province_id)
    assert (rate, counted, assumed) == (0.2, 10, False)
    assert pool_advice(session)["pool_size"] == 3


def test_an_administrator_changes_the_maximum_pool_size(session):
    Rule.objects.create(key="testing.max_pool_size", value=5)
    reset_cache()
    assert pool_advice(session)["pool_size"] == 5
