"""The one episode loop of every live command: ``evaluate --live``, ``play``, the benchmark.

:func:`play_run` plays a policy in a live env for a :class:`Budget` (steps, or minutes) and
returns the run's :class:`~csgo_env.evaluation.live_trace.RunTrace`. The env is reset once
with the run's seed (the arena starts a fresh world from it; a real game goes on and the
reset waits for the player to be alive); an episode that ends inside the run (``terminated``
or ``truncated``) is reset without a seed and play goes on, the boundary recorded.

Minutes are wall-clock minutes when the env is paced (real time) and game minutes
(``minutes * 60 * fps`` steps) when it runs unpaced, so an unpaced run has the same length
on every machine. The loop never closes the env: its owner does, in a ``finally``, which
releases every held key (the env's normal paths; the release guardian covers SIGKILL).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env.errors import UsageError, explain
from csgo_env.evaluation.live_trace import RunTrace
from csgo_env.policy import Policy

StepHook = Callable[[RunTrace, dict[str, Any], float], None]
"""``hook(trace, info, reward)`` after every step (status lines, progress bars)."""


@dataclass(frozen=True)
class Budget:
    """How long one run lasts: ``steps``, or ``minutes`` (module docstring), at most one
    of them; neither (:attr:`unlimited`, ``play`` only) runs until stopped."""

    steps: int | None = None
    minutes: float | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.steps, self.minutes) if v is not None]
        if len(given) > 1 or not all(math.isfinite(v) and v > 0 for v in given):
            raise UsageError(explain("a run needs one positive budget",
                                     expected="steps > 0 or minutes > 0 (not both)",
                                     got=f"steps={self.steps} minutes={self.minutes}"))

    @property
    def unlimited(self) -> bool:
        """Neither steps nor minutes: the run goes on until stopped."""
        return self.steps is None and self.minutes is None

    def step_limit(self, paced: bool, fps: float) -> int | None:
        """Steps of the run when known in advance (steps, or unpaced minutes)."""
        if self.steps is not None:
            return int(self.steps)
        if paced or self.minutes is None:
            return None
        return max(1, round(float(self.minutes) * 60.0 * fps))

    def describe(self, paced: bool) -> str:
        """E.g. ``"240 steps"`` or ``"10 wall-clock minutes"``."""
        if self.steps is not None:
            return f"{self.steps} steps"
        if self.minutes is None:
            return "no limit"
        return f"{self.minutes:g} {'wall-clock' if paced else 'game'} minutes"

    def to_json(self) -> dict[str, Any]:
        return {"steps": self.steps, "minutes": self.minutes}


def env_settings(env: Any) -> tuple[bool, float]:
    """``(paced, fps)`` of a live env (CSGO-Deathmatch-v0 and envs with the same config)."""
    cfg = getattr(env.unwrapped, "config", None)
    return bool(getattr(cfg, "paced", True)), float(getattr(cfg, "fps", 16.0))


def play_run(env: Any, policy: Policy, budget: Budget, *, seed: int | None,
             on_step: StepHook | None = None,
             should_stop: Callable[[], bool] | None = None) -> tuple[RunTrace, float]:
    """Play one run (module docstring); returns the trace and its wall time (s).

    ``should_stop`` ends the run early when it returns True (checked every step).
    Exceptions (KeyboardInterrupt included) propagate; the caller closes the env.
    """
    paced, fps = env_settings(env)
    limit = budget.step_limit(paced, fps)
    trace = RunTrace(fps=fps, paced=paced)
    obs, _ = env.reset(seed=seed)
    policy.reset()
    start = time.monotonic()
    end = None if limit is not None or budget.minutes is None \
        else start + 60.0 * float(budget.minutes)
    while True:
        now = time.monotonic()
        if (limit is not None and trace.steps >= limit) or (end is not None and now >= end) \
                or (should_stop is not None and should_stop()):
            break
        action = np.asarray(policy.act(obs), dtype=np.int64)
        obs, reward, terminated, truncated, info = env.step(action)
        trace.add(action, info, time.monotonic() - start)
        if on_step is not None:
            on_step(trace, info, float(reward))
        if terminated or truncated:
            obs, _ = env.reset()
            policy.reset()
            trace.new_episode()
    return trace, time.monotonic() - start


__all__ = ["Budget", "StepHook", "env_settings", "play_run"]
