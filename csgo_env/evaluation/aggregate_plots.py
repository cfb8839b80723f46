"""rliable's figures from the outputs of :mod:`csgo_env.evaluation.aggregates`.

Each function draws with ``rliable.plot_utils`` and writes one PNG (no timestamp, so the
same data and seed give the same bytes); titles say SYNTHETIC when asked.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.evaluation.aggregates import AGGREGATES, PAIR_SEPARATOR
from csgo_env.evaluation.figures import pyplot, save_png

_LABELS = {"iqm": "IQM", "mean": "Mean", "median": "Median",
           "optimality_gap": "Optimality gap"}


def _suffix(synthetic: bool) -> str:
    return " (SYNTHETIC DATA)" if synthetic else ""


def plot_intervals(estimates: dict[str, Any], path: str | os.PathLike[str], *,
                   xlabel: str = "score", synthetic: bool = False) -> Path:
    """rliable's interval plot of IQM, mean, median and optimality gap per algorithm."""
    from rliable import plot_utils

    pyplot()
    est = estimates["estimates"]
    algorithms = sorted(est)
    point = {a: np.array([est[a][m]["point"] for m in AGGREGATES]) for a in algorithms}
    interval = {a: np.array([[est[a][m]["low"] for m in AGGREGATES],
                             [est[a][m]["high"] for m in AGGREGATES]]) for a in algorithms}
    fig, _ = plot_utils.plot_interval_estimates(
        point, interval, metric_names=[_LABELS[m] for m in AGGREGATES],
        algorithms=algorithms, xlabel=xlabel + _suffix(synthetic))
    return save_png(fig, path)


def plot_profiles(profiles: dict[str, Any], path: str | os.PathLike[str], *,
                  xlabel: str = "score (tau)", synthetic: bool = False) -> Path:
    """rliable's performance-profile plot with its confidence bands."""
    from rliable import plot_utils

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    names = sorted(profiles["profiles"])
    curves = {k: np.asarray(profiles["profiles"][k]) for k in names}
    bands = {k: np.array([profiles["low"][k], profiles["high"][k]]) for k in names}
    plot_utils.plot_performance_profiles(curves, np.asarray(profiles["taus"]),
                                         performance_profile_cis=bands, ax=ax,
                                         xlabel=xlabel + _suffix(synthetic))
    ax.legend(names, fontsize="small")
    return save_png(fig, path)


def plot_improvement(probabilities: dict[str, Any], path: str | os.PathLike[str], *,
                     synthetic: bool = False) -> Path | None:
    """rliable's probability-of-improvement plot; None when there is a single algorithm."""
    from rliable import plot_utils

    pairs = probabilities.get("pairs", {})
    if not pairs:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 0.6 * len(pairs) + 1.5))
    point = {k: v["point"] for k, v in pairs.items()}
    interval = {k: np.array([v["low"], v["high"]]) for k, v in pairs.items()}
    plot_utils.plot_probability_of_improvement(point, interval, pair_separator=PAIR_SEPARATOR,
                                               ax=ax, xlabel="P(X > Y)" + _suffix(synthetic))
    return save_png(fig, path)


__all__ = ["plot_improvement", "plot_intervals", "plot_profiles"]
