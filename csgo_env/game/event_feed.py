"""Where a session's kill / death events and the own player's state come from.

Counter-Strike and the stand-in game report them through Game State Integration: the game
POSTs its state to the session's receiver and an
:class:`~csgo_env.game.gsi.events.EventTracker` turns payloads into events
(:class:`GSIFeed`). A game with its own channel (OpenArena: the server's log and the
client's memory) hands the session its own :class:`EventFeed`. The session only talks to
this interface.
"""

from __future__ import annotations

import time
from typing import Protocol

from csgo_env.errors import EnvTimeout, GSISilent, explain
from csgo_env.game.gsi.events import EventCounts, PlayerState
from csgo_env.game.gsi.receiver import GSIReceiver

GSI_STALE_S = 15.0
"""A payload older than this is stale (the cfg's heartbeat is 10 s)."""


class EventFeed(Protocol):
    """The own player's events and state (all methods thread-safe)."""

    def drain(self) -> EventCounts:
        """Kills, deaths and suicides since the previous call."""
        ...

    def state(self) -> PlayerState | None:
        """The own player's latest state (``None`` before the game showed it)."""
        ...

    def age_s(self) -> float | None:
        """Seconds since the latest GSI payload (``None``: none yet, or not a GSI feed)."""
        ...

    def wait_alive(self, timeout_s: float) -> PlayerState:
        """Wait until the own player is alive and return its state; raise a
        :class:`~csgo_env.errors.CsgoEnvError` naming what to check after ``timeout_s``."""
        ...

    def stop(self) -> None:
        """Release what the feed holds (idempotent)."""
        ...


class GSIFeed:
    """:class:`EventFeed` over a started :class:`GSIReceiver` (which it stops)."""

    def __init__(self, receiver: GSIReceiver) -> None:
        self.receiver = receiver

    def drain(self) -> EventCounts:
        return self.receiver.tracker.drain()

    def state(self) -> PlayerState | None:
        return self.receiver.tracker.state

    def age_s(self) -> float | None:
        return self.receiver.freshness().age_s

    def wait_alive(self, timeout_s: float) -> PlayerState:
        """Wait until GSI is fresh and the own player is alive.

        Raises :class:`GSISilent` when no fresh payload comes and :class:`EnvTimeout` when
        the player does not come alive, each naming what to check.
        """
        receiver = self.receiver
        deadline = time.monotonic() + timeout_s
        receiver.wait_for_payload(timeout_s)
        while True:
            age = receiver.freshness().age_s
            state = receiver.tracker.state
            fresh = age is not None and age <= GSI_STALE_S
            if fresh and state is not None and state.alive:
                return state
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if not fresh:
            raise GSISilent(explain(
                "GSI went silent while waiting for the episode to start",
                expected=f"a payload at most {GSI_STALE_S:g} s old",
                got="no payload" if age is None else f"age {age:.1f} s",
                fix="check that the game is still running and not paused in a menu; the "
                    "cfg's heartbeat makes it post at least every 10 s"))
        why = ("the game has not shown the own player yet (provider.steamid never matched "
               "player.steamid: spectating or in the menu)" if state is None
               else f"player {state.steamid} health {state.health}, activity {state.activity}")
        raise EnvTimeout(explain(
            "the own player did not come alive", expected=f"health > 0 within {timeout_s:g} s",
            got=why, fix="join a team and spawn (deathmatch respawns in a few seconds); with "
                         "bots only, make sure you are playing, not spectating"))

    def stop(self) -> None:
        self.receiver.stop()
