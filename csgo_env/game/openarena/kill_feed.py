"""Kills, deaths and suicides of the own client, from the server's game log records.

The own client is a slot number, learnt from the client itself (its memory holds the
number the server gave it) and checked against the log: the slot's logged userinfo must
carry the unique name this run gave the player. Its ``cl_guid`` (the log's ``id``) is then
kept, and the slot stops counting as ours when it disconnects or shows another guid. Names
are never used to attribute a kill: only slot numbers are.

Events (the GSI tracker's kinds, :class:`~csgo_env.game.gsi.events.GameEvent`):

- ``Kill: K V`` with K our slot and V another slot: a **kill**;
- ``Kill: K V`` with V our slot: a **death**; when K is V or the world (1022) it is also a
  **suicide** (``suicides`` counts a subset of ``deaths``, the server takes a point away);
- respawns do not appear in the log (the env reads the alive state from the client).

Times ``t`` are ``time.monotonic()`` seconds of the line's arrival unless given.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from csgo_env.errors import GameError, explain
from csgo_env.game.gsi.events import EventCounts, GameEvent
from csgo_env.game.openarena.server_log import ClientEvent, Kill, LogRecord, MapEvent, Userinfo


class KillFeed:
    """Events of the own client from a stream of log records; thread-safe."""

    def __init__(self, own_name: str) -> None:
        self.own_name = own_name
        self._lock = threading.Lock()
        self._slots: dict[int, Userinfo] = {}
        self._own: int | None = None
        self._guid = ""
        self._lost: str | None = None
        self._counts = EventCounts()
        self._totals = EventCounts()
        self.kill_lines = 0
        """``Kill:`` lines seen, whoever was involved (the log is alive)."""
        self.map_name: str | None = None
        self.last_line_t: float | None = None

    # --- identity --------------------------------------------------------------------
    @property
    def own(self) -> int | None:
        """Our slot number (``None`` before :meth:`identify` or after it was lost)."""
        with self._lock:
            return None if self._lost else self._own

    @property
    def guid(self) -> str:
        with self._lock:
            return self._guid

    @property
    def lost(self) -> str | None:
        """Why the slot is no longer ours (``None`` while it is)."""
        with self._lock:
            return self._lost

    def identify(self, slot: int) -> bool:
        """Take ``slot`` (the number the client reports) as ours once the log shows its
        userinfo with our name; ``False`` while the log has not shown it yet. Raises
        :class:`GameError` when the slot belongs to someone else."""
        with self._lock:
            info = self._slots.get(slot)
            if info is None:
                return False
            if info.name != self.own_name:
                raise GameError(explain(
                    "the server gives our client's slot to another player",
                    expected=f"slot {slot} named {self.own_name!r}", got=repr(info.name),
                    fix="restart the environment (another client took the slot)"))
            self._own, self._guid, self._lost = slot, info.guid, None
            return True

    # --- records ---------------------------------------------------------------------
    def feed(self, record: LogRecord, t: float | None = None) -> list[GameEvent]:
        """Update from one record; returns the own client's events it produced."""
        t = time.monotonic() if t is None else float(t)
        with self._lock:
            self.last_line_t = t
            if isinstance(record, Userinfo):
                self._slots[record.num] = record
                if record.num == self._own and self._guid and record.guid != self._guid:
                    self._lost = (f"slot {record.num} now has guid {record.guid!r}, "
                                  f"not ours ({self._guid!r})")
                return []
            if isinstance(record, ClientEvent):
                if record.kind == "ClientDisconnect":
                    self._slots.pop(record.num, None)
                    if record.num == self._own and self._lost is None:
                        self._lost = f"our client (slot {record.num}) disconnected"
                return []
            if isinstance(record, MapEvent):
                if record.kind == "InitGame":
                    self.map_name = record.info.get("mapname", self.map_name)
                return []
            if isinstance(record, Kill):
                self.kill_lines += 1
                return self._kill(record, t)
            return []

    def _kill(self, kill: Kill, t: float) -> list[GameEvent]:
        own = None if self._lost else self._own
        if own is None:
            return []
        sid = self._guid or f"slot{own}"
        events: list[GameEvent] = []
        if kill.victim == own:
            events.append(GameEvent("death", t, sid))
            if kill.suicide:
                events.append(GameEvent("suicide", t, sid))
        elif kill.killer == own:
            events.append(GameEvent("kill", t, sid))
        for event in events:
            self._counts.add(event)
            self._totals.add(event)
        return events

    # --- counts ----------------------------------------------------------------------
    def drain(self) -> EventCounts:
        """Counts since the previous drain (raises :class:`GameError` once the slot is lost,
        so that a lost client never reads as a quiet one)."""
        with self._lock:
            if self._lost is not None:
                raise GameError(explain("the own OpenArena client is no longer on the server",
                                        got=self._lost, fix="restart the environment"))
            counts, self._counts = self._counts, EventCounts()
            return counts

    @property
    def totals(self) -> EventCounts:
        """Counts since the start (a copy)."""
        with self._lock:
            return replace(self._totals)
