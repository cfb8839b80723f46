"""What one live run saw, step by step, and the run's metrics.

:class:`RunTrace` collects, per env step ``t`` (16 Hz ticks): the action's fire key (a
*shot* is a tick with fire held, as in the recordings), the GSI events of the step (kills,
deaths, suicides; a suicide is also a death), whether the player was alive (GSI health, else
the memory pose's), the pose when the game gives one (position in world units, yaw and
pitch in degrees as :class:`~csgo_env.game.memory.pose.Pose` defines them), the tick's
lateness and the step's wall-clock time since the run started (seconds).

:meth:`RunTrace.summary` turns it into plain data: the event timeline (kind, step, time,
position and view angles), the per-step track, the per-life segments, the lateness
statistics and the metrics of ``evaluation/protocol.md``:

- ``kills_per_minute``, ``deaths_per_minute``: per **wall-clock** minute when the loop was
  paced (16 Hz real time), per **game** minute (steps / fps / 60) when it ran unpaced
  (the arena only); ``time_basis`` says which.
- ``kd`` = kills / max(deaths, 1); ``shots_per_kill`` = shots / kills (null without kills).
- ``lifetime_s`` and ``kills_per_life``: means over complete lives
  (:func:`csgo_env.evaluation.outcomes.episode_lives`: from just after a death to the next
  death; alive ticks / fps when health is known), null without a complete life.
- ``lateness/p50_ms``, ``lateness/p99_ms``, ``lateness/max_ms``, ``lateness/overruns``
  and the raw counts under ``counts/``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from csgo_env.actions import FIRE_INDEX
from csgo_env.evaluation.outcomes import LifeStats, episode_lives, pooled

LATENESS_BUDGET_MS = 2.0
"""A paced run whose p99 lateness exceeds this is reported as such (protocol)."""
POSE_KEYS = ("x", "y", "z", "yaw", "pitch")


def _r(value: float, digits: int = 2) -> float | None:
    return None if not math.isfinite(value) else round(float(value), digits)


@dataclass
class RunTrace:
    """Per-step record of one run (module docstring); ``fps`` steps per game second."""

    fps: float = 16.0
    paced: bool = True
    fire: list[int] = field(default_factory=list)
    kills: list[int] = field(default_factory=list)
    deaths: list[int] = field(default_factory=list)
    suicides: list[int] = field(default_factory=list)
    alive: list[int] = field(default_factory=list)
    """1 alive, 0 dead, -1 unknown, per step"""
    pose: dict[str, list[float]] = field(
        default_factory=lambda: {k: [] for k in POSE_KEYS})
    lateness_s: list[float] = field(default_factory=list)
    overruns: int = 0
    times_s: list[float] = field(default_factory=list)
    episode_starts: list[int] = field(default_factory=lambda: [0])
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def steps(self) -> int:
        """Steps recorded so far."""
        return len(self.fire)

    def new_episode(self) -> None:
        """The env was reset inside the run: lives do not run across this boundary."""
        if self.steps and self.episode_starts[-1] != self.steps:
            self.episode_starts.append(self.steps)

    def add(self, action: np.ndarray, info: dict[str, Any], t_s: float) -> None:
        """Record one step: the action sent (int64 (15,)), the env's info after it, and
        the time since the run started (s)."""
        step = self.steps
        self.fire.append(int(action[FIRE_INDEX]))
        k, d = int(info.get("step_kills", 0)), int(info.get("step_deaths", 0))
        s = int(info.get("step_suicides", 0))
        self.kills.append(k)
        self.deaths.append(d)
        self.suicides.append(s)
        pose = info.get("pose")
        values = ((math.nan,) * 5 if pose is None else
                  (*pose.position, pose.yaw_deg, pose.pitch_deg))
        for key, value in zip(POSE_KEYS, values, strict=True):
            self.pose[key].append(float(value))
        health = info.get("health")
        if health is None and pose is not None:
            health = pose.health
        self.alive.append(-1 if health is None else int(health > 0))
        self.lateness_s.append(float(info.get("tick_lateness_s", 0.0)))
        self.overruns += int(bool(info.get("overrun", False)))
        self.times_s.append(float(t_s))
        where = {"position": None if pose is None else [_r(v) for v in values[:3]],
                 "yaw": _r(values[3]), "pitch": _r(values[4])}
        for kind, count in (("kill", k), ("death", d - s), ("suicide", s)):
            for _ in range(max(count, 0)):
                self.events.append({"kind": kind, "step": step, "t_s": round(t_s, 4),
                                    **where})

    # --- derived ---------------------------------------------------------------------
    def _episodes(self) -> list[slice]:
        bounds = [*self.episode_starts, self.steps]
        return [slice(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]

    def life_stats(self) -> LifeStats:
        """Outcome samples over the run's episodes (:mod:`~csgo_env.evaluation.outcomes`)."""
        kill, death = np.array(self.kills), np.array(self.deaths)
        fire, alive = np.array(self.fire, np.float64), np.array(self.alive)
        known = bool(alive.size) and bool((alive >= 0).all())
        return pooled(episode_lives(kill[s] > 0, death[s] > 0, fire[s],
                                    (alive[s] > 0) if known else None, hz=self.fps)
                      for s in self._episodes())

    def lives(self) -> list[dict[str, Any]]:
        """Per-life segments: steps ``start..end`` (inclusive), kills, shots, lifetime (s);
        ``complete`` is False for the censored first and last spell of each episode."""
        out = []
        alive = np.array(self.alive)
        for ep in self._episodes():
            deaths = [i for i in range(ep.start, ep.stop) if self.deaths[i] > 0]
            bounds = [ep.start - 1, *deaths] + ([] if deaths and deaths[-1] == ep.stop - 1
                                                else [ep.stop - 1])
            for n, (lo, hi) in enumerate(itertools.pairwise(bounds)):
                seg = slice(lo + 1, hi + 1)
                ticks = (int((alive[seg] > 0).sum()) if (alive[seg] >= 0).all()
                         else hi - lo)
                out.append({"start": lo + 1, "end": hi, "kills": int(sum(self.kills[seg])),
                            "shots": int(sum(self.fire[seg])),
                            "lifetime_s": round(ticks / self.fps, 4),
                            "complete": n > 0 and self.deaths[hi] > 0})
        return out

    def minutes(self, wall_s: float) -> float:
        """The run's length in the minutes its rates are per (module docstring)."""
        return (wall_s if self.paced else self.steps / self.fps) / 60.0

    def metrics(self, wall_s: float) -> dict[str, float | None]:
        """The run's metrics (module docstring); undefined values are None."""
        minutes = self.minutes(wall_s)
        kills, deaths, shots = sum(self.kills), sum(self.deaths), sum(self.fire)
        lives = self.life_stats()
        late = np.array(self.lateness_s or [0.0]) * 1e3
        per = (lambda n: n / minutes) if minutes > 0 else (lambda n: math.nan)

        def mean(values: np.ndarray) -> float | None:
            return float(values.mean()) if values.size else None

        out: dict[str, float | None] = {
            "kills_per_minute": per(kills), "deaths_per_minute": per(deaths),
            "kd": kills / max(deaths, 1), "shots_per_kill": shots / kills if kills else None,
            "lifetime_s": mean(lives.lifetime), "kills_per_life": mean(lives.kills_per_life),
            "lateness/p50_ms": float(np.percentile(late, 50)),
            "lateness/p99_ms": float(np.percentile(late, 99)),
            "lateness/max_ms": float(late.max()), "lateness/overruns": float(self.overruns),
            "counts/kills": float(kills), "counts/deaths": float(deaths),
            "counts/suicides": float(sum(self.suicides)), "counts/shots": float(shots),
            "counts/steps": float(self.steps), "counts/minutes": minutes}
        return {k: (None if v is None or not math.isfinite(v) else float(v))
                for k, v in out.items()}

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """World (x, y) per step, float64 (steps,); NaN where the game gave no pose."""
        return np.array(self.pose["x"], np.float64), np.array(self.pose["y"], np.float64)

    def summary(self, wall_s: float) -> dict[str, Any]:
        """Plain data of the whole run (module docstring), JSON-ready."""
        late = self.metrics(wall_s)
        has_pose = any(math.isfinite(v) for v in self.pose["x"])
        return {
            "steps": self.steps, "wall_s": round(wall_s, 3),
            "game_s": round(self.steps / self.fps, 3), "fps": self.fps, "paced": self.paced,
            "time_basis": "wall-clock" if self.paced else "game",
            "minutes": self.minutes(wall_s),
            "events": self.events, "lives": self.lives(),
            "episode_starts": list(self.episode_starts),
            "track": {"fire": "".join(map(str, self.fire)),
                      "alive": "".join("-" if a < 0 else str(a) for a in self.alive),
                      "t_s": [round(t, 4) for t in self.times_s],
                      **({k: [_r(v) for v in vs] for k, vs in self.pose.items()}
                         if has_pose else {k: None for k in POSE_KEYS})},
            "lateness": {"p50_ms": late["lateness/p50_ms"], "p99_ms": late["lateness/p99_ms"],
                         "max_ms": late["lateness/max_ms"], "overruns": self.overruns,
                         "over_budget": bool(self.paced and (late["lateness/p99_ms"] or 0.0)
                                             > LATENESS_BUDGET_MS),
                         "budget_ms": LATENESS_BUDGET_MS},
        }


__all__ = ["LATENESS_BUDGET_MS", "POSE_KEYS", "RunTrace"]
