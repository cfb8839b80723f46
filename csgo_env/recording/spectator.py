"""Spectator recordings: whom the recording watches, and when it switches to another player.

The dataset authors recorded online deathmatch servers by spectating: the watched player's
view is the recording, GSI's ``player`` block describes the watched player (its ``steamid``
differs from ``provider.steamid``, the local client), and the recorder pressed ``1`` (the
top scorer) every 200 ticks and whenever the watched player was dead.

:class:`Spectator` does the same through the session's input controller (the only input a
spectator recording sends): :meth:`Spectator.observe` follows the ``steamid`` shown by each
payload, handing it to the :class:`~csgo_env.game.gsi.events.EventTracker` (``"spectate"``
mode) so kills and deaths are counted for the watched player and the counters get a fresh
baseline when the target changes; :meth:`Spectator.action` returns the key tap that
switches target (pressed for one tick, released the next) on the schedule
(``switch_every`` ticks since the last switch) and on the watched player's death (at most
every ``cooldown`` ticks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csgo_env.actions import KEY_NAMES, Action
from csgo_env.errors import ArgumentError, explain
from csgo_env.game.gsi.events import EventTracker


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Spectator:
    """Follows the watched player and decides when to switch (see the module docstring)."""

    def __init__(self, tracker: EventTracker, *, switch_every: int = 200,
                 switch_key: str = "1", cooldown: int = 32) -> None:
        if tracker.mode != "spectate" or tracker.target_steamid is not None:
            raise ArgumentError(explain(
                "a spectator recording needs a 'spectate' tracker that follows whoever is "
                "shown", got=f"mode={tracker.mode!r}, target={tracker.target_steamid!r}"))
        if switch_key not in KEY_NAMES:
            raise ArgumentError(explain("unknown switch key", expected=f"one of {KEY_NAMES}",
                                        got=repr(switch_key)))
        if switch_every < 1 or cooldown < 1:
            raise ArgumentError(explain("switch_every and cooldown must be >= 1 tick",
                                        got=f"{switch_every}, {cooldown}"))
        self.tracker = tracker
        self.switch_every = int(switch_every)
        self.switch_key = switch_key
        self.cooldown = int(cooldown)
        self.watched: str | None = None
        """The steamid shown now (``None`` before the first payload that shows someone)."""
        self.watched_health: int | None = None
        self.targets: list[str] = []
        """Every steamid watched, in order (a new entry at each change of target)."""
        self.presses = 0
        self._last_switch = 0
        self._pressed = False

    def observe(self, payload: Mapping[str, Any] | None) -> str | None:
        """Take the latest payload: follow the player it shows; returns that steamid."""
        player = _obj(_obj(payload).get("player"))
        shown = player.get("steamid")
        if not isinstance(shown, str) or not shown:
            return self.watched
        health = _obj(player.get("state")).get("health")
        self.watched_health = health if isinstance(health, int) else None
        if shown != self.watched:
            self.watched = shown
            self.targets.append(shown)
        return shown

    def action(self, tick: int) -> Action | None:
        """The input to send at ``tick``: the switch key's press or release, else ``None``
        (nothing changes)."""
        if self._pressed:
            self._pressed = False
            return Action()
        since = tick - self._last_switch
        dead = self.watched_health == 0
        if since >= self.switch_every or (dead and since >= self.cooldown):
            self._last_switch = tick
            self._pressed = True
            self.presses += 1
            return Action(frozenset({self.switch_key}))
        return None


__all__ = ["Spectator"]
