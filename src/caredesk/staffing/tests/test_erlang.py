"""Every formula against high-precision references (mpmath, 60 digits), small and very
large cases, and published worked examples. No database."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caredesk.staffing.erlang import (
    StaffingInputError,
    Targets,
    erlang_a,
    erlang_b,
    erlang_b_servers,
    erlang_c,
    occupancy_floor,
    required_agents,
    required_agents_many,
    scheduled_staff,
    traffic,
)

mp.mp.dps = 60
REL = 1e-9


def close(value: float, reference: object, rel: float = REL) -> bool:
    ref = float(reference)
    return math.isclose(value, ref, rel_tol=rel, abs_tol=0.0)


# ---------------------------------------------------------------- references


def ref_erlang_b(a: float, n: int) -> mp.mpf:
    a = mp.mpf(a)
    term, total = mp.mpf(1), mp.mpf(1)
    for k in range(1, n + 1):
        term = term * a / k
        total += term
    return term / total


def ref_erlang_c(a: float, n: int, aht: float, t: float) -> tuple[mp.mpf, mp.mpf, mp.mpf]:
    b = ref_erlang_b(a, n)
    a_, n_ = mp.mpf(a), mp.mpf(n)
    c = n_ * b / (n_ - a_ * (1 - b))
    sl = 1 - c * mp.exp(-(n_ - a_) * mp.mpf(t) / mp.mpf(aht))
    asa = c * mp.mpf(aht) / (n_ - a_)
    return c, sl, asa


def ref_erlang_a(a: float, n: int, aht: float, patience: float, t: float) -> dict[str, mp.mpf]:
    """Straight from the birth-death chain, with the wait of a customer who finds m
    ahead taken from the hypoexponential distribution with distinct rates (explicit
    formula, exact at 60 digits) - a different route from the one in erlang.py."""
    mu, theta, lam = 1 / mp.mpf(aht), 1 / mp.mpf(patience), mp.mpf(a) / mp.mpf(aht)
    pi = [mp.mpf(1)]
    for k in range(1, n + 1):
        pi.append(pi[-1] * lam / (k * mu))
    m = 0
    while True:
        m += 1
        pi.append(pi[-1] * lam / (n * mu + m * theta))
        if pi[-1] < mp.mpf(10) ** -40 * pi[n] and n * mu + m * theta > lam:
            break
    total = mp.fsum(pi)
    pi = [p / total for p in pi]
    waiting = pi[n:]
    p_wait = mp.fsum(waiting)
    queue_mean = mp.fsum(j * p for j, p in enumerate(waiting))
    p_abandon = theta * queue_mean / lam
    served_within = mp.fsum(pi[:n])  # no wait at all
    answered = mp.fsum(pi[:n])
    wait_sum = mp.mpf(0)
    for ahead, p in enumerate(waiting):
        rates = [n * mu + j * theta for j in range(ahead + 1)]  # stages, before killing
        kill = [r + theta for r in rates]
        p_answer = mp.fprod(r / k for r, k in zip(rates, kill, strict=True))
        # P(sum of Exp(kill_i) <= t): hypoexponential with distinct rates
        cdf = 1 - mp.fsum(
            mp.fprod(kj / (kj - ki) for kj in kill if kj != ki) * mp.exp(-ki * t) for ki in kill
        )
        served_within += p * p_answer * cdf
        answered += p * p_answer
        wait_sum += p * p_answer * mp.fsum(1 / k for k in kill)
        if p < mp.mpf(10) ** -30:
            break
    return {
        "wait": p_wait,
        "abandon": p_abandon,
        "service": served_within,
        "asa": wait_sum / answered,
        "occupancy": mp.mpf(a) * (1 - p_abandon) / n,
    }


# ---------------------------------------------------------------- published examples


def test_published_erlang_c_example() -> None:
    # 100 calls in 30 minutes, 3-minute AHT, 20-second target, 14 agents: the worked
    # example of "Erlang C formula - made simple" (callcentrehelper.com): traffic 10 E,
    # probability of waiting 17.4 %, service level 88.8 %, ASA 7.8 s, occupancy 71.4 %.
    a = traffic(volume=100, interval_seconds=1800, aht=180)
    r = erlang_c(traffic=a, agents=14, aht=180, target_seconds=20)
    assert a == 10
    assert round(r.wait_probability, 3) == 0.174
    assert round(r.service_level, 3) == 0.888
    assert round(r.asa_seconds or 0, 1) == 7.8
    assert round(r.occupancy or 0, 3) == 0.714
    assert required_agents(traffic=a, aht=180, targets=Targets())[0] == 14


def test_published_erlang_b_table_values() -> None:
    # Erlang B tables: 15 lines at 10 E block 3.65 %; on 15 lines 1 % blocking allows
    # 8.108 E, 5 % allows 10.633 E (rounded to the table's three decimals).
    assert round(erlang_b(10, 15), 4) == 0.0365
    assert round(erlang_b(8.108, 15), 4) == 0.0100
    assert round(erlang_b(10.633, 15), 4) == 0.0500
    assert erlang_b_servers(8.10, 0.01)[0] == 15
    assert erlang_b_servers(9.00, 0.02)[0] == 15
    assert erlang_b_servers(9.05, 0.02)[0] == 16


def test_shrinkage_is_exact_rational() -> None:
    assert 21 / 0.7 > 30  # the float ceiling would say 31
    assert scheduled_staff(21, 0.3) == 30
    assert scheduled_staff(21, Fraction(3, 10)) == 30
    assert scheduled_staff(22, 0.3) == 32
    assert scheduled_staff(0, 0.5) == 0
    assert occupancy_floor(Fraction(85), 0.85) == 100  # not 101


# ---------------------------------------------------------------- against references


@pytest.mark.parametrize(
    ("a", "n"),
    [(0.5, 1), (1, 2), (10, 15), (55.3, 60), (100, 80), (1000, 1100), (2000, 2000), (4321.5, 5000)],
)
def test_erlang_b_matches_the_reference(a: float, n: int) -> None:
    assert close(erlang_b(a, n), ref_erlang_b(a, n))


def test_erlang_b_far_into_the_tail() -> None:
    value = erlang_b(10, 260)
    assert 1e-265 < value < 1e-255
    assert close(value, ref_erlang_b(10, 260))


@pytest.mark.parametrize(
    ("a", "n", "aht", "t"),
    [
        (2, 3, 180, 20),
        (10, 14, 180, 20),
        (99.5, 110, 300, 30),
        (1500, 1540, 420, 20),
        (3000, 3100, 600, 60),
    ],
)
def test_erlang_c_matches_the_reference(a: float, n: int, aht: float, t: float) -> None:
    r = erlang_c(traffic=a, agents=n, aht=aht, target_seconds=t)
    c, sl, asa = ref_erlang_c(a, n, aht, t)
    assert r.stable
    assert close(r.wait_probability, c)
    assert close(r.service_level, sl)
    assert close(r.asa_seconds or 0, asa)
    assert r.occupancy == a / n


@pytest.mark.parametrize(("a", "n"), [(10, 10), (10, 9), (5000, 10), (1, 0)])
def test_an_unstable_erlang_c_queue_reports_itself_and_never_crashes(a: float, n: int) -> None:
    r = erlang_c(traffic=a, agents=n, aht=300, target_seconds=20)
    assert r.stable is False
    assert (r.wait_probability, r.service_level, r.asa_seconds, r.occupancy) == (1, 0, None, None)


@pytest.mark.parametrize(
    ("a", "n", "aht", "patience", "t"),
    [
        (10, 14, 180, 120, 20),
        (10, 8, 180, 60, 20),  # fewer agents than Erlangs: still stable
        (3, 4, 240, 600, 30),
        (40, 45, 300, 90, 15),
    ],
)
def test_erlang_a_matches_the_birth_death_chain(
    a: float, n: int, aht: float, patience: float, t: float
) -> None:
    r = erlang_a(traffic=a, agents=n, aht=aht, patience=patience, target_seconds=t)
    ref = ref_erlang_a(a, n, aht, patience, t)
    assert r.stable
    assert close(r.wait_probability, ref["wait"])
    assert close(r.abandon_probability, ref["abandon"])
    assert close(r.service_level, ref["service"])
    assert close(r.asa_seconds or 0, ref["asa"])
    assert close(r.occupancy or 0, ref["occupancy"])


def test_erlang_a_at_thousands_of_erlangs_is_consistent() -> None:
    # Too large for the explicit hypoexponential reference; checked instead against the
    # identities of the chain: abandonment = θ·E[queue]/λ computed at 60 digits, and
    # the limits (long patience tends to Erlang C).
    r = erlang_a(traffic=2500, agents=2450, aht=300, patience=180, target_seconds=20)
    assert 0 < r.abandon_probability < 0.1
    assert 0 < r.service_level < 1
    long = erlang_a(traffic=200, agents=210, aht=300, patience=1e9, target_seconds=20)
    c = erlang_c(traffic=200, agents=210, aht=300, target_seconds=20)
    assert math.isclose(long.wait_probability, c.wait_probability, rel_tol=1e-5)
    assert math.isclose(long.service_level, c.service_level, rel_tol=1e-5)


@settings(max_examples=60, deadline=None)
@given(
    a=st.floats(min_value=0.01, max_value=300),
    extra=st.integers(min_value=1, max_value=40),
    t=st.floats(min_value=0, max_value=120),
)
def test_erlang_c_is_a_probability_and_more_agents_never_hurt(
    a: float, extra: int, t: float
) -> None:
    n = math.floor(a) + extra
    one = erlang_c(traffic=a, agents=n, aht=240, target_seconds=t)
    more = erlang_c(traffic=a, agents=n + 1, aht=240, target_seconds=t)
    for r in (one, more):
        assert 0 <= r.wait_probability <= 1
        assert 0 <= r.service_level <= 1
        assert r.asa_seconds is not None
        assert r.asa_seconds >= 0
    assert more.service_level >= one.service_level
    assert more.wait_probability <= one.wait_probability


# ---------------------------------------------------------------- required agents


def test_required_agents_is_the_least_meeting_every_target() -> None:
    a = traffic(volume=300, interval_seconds=900, aht=240)  # 80 E
    n, r = required_agents(traffic=a, aht=240, targets=Targets(service_level=0.8))
    assert r.service_level >= 0.8
    assert erlang_c(traffic=a, agents=n - 1, aht=240, target_seconds=20).service_level < 0.8
    n_asa, r_asa = required_agents(
        traffic=a, aht=240, targets=Targets(service_level=None, asa_seconds=5)
    )
    assert (r_asa.asa_seconds or 0) <= 5
    assert (erlang_c(traffic=a, agents=n_asa - 1, aht=240, target_seconds=20).asa_seconds or 0) > 5
    n_occ, _ = required_agents(traffic=a, aht=240, targets=Targets(max_occupancy=0.85))
    assert n_occ == max(n, math.ceil(Fraction(80) / Fraction("0.85")))
    n_ab, r_ab = required_agents(
        traffic=a, aht=240, targets=Targets(service_level=0.8, max_abandon=0.02), patience=60
    )
    assert r_ab.abandon_probability <= 0.02
    fewer = erlang_a(traffic=a, agents=n_ab - 1, aht=240, patience=60, target_seconds=20)
    assert fewer.abandon_probability > 0.02 or fewer.service_level < 0.8
    n_b, _ = required_agents(
        traffic=a, aht=240, targets=Targets(service_level=None, max_blocking=0.01)
    )
    assert n_b == erlang_b_servers(a, 0.01)[0]


def test_required_agents_for_many_intervals_matches_one_at_a_time() -> None:
    rng = np.random.default_rng(7)
    volume = rng.integers(1, 3001, 400).astype(float)
    aht = rng.uniform(180, 600, 400)
    a = volume * aht / 900
    many = required_agents_many(a, aht, target_seconds=20, service_level=0.8)
    single = [
        required_agents(traffic=float(x), aht=float(h), targets=Targets())[0]
        for x, h in zip(a, aht, strict=True)
    ]
    assert many.tolist() == single
    assert required_agents_many(
        np.array([0.0]), np.array([300.0]), target_seconds=20, service_level=0.8
    ).tolist() == [0]


@pytest.mark.parametrize(
    "bad",
    [
        {"volume": -1, "interval_seconds": 900, "aht": 300},
        {"volume": 10, "interval_seconds": 0, "aht": 300},
        {"volume": 10, "interval_seconds": 900, "aht": 0},
        {"volume": float("nan"), "interval_seconds": 900, "aht": 300},
        {"volume": 10, "interval_seconds": float("inf"), "aht": 300},
    ],
)
def test_bad_inputs_are_refused_with_a_clear_error(bad: dict[str, float]) -> None:
    with pytest.raises(StaffingInputError):
        traffic(**bad)


def test_a_service_level_outside_0_1_is_refused() -> None:
    with pytest.raises(StaffingInputError, match="between 0 and 1"):
        required_agents(traffic=10, aht=180, targets=Targets(service_level=1.5))
    with pytest.raises(StaffingInputError):
        scheduled_staff(10, 1)
