"""OpenArena's :class:`~csgo_env.game.event_feed.EventFeed`: events from the server's log,
the own player's state from the client's memory.

:class:`OpenArenaFeed` joins a :class:`~csgo_env.game.openarena.kill_feed.KillFeed` (kills,
deaths, suicides, the match's kill count) and a
:class:`~csgo_env.game.openarena.client_memory.CgameReader` (alive, health, weapon,
ammunition, score). Its :class:`~csgo_env.game.gsi.events.PlayerState` fills the GSI
fields the game has: ``steamid`` is the client's ``cl_guid``, ``kills`` the score (kills
minus suicides, as Counter-Strike counts them), ``deaths`` the deaths seen in the log,
``team`` ``"FREE"`` (free-for-all), ``map_phase`` ``"live"`` or ``"intermission"``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import MappingProxyType

from csgo_env.errors import EnvTimeout, GameError, explain
from csgo_env.game.gsi.events import EventCounts, PlayerState
from csgo_env.game.openarena.client_memory import PM_INTERMISSION, CgameReader, PlayerView
from csgo_env.game.openarena.kill_feed import KillFeed

WEAPON_NAMES: Mapping[int, str] = MappingProxyType({
    0: "none", 1: "gauntlet", 2: "machinegun", 3: "shotgun", 4: "grenadelauncher",
    5: "rocketlauncher", 6: "lightning", 7: "railgun", 8: "plasmagun", 9: "bfg",
    10: "grapplinghook", 11: "nailgun", 12: "proxlauncher", 13: "chaingun"})
"""``playerState.weapon`` -> name (``WP_*`` order of the game code)."""


class OpenArenaFeed:
    """Events and state of the own OpenArena client (thread-safe like its parts)."""

    def __init__(self, kills: KillFeed, reader: CgameReader) -> None:
        self.kills = kills
        self.reader = reader

    def drain(self) -> EventCounts:
        return self.kills.drain()

    def view(self) -> PlayerView | None:
        """The client's view of the own player, ``None`` when it cannot be read now."""
        try:
            return self.reader.read()
        except GameError:
            return None

    def state(self) -> PlayerState | None:
        view = self.view()
        if view is None:
            return None
        return PlayerState(
            steamid=self.kills.guid or f"slot{view.client_num}", alive=view.alive,
            health=max(view.health, 0), kills=view.score, deaths=self.kills.totals.deaths,
            team="FREE", active_weapon=WEAPON_NAMES.get(view.weapon, str(view.weapon)),
            ammo_clip=view.ammo, map_name=self.kills.map_name,
            map_phase="intermission" if view.pm_type in PM_INTERMISSION else "live",
            activity="playing")

    def age_s(self) -> float | None:
        """``None``: OpenArena does not report through GSI."""
        return None

    def wait_alive(self, timeout_s: float) -> PlayerState:
        """Wait until the client shows the own player alive (a dead player respawns within
        about 2.7 s: the server forces it after ``g_forcerespawn``)."""
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.state()
            if state is not None and state.alive:
                return state
            if self.kills.lost is not None:
                self.kills.drain()  # raises GameError naming why
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        raise EnvTimeout(explain(
            "the own OpenArena player did not come alive",
            expected=f"alive within {timeout_s:g} s",
            got="the client's state cannot be read" if state is None else
                f"health {state.health}, phase {state.map_phase}",
            fix="check that the server runs with fraglimit 0 and timelimit 0 (no "
                "intermission) and that the client is not spectating"))

    def stop(self) -> None:
        """Nothing to release: the game owns the reader and the server."""
