"""Turn GSI payloads into kills, deaths, suicides and respawns of one player.

Events come from changes between consecutive payloads of the tracked player:

- **kill**: ``player.match_stats.kills`` went up (one event per unit).
- **death**: ``player.state.health`` went from > 0 to 0, or ``match_stats.deaths`` went up
  by more than the deaths already seen through health. Every death is counted once.
- **suicide**: a death in the same payload as a drop of ``kills`` (the suicide penalty,
  e.g. kills -1 and deaths +1 together). A suicide is *also* a death: ``suicides`` counts
  the subset of ``deaths`` that were suicides, and the kill drop is never a negative kill.
  A drop of kills without a death (team-kill penalty) produces no event.
- **respawn**: health went from 0 to > 0, or a death happened unseen and the player is
  alive again.

Baselines (the counters events are measured from) reset, without events, on: the first
payload, a map change, every payload with ``map.phase == "warmup"`` and the first one
after warmup (the game zeroes the counters when warmup ends), a gap of more than
``silence_reset_s`` between payloads, counters going down (match restart), a change of
the tracked player, and :meth:`EventTracker.reset`. So warmup yields no events, and
``deaths`` going down is a restart, never an event.

Which ``player`` block counts: in ``"own"`` mode only one whose ``steamid`` equals
``provider.steamid`` (after death the game shows the *spectated* player, whose stats --
``kills: -1`` for a bot -- must not leak into ours); in ``"spectate"`` mode the block of
``target_steamid``, or whoever is shown when no target is given.

Times ``t`` are ``time.monotonic()`` seconds unless the caller passes its own clock.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

from csgo_env.errors import ArgumentError, explain

EventKind = Literal["kill", "death", "suicide", "respawn"]


@dataclass(frozen=True)
class GameEvent:
    """One event of the tracked player at time ``t`` (seconds, the tracker's clock)."""

    kind: EventKind
    t: float
    steamid: str


@dataclass
class EventCounts:
    """Event counts over an interval; ``suicides`` is a subset of ``deaths``."""

    kills: int = 0
    deaths: int = 0
    suicides: int = 0
    respawns: int = 0

    def add(self, event: GameEvent) -> None:
        """Count one event."""
        field = {"kill": "kills", "death": "deaths", "suicide": "suicides",
                 "respawn": "respawns"}[event.kind]
        setattr(self, field, getattr(self, field) + 1)


@dataclass(frozen=True)
class PlayerState:
    """The tracked player as of the latest payload that showed them.

    ``alive`` is ``health > 0``; in ``"own"`` mode it is ``False`` while the game shows
    another player (the own player is dead or spectating). Fields the payload lacked are
    ``None``. ``kills``/``deaths`` are the raw match counters (can be negative).
    """

    steamid: str
    alive: bool
    health: int | None
    kills: int | None
    deaths: int | None
    team: str | None
    active_weapon: str | None
    ammo_clip: int | None
    map_name: str | None
    map_phase: str | None
    activity: str | None


@dataclass
class _Baseline:
    steamid: str
    kills: int | None
    deaths: int | None
    alive: bool | None
    pending_deaths: int = 0
    """Deaths counted through health that ``match_stats.deaths`` has not shown yet."""


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _active_weapon(player: dict[str, Any]) -> tuple[str | None, int | None]:
    for weapon in _obj(player.get("weapons")).values():
        weapon = _obj(weapon)
        if weapon.get("state") == "active":
            return _str(weapon.get("name")), _int(weapon.get("ammo_clip"))
    return None, None


class EventTracker:
    """Events of one player from a stream of GSI payloads; all methods are thread-safe."""

    def __init__(self, mode: Literal["own", "spectate"] = "own",
                 target_steamid: str | None = None, silence_reset_s: float = 10.0) -> None:
        if mode not in ("own", "spectate"):
            raise ArgumentError(explain("invalid tracker mode", expected="'own' or 'spectate'",
                                        got=repr(mode)))
        if target_steamid is not None and mode != "spectate":
            raise ArgumentError(explain("target_steamid needs mode='spectate'",
                                        got=f"mode={mode!r}"))
        if not silence_reset_s > 0:
            raise ArgumentError(explain("invalid silence_reset_s", expected="seconds > 0",
                                        got=repr(silence_reset_s)))
        self.mode = mode
        self.target_steamid = target_steamid
        self.silence_reset_s = float(silence_reset_s)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget baselines, state and undrained counts; the next payload is a new baseline."""
        with self._lock:
            self._base: _Baseline | None = None
            self._state: PlayerState | None = None
            self._map_name: str | None = None
            self._phase: str | None = None
            self._last_t: float | None = None
            self._counts = EventCounts()
            self._totals = EventCounts()
            self.baseline_resets = 0

    @property
    def state(self) -> PlayerState | None:
        """The tracked player's latest state, ``None`` before they were first shown."""
        with self._lock:
            return self._state

    @property
    def totals(self) -> EventCounts:
        """Counts since construction or the last :meth:`reset` (a copy)."""
        with self._lock:
            return replace(self._totals)

    def drain(self) -> EventCounts:
        """Counts since the previous drain; the internal counts restart from zero."""
        with self._lock:
            counts, self._counts = self._counts, EventCounts()
            return counts

    def _rebase(self) -> None:
        if self._base is not None:
            self.baseline_resets += 1
        self._base = None

    def feed(self, payload: dict[str, Any], t: float | None = None) -> list[GameEvent]:
        """Update from one payload (arrival order); returns the events it produced."""
        if not isinstance(payload, dict):
            raise TypeError(f"payload must be a dict parsed from GSI JSON, got {type(payload)}")
        t = time.monotonic() if t is None else float(t)
        with self._lock:
            if self._last_t is not None and t - self._last_t > self.silence_reset_s:
                self._rebase()
            self._last_t = t
            game_map = _obj(payload.get("map"))
            map_name, phase = _str(game_map.get("name")), _str(game_map.get("phase"))
            if map_name is not None:
                if self._map_name is not None and map_name != self._map_name:
                    self._rebase()
                self._map_name = map_name
            if phase == "warmup" or (phase is not None and self._phase == "warmup"):
                self._rebase()
            if phase is not None:
                self._phase = phase
            player = _obj(payload.get("player"))
            shown = _str(player.get("steamid"))
            if self.mode == "own":
                target = _str(_obj(payload.get("provider")).get("steamid"))
            else:
                target = self.target_steamid or shown
            if target is None:
                return []
            if self._base is not None and self._base.steamid != target:
                self._rebase()
                self._state = None
            if shown != target:
                if self.mode == "own" and self._state is not None and self._state.alive:
                    self._state = replace(self._state, alive=False)
                return []
            events = self._update(target, player, map_name, phase, t)
            for event in events:
                self._counts.add(event)
                self._totals.add(event)
            return events

    def _update(self, sid: str, player: dict[str, Any], map_name: str | None,
                phase: str | None, t: float) -> list[GameEvent]:
        stats = _obj(player.get("match_stats"))
        health = _int(_obj(player.get("state")).get("health"))
        kills, deaths = _int(stats.get("kills")), _int(stats.get("deaths"))
        alive = None if health is None else health > 0
        weapon, clip = _active_weapon(player)
        prev = self._state
        self._state = PlayerState(
            steamid=sid,
            alive=bool(alive) if alive is not None else bool(prev and prev.alive),
            health=health, kills=kills, deaths=deaths, team=_str(player.get("team")),
            active_weapon=weapon, ammo_clip=clip, map_name=map_name, map_phase=phase,
            activity=_str(player.get("activity")))
        base = self._base
        if base is not None and base.deaths is not None and deaths is not None \
                and deaths < base.deaths:
            self._rebase()  # counters went down: the match restarted
            base = None
        if base is None or phase == "warmup":
            self._base = _Baseline(sid, kills, deaths, alive)
            return []

        events: list[GameEvent] = []
        died_now = 0
        if base.alive is True and alive is False:
            died_now += 1
            base.pending_deaths += 1
            events.append(GameEvent("death", t, sid))
        unseen_deaths = 0
        counter_deaths = 0
        if deaths is not None and base.deaths is not None and deaths > base.deaths:
            counter_deaths = deaths - base.deaths
            from_health = min(counter_deaths, base.pending_deaths)
            base.pending_deaths -= from_health
            unseen_deaths = counter_deaths - from_health
            events += [GameEvent("death", t, sid)] * unseen_deaths
        if kills is not None and base.kills is not None:
            if kills > base.kills:
                events += [GameEvent("kill", t, sid)] * (kills - base.kills)
            elif kills < base.kills:
                deaths_here = max(died_now + unseen_deaths, counter_deaths)
                events += [GameEvent("suicide", t, sid)] * min(base.kills - kills, deaths_here)
        if alive is True and (base.alive is False or unseen_deaths > 0):
            events.append(GameEvent("respawn", t, sid))
        if kills is not None:
            base.kills = kills
        if deaths is not None:
            base.deaths = deaths
        if alive is not None:
            base.alive = alive
        return events
