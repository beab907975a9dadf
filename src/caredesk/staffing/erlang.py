"""Queueing maths for contact centres: Erlang B, Erlang C (M/M/N) and Erlang A
(M/M/N+M), and the number of agents that meets service targets. Pure: no Django.

Conventions: traffic A in Erlangs = volume * AHT / interval length; times in seconds;
probabilities in [0, 1]. Everything is computed without factorials or powers that can
overflow: Erlang B through the recursion on its reciprocal (1/B(n) = 1 + n/A · 1/B(n-1)),
or, for many intervals at once, from the Poisson distribution in log space.

Erlang A (customers abandon after an exponential patience with mean θ) is computed
exactly from its birth-death chain. A customer who arrives to find m others waiting
moves up one place at rate Nμ + iθ while i are ahead of them, and leaves at rate θ;
so they are answered with probability Nμ / (Nμ + (m+1)θ) and their wait, given that
they are answered, is a sum of exponentials with rates Nμ + jθ, j = 1..m+1, which is
distributed as -ln(U)/θ with U ~ Beta(Nμ/θ + 1, m+1) (compare the Laplace transforms):
the service level is a sum of regularised incomplete beta functions, not a simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray
from scipy import special

# Sums over the waiting customers of Erlang A stop when a term is this small relative
# to the total (well below the 1e-9 relative accuracy promised).
TAIL = 1e-17
# Bounds that keep one calculation within about a second: far beyond any real queue.
MAX_TRAFFIC = 100_000.0  # Erlangs
MAX_AGENTS = 200_000
MAX_QUEUE_TERMS = 2_000_000


class StaffingInputError(ValueError):
    """An input that makes no sense (negative volume, zero interval, NaN, ...)."""


def _finite(name: str, value: float, *, positive: bool = False, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise StaffingInputError(f"{name} must be a number")
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise StaffingInputError(f"{name} must be a finite number, got {value}")
    if value < 0 or (value == 0 and (positive or not allow_zero)):
        raise StaffingInputError(f"{name} must be {'positive' if positive else 'zero or more'}")
    return value


def _level(name: str, value: float) -> float:
    value = _finite(name, value)
    if value > 1:
        raise StaffingInputError(f"{name} must be between 0 and 1, got {value}")
    return value


def _agents(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StaffingInputError(f"{name} must be a whole number, zero or more")
    if value > MAX_AGENTS:
        raise StaffingInputError(f"{name} must be at most {MAX_AGENTS:,}")
    return value


def _load(value: float) -> float:
    value = _finite("traffic", value)
    if value > MAX_TRAFFIC:
        raise StaffingInputError(f"traffic must be at most {MAX_TRAFFIC:,.0f} Erlangs")
    return value


def traffic(*, volume: float, interval_seconds: float, aht: float) -> float:
    """Offered load in Erlangs: contacts per interval * average handling time / interval."""
    volume = _finite("volume", volume)
    interval_seconds = _finite("interval length", interval_seconds, positive=True)
    aht = _finite("AHT", aht, positive=True)
    return _load(volume * aht / interval_seconds)


# ---------------------------------------------------------------- Erlang B


def erlang_b(traffic: float, servers: int) -> float:
    """Blocking probability of an M/M/N/N loss system (Erlang B). Exact far into the tail
    (1e-250 and below, until the double range ends near 1e-308)."""
    a = _load(traffic)
    n = _agents("servers", servers)
    if a == 0:
        return 0.0 if n > 0 else 1.0
    inverse = 1.0  # 1/B(0)
    for k in range(1, n + 1):
        inverse = 1.0 + inverse * k / a
        if math.isinf(inverse):
            return 0.0  # below the smallest double
    return 1.0 / inverse


def erlang_b_servers(traffic: float, max_blocking: float) -> tuple[int, float]:
    """The fewest lines with blocking ≤ max_blocking, and that blocking."""
    a = _load(traffic)
    target = _level("maximum blocking", max_blocking)
    if target <= 0:
        raise StaffingInputError("maximum blocking must be above 0")
    inverse, n = 1.0, 0
    while 1.0 / inverse > target:
        n += 1
        inverse = 1.0 + inverse * n / a if a > 0 else math.inf
        if math.isinf(inverse):
            return n, 0.0
    return n, 1.0 / inverse


# ---------------------------------------------------------------- Erlang C


@dataclass(frozen=True)
class ErlangC:
    traffic_erlangs: float
    stable: bool
    wait_probability: float
    service_level: float
    asa_seconds: float | None
    occupancy: float | None


def erlang_c(*, traffic: float, agents: int, aht: float, target_seconds: float) -> ErlangC:
    """M/M/N: probability of waiting C, service level 1 - C·e^(-(N-A)T/AHT), ASA = C·AHT/(N-A)
    over all contacts, occupancy A/N. N ≤ A is unstable: C = 1, service level 0, no ASA."""
    a = _load(traffic)
    n = _agents("agents", agents)
    aht = _finite("AHT", aht, positive=True)
    t = _finite("target time", target_seconds)
    if a == 0:
        return ErlangC(0.0, True, 0.0, 1.0, 0.0, 0.0 if n > 0 else None)
    if n <= a:
        return ErlangC(a, False, 1.0, 0.0, None, None)
    b = erlang_b(a, n)
    c = n * b / (n - a * (1.0 - b))
    service = 1.0 - c * math.exp(-(n - a) * t / aht)
    return ErlangC(
        traffic_erlangs=a,
        stable=True,
        wait_probability=c,
        service_level=min(1.0, max(0.0, service)),
        asa_seconds=c * aht / (n - a),
        occupancy=a / n,
    )


# ---------------------------------------------------------------- Erlang A


@dataclass(frozen=True)
class ErlangA:
    traffic_erlangs: float
    stable: bool
    wait_probability: float
    abandon_probability: float
    service_level: float
    asa_seconds: float | None
    occupancy: float | None


def _queue_weights(a: float, n: int, ratio: float) -> NDArray[np.float64]:
    """q[m] = π(N+m)/π(N) for m = 0, 1, …: Π_{j=1..m} A / (N + j·ratio), ratio = AHT/patience,
    until the terms no longer matter."""
    weights = [1.0]
    total, term, j = 1.0, 1.0, 0
    while True:
        j += 1
        term *= a / (n + j * ratio)
        weights.append(term)
        total += term
        if term < TAIL * total and n + j * ratio > a:
            return np.asarray(weights)
        if j > MAX_QUEUE_TERMS:
            raise StaffingInputError(
                "the patience is too long against the handling time for Erlang A here; "
                "use Erlang C (no patience)"
            )


def erlang_a(
    *, traffic: float, agents: int, aht: float, patience: float, target_seconds: float
) -> ErlangA:
    """M/M/N+M (Erlang A), exact. Service level: the share of all offered contacts answered
    within the target (those who abandon count as not answered). ASA: the mean wait of
    the contacts that are answered (those answered at once included). Always stable."""
    a = _load(traffic)
    n = _agents("agents", agents)
    aht = _finite("AHT", aht, positive=True)
    patience = _finite("patience", patience, positive=True)
    t = _finite("target time", target_seconds)
    if a == 0:
        return ErlangA(0.0, True, 0.0, 0.0, 1.0, 0.0, 0.0 if n > 0 else None)
    if n == 0:
        return ErlangA(a, True, 1.0, 1.0, 0.0, None, None)
    ratio = aht / patience  # θ/μ
    q = _queue_weights(a, n, ratio)  # π(N+m)/π(N), m = 0..M
    b = erlang_b(a, n)
    # Σ_{k<N} π(k)/π(N) = 1/B - 1: the chain up to N is that of Erlang B.
    below = (1.0 / b - 1.0) if b > 0 else math.inf
    if math.isinf(below):
        return ErlangA(a, True, 0.0, 0.0, 1.0, 0.0, a / n)
    norm = below + q.sum()
    p_wait = float(q.sum() / norm)
    m = np.arange(len(q), dtype=np.float64)
    answered_m = n / (n + (m + 1.0) * ratio)  # P(answered | m ahead), μ = 1
    p_abandon = float(np.sum(q * (1.0 - answered_m)) / norm)
    # P(wait ≤ T | answered, m ahead) = P(U ≥ e^(-θT)), U ~ Beta(N/ratio + 1, m + 1)
    x = math.exp(-t / patience)
    within = special.betaincc(n / ratio + 1.0, m + 1.0, x) if t > 0 else np.zeros_like(m)
    within = np.asarray(within, dtype=np.float64)
    service = float((below + np.sum(q * answered_m * within)) / norm)
    # E[wait · 1{answered} | m] = P(answered | m) · Σ_{j=1..m+1} AHT / (N + j·ratio)
    stage_means = np.cumsum(aht / (n + (m + 1.0) * ratio))
    answered = (below + float(np.sum(q * answered_m))) / norm
    asa = float(np.sum(q * answered_m * stage_means)) / norm / answered
    return ErlangA(
        traffic_erlangs=a,
        stable=True,
        wait_probability=p_wait,
        abandon_probability=p_abandon,
        service_level=min(1.0, max(0.0, service)),
        asa_seconds=asa,
        occupancy=a * (1.0 - p_abandon) / n,
    )


# ---------------------------------------------------------------- required agents


@dataclass(frozen=True)
class Targets:
    """What a staffing level must achieve; None means no such target."""

    target_seconds: float = 20.0
    service_level: float | None = 0.8
    asa_seconds: float | None = None
    max_abandon: float | None = None
    max_blocking: float | None = None
    max_occupancy: float | None = None

    def checked(self) -> Targets:
        _finite("target time", self.target_seconds)
        if self.service_level is not None:
            _level("service level", self.service_level)
        if self.asa_seconds is not None:
            _finite("target ASA", self.asa_seconds)
        if self.max_abandon is not None:
            _level("maximum abandonment", self.max_abandon)
        if self.max_blocking is not None:
            _level("maximum blocking", self.max_blocking)
        if (
            self.max_occupancy is not None
            and not _level("maximum occupancy", self.max_occupancy) > 0
        ):
            raise StaffingInputError("maximum occupancy must be above 0")
        return self


def _meets(
    a: float, n: int, aht: float, targets: Targets, patience: float | None
) -> ErlangA | ErlangC | None:
    """The figures at n agents if they meet every target (occupancy aside), else None."""
    if targets.max_blocking is not None and erlang_b(a, n) > targets.max_blocking:
        return None
    result: ErlangA | ErlangC
    if patience is not None:
        result = erlang_a(
            traffic=a, agents=n, aht=aht, patience=patience, target_seconds=targets.target_seconds
        )
        if targets.max_abandon is not None and result.abandon_probability > targets.max_abandon:
            return None
    else:
        result = erlang_c(traffic=a, agents=n, aht=aht, target_seconds=targets.target_seconds)
        if not result.stable:
            return None
    if targets.service_level is not None and result.service_level < targets.service_level:
        return None
    if targets.asa_seconds is not None and (
        result.asa_seconds is None or result.asa_seconds > targets.asa_seconds
    ):
        return None
    return result


def occupancy_floor(traffic: Fraction | float, max_occupancy: Fraction | float) -> int:
    """⌈A / max occupancy⌉, in exact rational arithmetic (0.85 means 85/100)."""
    a = traffic if isinstance(traffic, Fraction) else Fraction(str(traffic))
    occ = max_occupancy if isinstance(max_occupancy, Fraction) else Fraction(str(max_occupancy))
    return math.ceil(a / occ)


def required_agents(
    *,
    traffic: float,
    aht: float,
    targets: Targets,
    patience: float | None = None,
    exact_traffic: Fraction | None = None,
) -> tuple[int, ErlangA | ErlangC]:
    """The least N meeting every target (Erlang A when a patience is given, Erlang C
    otherwise; blocking by Erlang B), then at least ⌈A / max occupancy⌉; with the
    figures at that N. ``exact_traffic`` is A as a fraction when the inputs were decimal
    (so that the occupancy floor is exact)."""
    a = _load(traffic)
    aht = _finite("AHT", aht, positive=True)
    targets = targets.checked()
    if patience is not None:
        patience = _finite("patience", patience, positive=True)
    # Meeting every target is monotone in N (more agents never do worse): find an N
    # that fails and one that meets, then bisect.
    lo = -1 if patience is not None or a == 0 else math.floor(a)  # fails (or unstable)
    hi, step = max(lo + 1, 1), max(1, math.isqrt(math.ceil(a)) + 1)
    while _meets(a, hi, aht, targets, patience) is None:
        lo, hi, step = hi, hi + step, step * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _meets(a, mid, aht, targets, patience) is None:
            lo = mid
        else:
            hi = mid
    if lo == -1 and _meets(a, 0, aht, targets, patience) is not None:
        hi = 0
    n = hi
    result = _meets(a, n, aht, targets, patience)
    assert result is not None
    if targets.max_occupancy is not None:
        floor = occupancy_floor(
            exact_traffic if exact_traffic is not None else a, targets.max_occupancy
        )
        if floor > n:
            n = floor
            result = _meets(a, n, aht, targets, patience)
            assert result is not None  # more agents never make the figures worse
    return n, result


def scheduled_staff(agents: int, shrinkage: Fraction | float) -> int:
    """⌈N / (1 - shrinkage)⌉ in exact rational arithmetic: 21 agents at 30 % shrinkage
    is 30 people, not 31 (21 / 0.7 in floating point is 30.000000000000004)."""
    s = shrinkage if isinstance(shrinkage, Fraction) else Fraction(str(shrinkage))
    if not 0 <= s < 1:
        raise StaffingInputError("shrinkage must be at least 0 and below 1")
    return math.ceil(Fraction(_agents("agents", agents)) / (1 - s))


# ---------------------------------------------------------------- many intervals at once


def _log_erlang_b_many(a: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    """ln B(N, A) element-wise: ln of the Poisson pmf at N over its cdf at N."""
    log_pmf = n * np.log(a) - a - special.gammaln(n + 1.0)
    result: NDArray[np.float64] = log_pmf - np.log(special.pdtr(n, a))
    return result


def erlang_c_service_many(
    a: NDArray[np.float64],
    n: NDArray[np.float64],
    aht: NDArray[np.float64],
    target_seconds: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Service level and wait probability of Erlang C for arrays (N > A assumed)."""
    b = np.exp(_log_erlang_b_many(a, n))
    c = n * b / (n - a * (1.0 - b))
    return 1.0 - c * np.exp(-(n - a) * target_seconds / aht), c


def required_agents_many(
    a: NDArray[np.float64],
    aht: NDArray[np.float64],
    *,
    target_seconds: float,
    service_level: float,
) -> NDArray[np.int64]:
    """Erlang C: the least N with service level ≥ target, for every interval at once
    (vectorised bisection on N; each step evaluates all intervals together)."""
    a = np.asarray(a, dtype=np.float64)
    aht = np.asarray(aht, dtype=np.float64)
    if np.any(~np.isfinite(a)) or np.any(a < 0) or np.any(~(aht > 0)):
        raise StaffingInputError("traffic must be finite and ≥ 0, AHT positive")
    _level("service level", service_level)
    busy = a > 0
    lo = np.floor(a) + 1.0  # the least stable N: may or may not meet the target
    step = np.ceil(np.sqrt(a)) + 1.0
    hi = lo.copy()
    # grow hi until it meets the target everywhere
    while True:
        ok = erlang_c_service_many(np.where(busy, a, 1.0), hi, aht, target_seconds)[0]
        short = busy & (ok < service_level)
        if not short.any():
            break
        hi = np.where(short, hi + step, hi)
        step *= 2
    lo = lo - 1.0  # invariant: lo fails (or is unstable), hi meets
    while True:
        open_ = busy & (hi - lo > 1)
        if not open_.any():
            break
        mid = np.floor((lo + hi) / 2)
        sl = erlang_c_service_many(
            np.where(open_, a, 1.0), np.where(open_, mid, 2.0), aht, target_seconds
        )[0]
        good = open_ & (sl >= service_level)
        hi = np.where(good, mid, hi)
        lo = np.where(open_ & ~good, mid, lo)
    return np.where(busy, hi, 0.0).astype(np.int64)
