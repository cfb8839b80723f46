"""The arena process as the live session's running game (launcher of ``game="arena"``).

SYNTHETIC game. :class:`ArenaRunning` is the stand-in game's
:class:`~csgo_env.game.launch.StandinGame` with the arena's control commands: the session's
input goes through a :class:`~csgo_env.game.input.counting.CountingBackend`, and every tick
(``next events=N``) and reset (``reset seed=S events=N``) tells the arena how many input
events were sent, so it takes exactly those before it plays (see
:mod:`csgo_env.standin.arena_game`). :meth:`ArenaRunning.snapshot` is the arena's latest
state, sent with every frame: privileged information for the scripted expert and for
coverage, never part of the observation.
"""

from __future__ import annotations

import warnings

from csgo_env.errors import GameError
from csgo_env.game.input.backends import InputBackend
from csgo_env.game.input.counting import CountingBackend
from csgo_env.game.launch import StandinGame
from csgo_env.standin.arena_snapshot import ArenaSnapshot


class ArenaRunning(StandinGame):
    """The arena process, its offsets file and input log; one tick per :meth:`advance`."""

    counter: CountingBackend | None = None
    _warned = False

    def wrap_input(self, backend: InputBackend) -> InputBackend:
        self.counter = CountingBackend(backend)
        return self.counter

    def _sent(self) -> int:
        return 0 if self.counter is None else self.counter.sent

    def advance(self, timeout_s: float) -> None:
        self._shown = shown = self.process.command(f"next events={self._sent()}", timeout_s)
        if shown.get("input_late") and not self._warned:
            self._warned = True
            warnings.warn("the arena did not receive all input sent for a step within 1 s "
                          f"(see {self.process.input_log}.stderr); that step ran without it",
                          RuntimeWarning, stacklevel=3)

    def restart(self, frame: int, timeout_s: float, *, seed: int | None = None) -> None:
        world = "" if seed is None else f" seed={int(seed)}"
        self._shown = self.process.command(f"reset{world} events={self._sent()}", timeout_s)

    def input_late(self) -> bool:
        """Whether the last tick ran before all the input sent for it had arrived."""
        return bool(self._shown and self._shown.get("input_late"))

    def snapshot(self) -> ArenaSnapshot:
        """The arena's state after the frame on screen (privileged)."""
        if self._shown is None or "arena" not in self._shown:
            raise GameError("the arena has not shown a frame yet")
        return ArenaSnapshot.from_json(self._shown["arena"])
