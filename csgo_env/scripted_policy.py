"""A simple scripted policy from no pixels and no game state: the live benchmarks' second
reference beside the random policy (spec ``"scripted"`` of the live runner).

:class:`SweepPolicy` runs forward with fire held, turns at a steady rate and strafes, the
turn direction and the strafe side switching after seeded random spans; the view's pitch
is left alone. It is what a "run around and spray" player does, so it bounds from below
what a learnt policy should beat once it looks at the screen. Actions are the factored
action vector (int64, shape (15,), :mod:`csgo_env.actions`).
"""

from __future__ import annotations

import numpy as np

from csgo_env.actions import (
    FIRE_INDEX,
    KEY_NAMES,
    MOUSE_X_BINS,
    MOUSE_X_INDEX,
    MOUSE_Y_INDEX,
    MOUSE_Y_ZERO_BIN,
    NVEC,
)

TURN_COUNTS = 60
"""Mouse x counts per step of the sweep: at the envs' sensitivity 2.5 and m_yaw 0.022
degrees (:data:`csgo_env.actions.SENSITIVITY`), 3.3 degrees a step, 53 degrees a second
at 16 Hz."""
TURN_SPAN_STEPS = (16, 64)
"""Steps (1-4 s at 16 Hz) before the turn direction may switch, drawn uniformly."""
STRAFE_SPAN_STEPS = (8, 32)
"""Steps before the strafe side switches, drawn uniformly."""

_K = {name: i for i, name in enumerate(KEY_NAMES)}
_RIGHT_BIN = int(np.flatnonzero(MOUSE_X_BINS == TURN_COUNTS)[0])
_LEFT_BIN = int(np.flatnonzero(MOUSE_X_BINS == -TURN_COUNTS)[0])


class SweepPolicy:
    """Forward, fire, sweep and strafe (module docstring); seeded, ignores observations."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        """Start over from the seed (the same spans each episode)."""
        self._rng = np.random.default_rng(self._seed)
        self._turn_left = self._strafe_left = 0
        self._turn_sign = self._strafe_sign = 1

    def _span(self, bounds: tuple[int, int]) -> int:
        return int(self._rng.integers(bounds[0], bounds[1] + 1))

    def act(self, obs: np.ndarray) -> np.ndarray:
        """The next action (int64, (15,)); ``obs`` is not looked at."""
        if self._turn_left <= 0:
            self._turn_sign = int(self._rng.choice((-1, 1)))
            self._turn_left = self._span(TURN_SPAN_STEPS)
        if self._strafe_left <= 0:
            self._strafe_sign = -self._strafe_sign
            self._strafe_left = self._span(STRAFE_SPAN_STEPS)
        self._turn_left -= 1
        self._strafe_left -= 1
        action = np.zeros(len(NVEC), dtype=np.int64)
        action[_K["w"]] = 1
        action[_K["d"] if self._strafe_sign > 0 else _K["a"]] = 1
        action[FIRE_INDEX] = 1
        action[MOUSE_X_INDEX] = _RIGHT_BIN if self._turn_sign > 0 else _LEFT_BIN
        action[MOUSE_Y_INDEX] = MOUSE_Y_ZERO_BIN
        return action


__all__ = ["STRAFE_SPAN_STEPS", "TURN_COUNTS", "TURN_SPAN_STEPS", "SweepPolicy"]
