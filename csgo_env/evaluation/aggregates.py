"""Aggregate scores over runs and settings with rliable (Agarwal et al., NeurIPS 2021).

Input: ``scores = {algorithm: (runs, settings) float64}``, one row per seed and one column
per setting (task), the same settings in the same order for every algorithm. Outputs are
plain data (lists of floats) so they serialise byte-identically.

rliable draws its bootstrap resamples from NumPy's *global* generator (its own
``random_state`` argument does not reach the resampling), so every function here calls
``np.random.seed(seed)`` immediately before each rliable call and records the seed, the
number of replications and the bootstrap method in its output. The same inputs and seed
give byte-identical JSON.

* :func:`interval_estimates`: IQM, mean, median and optimality gap (gamma = 1, meant for
  normalised scores where 1 is the reference level) with 95% stratified-bootstrap
  percentile intervals;
* :func:`performance_profiles`: fraction of runs scoring above each threshold tau, with
  intervals;
* :func:`improvement_probabilities`: P(X > Y) for each pair of algorithms (Mann-Whitney
  statistic averaged over settings), with intervals.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from csgo_env.errors import EvaluationError, explain

AGGREGATES: tuple[str, ...] = ("iqm", "mean", "median", "optimality_gap")
BOOTSTRAP = "stratified bootstrap over runs within each setting, percentile intervals"
DEFAULT_REPS = 50_000
PAIR_SEPARATOR = ","


def check_scores(scores: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Validate ``{algorithm: (runs, settings)}`` score matrices; returns float64 copies."""
    if not scores:
        raise EvaluationError(explain("no algorithms to aggregate"))
    out = {}
    for name, matrix in scores.items():
        arr = np.array(matrix, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
            raise EvaluationError(explain(f"scores of {name} must be (runs, settings)",
                                          got=str(arr.shape)))
        if not np.all(np.isfinite(arr)):
            raise EvaluationError(explain(f"scores of {name} hold NaN or inf",
                                          fix="drop the metric or the run that produced it"))
        out[name] = arr
    settings = {a.shape[1] for a in out.values()}
    if len(settings) != 1:
        raise EvaluationError(explain("algorithms were scored on different numbers of settings",
                                      got=str({k: v.shape for k, v in out.items()})))
    return out


def _aggregate_fn() -> Callable[[np.ndarray], np.ndarray]:
    from rliable import metrics

    def aggregate(x: np.ndarray) -> np.ndarray:
        return np.array([metrics.aggregate_iqm(x), metrics.aggregate_mean(x),
                         metrics.aggregate_median(x), metrics.aggregate_optimality_gap(x)])

    return aggregate


def _floats(values: Any) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def interval_estimates(scores: Mapping[str, np.ndarray], *, seed: int,
                       reps: int = DEFAULT_REPS, confidence: float = 0.95) -> dict[str, Any]:
    """Point estimates and CIs of :data:`AGGREGATES` per algorithm."""
    from rliable import library as rly

    data = check_scores(scores)
    np.random.seed(int(seed))
    point, interval = rly.get_interval_estimates(data, _aggregate_fn(), reps=int(reps),
                                                 confidence_interval_size=confidence)
    estimates = {}
    for name in sorted(data):
        low, high = np.asarray(interval[name])
        estimates[name] = {agg: {"point": float(p), "low": float(lo), "high": float(hi)}
                           for agg, p, lo, hi in zip(AGGREGATES, point[name], low, high,
                                                     strict=True)}
    return {"seed": int(seed), "reps": int(reps), "confidence": confidence,
            "bootstrap": BOOTSTRAP, "aggregates": list(AGGREGATES),
            "optimality_gap_gamma": 1.0, "estimates": estimates}


def performance_profiles(scores: Mapping[str, np.ndarray], taus: Sequence[float] | np.ndarray, *,
                         seed: int, reps: int = 2000, confidence: float = 0.95
                         ) -> dict[str, Any]:
    """Run-score distributions (fraction of runs with score > tau) with CIs."""
    from rliable import library as rly

    data = check_scores(scores)
    tau = np.asarray(taus, dtype=np.float64)
    np.random.seed(int(seed))
    profiles, cis = rly.create_performance_profile(data, tau, reps=int(reps),
                                                   confidence_interval_size=confidence)
    return {"seed": int(seed), "reps": int(reps), "confidence": confidence,
            "bootstrap": BOOTSTRAP, "taus": _floats(tau),
            "profiles": {k: _floats(profiles[k]) for k in sorted(data)},
            "low": {k: _floats(np.asarray(cis[k])[0]) for k in sorted(data)},
            "high": {k: _floats(np.asarray(cis[k])[1]) for k in sorted(data)}}


def improvement_probabilities(scores: Mapping[str, np.ndarray], *, seed: int,
                              reps: int = 2000, confidence: float = 0.95) -> dict[str, Any]:
    """P(X > Y) with CIs for every ordered pair X, Y of algorithms (``"X,Y"`` keys); each
    algorithm's runs are resampled independently."""
    from rliable import library as rly
    from rliable import metrics

    data = check_scores(scores)
    pairs = {f"{x}{PAIR_SEPARATOR}{y}": [data[x], data[y]]
             for x, y in itertools.permutations(sorted(data), 2)}
    if not pairs:
        return {"seed": int(seed), "reps": int(reps), "pairs": {}}
    np.random.seed(int(seed))
    point, interval = rly.get_interval_estimates(pairs, metrics.probability_of_improvement,
                                                 reps=int(reps),
                                                 confidence_interval_size=confidence)
    return {"seed": int(seed), "reps": int(reps), "confidence": confidence,
            "bootstrap": "independent stratified bootstrap of each algorithm's runs, "
                         "percentile intervals",
            "pairs": {k: {"point": float(np.asarray(point[k])),
                          "low": float(np.asarray(interval[k]).ravel()[0]),
                          "high": float(np.asarray(interval[k]).ravel()[1])}
                      for k in pairs}}


def taus_for(scores: Mapping[str, np.ndarray], points: int = 51) -> np.ndarray:
    """Evenly spaced thresholds from the lowest to the highest score (a profile's x axis)."""
    values = np.concatenate([np.asarray(v, np.float64).ravel() for v in scores.values()])
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, points)


__all__ = ["AGGREGATES", "BOOTSTRAP", "DEFAULT_REPS", "check_scores",
           "improvement_probabilities", "interval_estimates", "performance_profiles",
           "taus_for"]
