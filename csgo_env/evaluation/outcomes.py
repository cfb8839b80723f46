"""Outcome distributions (Durst; MLMove): per-life lifetime, kills per life, shots per kill.

Inputs are per-tick arrays of one episode or live run, all of length T and aligned per
step t (16 Hz ticks):

* ``kill[t]``, ``death[t]`` (bool): the kill / death flags that arrived *after* step t (in a
  converted dataset: ``infos/kill[t + 1]``; the loader's ``kill`` / ``death``);
* ``shots[t]`` (number): shots fired during step t; from recordings this is the fire key
  (0/1 per tick, a tick with the trigger held; an AK-47 fires ~0.6 rounds per tick), from
  a live run it may be the clip-ammo decrease;
* ``alive[t]`` (bool, optional): whether the player was alive at step t (health > 0).

A **life** is complete when it starts and ends inside the array: it starts after a death
and ends with the next death, so the first and last (censored) spells of each episode are
not lives. Its lifetime is the number of alive ticks in it / ``hz`` seconds when ``alive``
is known, else the death-to-death interval (which includes the respawn wait; the method
string says which). **Kills per life** counts kill flags within each complete life.
**Shots per kill** sums ``shots`` from just after the previous kill (or death) to the kill,
for kills that have a previous kill or death in the same array.

:func:`compare` gives the 1-D Wasserstein distance (SciPy, in the quantity's units) and a
two-sample Mann-Whitney U test (two-sided; rank based, valid with ties, as kills per life
has many) with its p-value; ``test="ks"`` gives the two-sample Kolmogorov-Smirnov test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from csgo_env.errors import EvaluationError, explain

TICK_HZ = 16.0
"""Ticks per second of the recordings and the env."""
UNITS = {"lifetime": "s", "kills_per_life": "kills", "shots_per_kill": "shots"}
TESTS = ("mannwhitney", "ks")


@dataclass
class LifeStats:
    """Samples pooled over episodes: ``lifetime`` (s), ``kills_per_life``, ``shots_per_kill``
    (float64 arrays), and the lifetime method used."""

    lifetime: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kills_per_life: np.ndarray = field(default_factory=lambda: np.zeros(0))
    shots_per_kill: np.ndarray = field(default_factory=lambda: np.zeros(0))
    lifetime_method: str = ""

    def as_dict(self) -> dict[str, np.ndarray]:
        """``{"lifetime": ..., "kills_per_life": ..., "shots_per_kill": ...}``."""
        return {"lifetime": self.lifetime, "kills_per_life": self.kills_per_life,
                "shots_per_kill": self.shots_per_kill}


def _flags(values: np.ndarray, name: str, length: int | None = None) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1 or (length is not None and arr.shape[0] != length):
        raise EvaluationError(explain(f"{name} must be a 1-D per-tick array",
                                      expected=f"shape ({length if length else 'T'},)",
                                      got=str(arr.shape)))
    return arr


def episode_lives(kill: np.ndarray, death: np.ndarray, shots: np.ndarray | None = None,
                  alive: np.ndarray | None = None, *, hz: float = TICK_HZ) -> LifeStats:
    """Outcome samples of one episode (see the module docstring for the alignment)."""
    kill = _flags(kill, "kill").astype(bool)
    t = kill.shape[0]
    death = _flags(death, "death", t).astype(bool)
    shot_counts = (np.zeros(t) if shots is None
                   else _flags(shots, "shots", t).astype(np.float64))
    alive_arr = None if alive is None else _flags(alive, "alive", t).astype(bool)
    deaths = np.flatnonzero(death)
    lifetimes, kills_per_life = [], []
    for lo, hi in itertools.pairwise(deaths):  # life = steps lo+1 .. hi
        kills_per_life.append(float(kill[lo + 1:hi + 1].sum()))
        if alive_arr is not None:
            lifetimes.append(float(alive_arr[lo + 1:hi + 1].sum()) / hz)
        else:
            lifetimes.append(float(hi - lo) / hz)
    shots_per_kill = []
    if shots is not None:
        marks = np.flatnonzero(kill | death)
        for prev, cur in itertools.pairwise(marks):
            if kill[cur]:
                shots_per_kill.append(float(shot_counts[prev + 1:cur + 1].sum()))
    method = ("alive ticks between deaths / hz" if alive is not None
              else "death-to-death interval / hz (includes the respawn wait)")
    return LifeStats(np.asarray(lifetimes), np.asarray(kills_per_life),
                     np.asarray(shots_per_kill), method)


def pooled(stats: Iterable[LifeStats]) -> LifeStats:
    """Concatenate the samples of several episodes (their lifetime methods must agree)."""
    items = list(stats)
    methods = {s.lifetime_method for s in items if s.lifetime.size}
    if len(methods) > 1:
        raise EvaluationError(explain("episodes measured lifetimes differently",
                                      got=", ".join(sorted(methods)),
                                      fix="give alive flags for all episodes or for none"))
    cat = {k: np.concatenate([s.as_dict()[k] for s in items] or [np.zeros(0)])
           for k in UNITS}
    return LifeStats(cat["lifetime"], cat["kills_per_life"], cat["shots_per_kill"],
                     methods.pop() if methods else (items[0].lifetime_method if items else ""))


def compare(agent: np.ndarray, human: np.ndarray, *, test: str = "mannwhitney"
            ) -> dict[str, object]:
    """1-D Wasserstein distance and a two-sample test between two samples (1-D arrays).

    Returns ``wasserstein`` (units of the samples), ``test``, ``statistic``, ``p_value``,
    ``n_agent``, ``n_human`` and both medians; the distance and test are NaN when a side is
    empty.
    """
    from scipy import stats

    if test not in TESTS:
        raise EvaluationError(explain("unknown two-sample test", expected=f"one of {TESTS}",
                                      got=repr(test)))
    a = np.asarray(agent, dtype=np.float64).ravel()
    h = np.asarray(human, dtype=np.float64).ravel()
    out: dict[str, object] = {"n_agent": int(a.size), "n_human": int(h.size),
                              "median_agent": float(np.median(a)) if a.size else float("nan"),
                              "median_human": float(np.median(h)) if h.size else float("nan")}
    if a.size == 0 or h.size == 0:
        return {**out, "wasserstein": float("nan"), "test": test, "statistic": float("nan"),
                "p_value": float("nan")}
    if test == "mannwhitney":
        res = stats.mannwhitneyu(a, h, alternative="two-sided")
        name = "Mann-Whitney U, two-sided"
    else:
        res = stats.ks_2samp(a, h)
        name = "Kolmogorov-Smirnov two-sample, two-sided"
    return {**out, "wasserstein": float(stats.wasserstein_distance(a, h)), "test": name,
            "statistic": float(res.statistic), "p_value": float(res.pvalue)}


def compare_outcomes(agent: LifeStats, human: LifeStats, *, test: str = "mannwhitney"
                     ) -> dict[str, dict[str, object]]:
    """:func:`compare` for each of the three quantities, with units and lifetime methods."""
    out: dict[str, dict[str, object]] = {}
    for name, unit in UNITS.items():
        out[name] = {**compare(agent.as_dict()[name], human.as_dict()[name], test=test),
                     "unit": unit}
    out["lifetime"]["method_agent"] = agent.lifetime_method
    out["lifetime"]["method_human"] = human.lifetime_method
    return out


def samples_for_plot(sources: Mapping[str, LifeStats]) -> dict[str, dict[str, np.ndarray]]:
    """``{quantity: {source: values}}`` for ``figures.plot_distributions``."""
    return {q: {name: s.as_dict()[q] for name, s in sources.items()} for q in UNITS}


__all__ = ["TESTS", "TICK_HZ", "UNITS", "LifeStats", "compare", "compare_outcomes",
           "episode_lives", "pooled", "samples_for_plot"]
