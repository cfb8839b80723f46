"""The arena's scripted expert: a privileged, human-limited aim-and-move policy.

SYNTHETIC play. The expert is *privileged*: it decides from the arena's own state
(:class:`~csgo_env.standin.arena_snapshot.ArenaSnapshot`: its pose and every opponent's
position), not from pixels. That is what makes it a demonstrator: the recordings it makes
(:mod:`csgo_env.datasets.synthetic.arena_recordings`) pair the pixels an agent sees with the
actions of a player who knows where to look. Two ways to feed it the state:

- in process, from an :class:`~csgo_env.standin.arena_world.ArenaWorld` (recording
  demonstrations without a window): ``ArenaExpert(lambda: world.snapshot())``;
- through the live env on the arena: :func:`snapshot_from_env` reads the snapshot the arena
  process sends with every frame over its control channel
  (:meth:`~csgo_env.standin.arena_running.ArenaRunning.snapshot`).

Each step (the action's mouse bins quantise every move, and no move exceeds
``max_counts`` counts, 500 = 27.5 degrees per 1/16 s tick by default, ~440 degrees/s):

- dead: no input;
- an opponent in a clear line, seen for ``reaction_ticks`` steps already: turn towards the
  nearest such opponent's chest, fire once the crosshair will be inside its hit box after
  this step's turn, stand still (a still shooter is an accurate one);
- otherwise walk (``w``) the floor plan's shortest path towards the nearest live opponent,
  turning towards the next cell, pitch back to level; reload below a third of a clip.

Small seeded aim noise (``noise_counts``) keeps its demonstrations from being a single
trajectory. It satisfies :class:`csgo_env.policy.Policy` (``reset``, ``act(obs)``); the
observation is ignored.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from csgo_env.actions import (
    M_YAW_DEG,
    MOUSE_X_BINS,
    SENSITIVITY,
    Action,
    quantize_mouse_x,
    quantize_mouse_y,
)
from csgo_env.standin.arena_map import DEFAULT_PLAN, FloorPlan
from csgo_env.standin.arena_snapshot import ArenaSnapshot
from csgo_env.standin.arena_world import BODY_RADIUS, EYE_HEIGHT, wrap_degrees

CHEST_HEIGHT = 44.0
"""Height the expert aims at (units above the floor)."""


class ArenaExpert:
    """Scripted expert over a snapshot source (see the module docstring)."""

    def __init__(self, snapshots: Callable[[], ArenaSnapshot], *, seed: int = 0,
                 plan: tuple[str, ...] = DEFAULT_PLAN, sensitivity: float = SENSITIVITY,
                 max_counts: int = 500, reaction_ticks: int = 2,
                 noise_counts: float = 3.0) -> None:
        self._snapshots = snapshots
        self.plan = FloorPlan(plan)
        self.deg_per_count = M_YAW_DEG * sensitivity
        self.max_counts = int(max_counts)
        self.reaction_ticks = int(reaction_ticks)
        self.noise_counts = float(noise_counts)
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed)
        self._seen: dict[int, int] = {}

    def reset(self) -> None:
        """Forget what was seen; restart the noise generator from the seed."""
        self._rng = np.random.default_rng(self._seed)
        self._seen = {}

    def act(self, obs: np.ndarray) -> np.ndarray:
        """The action for the current snapshot (``obs`` is not looked at): int64 (15,)."""
        return self.decide(self._snapshots()).to_multidiscrete()

    # --- decision --------------------------------------------------------------------
    def decide(self, snap: ArenaSnapshot) -> Action:
        """The action for ``snap`` (updates how long each opponent has been seen)."""
        if not snap.alive:
            self._seen = {}
            return Action()
        x, y, _ = snap.position
        visible = {i for i, o in enumerate(snap.opponents)
                   if o.alive and self.plan.clear_line((x, y), (o.x, o.y))}
        self._seen = {i: self._seen.get(i, 0) + 1 for i in visible}
        ready = [i for i, n in self._seen.items() if n > self.reaction_ticks]
        if ready:
            target = min(ready, key=lambda i: math.hypot(snap.opponents[i].x - x,
                                                         snap.opponents[i].y - y))
            return self._engage(snap, snap.opponents[target].x, snap.opponents[target].y)
        return self._roam(snap)

    def _turn_counts(self, error_deg: float) -> tuple[int, float]:
        """Bin index and counts of a turn that reduces a yaw error (ccw degrees)."""
        want = -error_deg / self.deg_per_count + self._rng.normal(0.0, self.noise_counts)
        want = max(-self.max_counts, min(self.max_counts, want))
        index = int(quantize_mouse_x(want))
        return index, float(MOUSE_X_BINS[index])

    def _pitch_bin(self, want_pitch: float, pitch: float) -> int:
        want = (want_pitch - pitch) / self.deg_per_count
        return int(quantize_mouse_y(max(-self.max_counts, min(self.max_counts, want))))

    def _engage(self, snap: ArenaSnapshot, ox: float, oy: float) -> Action:
        x, y, _ = snap.position
        dist = max(math.hypot(ox - x, oy - y), 1.0)
        error = wrap_degrees(math.degrees(math.atan2(oy - y, ox - x)) - snap.yaw_deg)
        x_bin, counts = self._turn_counts(error)
        after = wrap_degrees(error + counts * self.deg_per_count)  # error left after the turn
        want_pitch = math.degrees(math.atan2(EYE_HEIGHT - CHEST_HEIGHT, dist))
        y_bin = self._pitch_bin(want_pitch, snap.pitch_deg)
        on_target = abs(after) < math.degrees(math.atan2(0.8 * BODY_RADIUS, dist)) \
            and abs(snap.pitch_deg - want_pitch) < math.degrees(math.atan2(24.0, dist))
        fire = on_target and snap.clip > 0 and not snap.reloading
        return Action(frozenset(), fire=fire, mouse_x_bin=x_bin, mouse_y_bin=y_bin)

    def _roam(self, snap: ArenaSnapshot) -> Action:
        x, y, _ = snap.position
        live = [o for o in snap.opponents if o.alive]
        keys: set[str] = set()
        if snap.clip < 10 and not snap.reloading:
            keys.add("r")
        y_bin = self._pitch_bin(0.0, snap.pitch_deg)
        if not live:
            return Action(frozenset(keys), mouse_y_bin=y_bin)
        goal = min(live, key=lambda o: math.hypot(o.x - x, o.y - y))
        here = self.plan.cell_of(x, y)
        path = self.plan.shortest_path(here, self.plan.cell_of(goal.x, goal.y))
        # Head for the farthest of the next cells still in a clear line (a smoother walk).
        tx, ty = goal.x, goal.y
        for cell in path[:3]:
            cx, cy = self.plan.centre(*cell)
            if not self._clear_body(x, y, cx, cy):
                break
            tx, ty = cx, cy
        error = wrap_degrees(math.degrees(math.atan2(ty - y, tx - x)) - snap.yaw_deg)
        x_bin, _ = self._turn_counts(error)
        if abs(error) < 45.0:
            keys.add("w")
        return Action(frozenset(keys), mouse_x_bin=x_bin, mouse_y_bin=y_bin)

    def _clear_body(self, x: float, y: float, tx: float, ty: float) -> bool:
        """A clear line for the player's whole width (both edges of its body)."""
        length = max(math.hypot(tx - x, ty - y), 1e-9)
        nx, ny = -(ty - y) / length * BODY_RADIUS, (tx - x) / length * BODY_RADIUS
        return all(self.plan.clear_line((x + s * nx, y + s * ny), (tx + s * nx, ty + s * ny))
                   for s in (-1.0, 1.0))


def snapshot_from_env(env: Any) -> Callable[[], ArenaSnapshot]:
    """A snapshot source reading the arena's latest frame's state through ``env``.

    ``env`` is ``CSGO-Deathmatch-v0`` made with ``game="arena"`` (wrappers allowed). Raises
    :class:`~csgo_env.errors.GameError` when it plays another game.
    """
    from csgo_env.errors import GameError, explain
    from csgo_env.standin.arena_running import ArenaRunning

    game = env.unwrapped.session.game
    if not isinstance(game, ArenaRunning):
        raise GameError(explain("the scripted expert needs the arena's state",
                                expected="an env made with game='arena'",
                                got=f"game={env.unwrapped.session.config.game!r}",
                                fix="gym.make('CSGO-Deathmatch-v0', game='arena')"))
    return game.snapshot
