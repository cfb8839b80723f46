"""The arena played in process, without a window: the same world, input rules and frames.

SYNTHETIC. :class:`LocalArena` applies an :class:`~csgo_env.actions.Action` exactly as the
arena process applies the input the env sends for it: the mouse move as the controller's
two half-moves (first half rounded toward zero), then one tick with the action's keys and
fire held, ``r`` counting as a reload only when newly pressed. Driven with the same seed
and actions it gives the same ticks as the arena process behind ``CSGO-Deathmatch-v0``;
the synthetic recorder and the tests use it to play thousands of ticks fast.
"""

from __future__ import annotations

import numpy as np

from csgo_env.actions import Action
from csgo_env.standin.arena_render import ArenaRenderer
from csgo_env.standin.arena_snapshot import ArenaSnapshot
from csgo_env.standin.arena_world import ArenaConfig, ArenaWorld, TickResult


def split_move(counts: int) -> tuple[int, int]:
    """The controller's two half-moves of ``counts`` (first half toward zero)."""
    first = int(counts / 2)
    return first, counts - first


class LocalArena:
    """An :class:`ArenaWorld` with its renderer, stepped by actions."""

    def __init__(self, config: ArenaConfig | None = None, *, split_mouse: bool = True) -> None:
        self.world = ArenaWorld(config)
        self.renderer = ArenaRenderer(self.world.plan)
        self.split_mouse = split_mouse
        self._held: frozenset[str] = frozenset()

    def snapshot(self) -> ArenaSnapshot:
        return self.world.snapshot()

    def observe(self) -> np.ndarray:
        """The current frame: RGB uint8 (150, 280, 3)."""
        return self.renderer.render(self.world.snapshot(), flash=self.world.last.shot)

    def step(self, action: Action) -> TickResult:
        """Apply ``action``'s input, then advance one tick."""
        dx, dy = action.mouse_dx, action.mouse_dy
        if self.split_mouse:
            (x1, x2), (y1, y2) = split_move(dx), split_move(dy)
            for mx, my in ((x1, y1), (x2, y2)):
                if mx or my:
                    self.world.turn(mx, my)
        elif dx or dy:
            self.world.turn(dx, dy)
        reload = "r" in action.keys and "r" not in self._held
        self._held = action.keys
        return self.world.tick(action.keys, action.fire, reload)
