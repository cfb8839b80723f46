"""Parse the OpenArena dedicated server's game log lines into typed records.

The server prints its game log (``g_log``) to its console as well; a line is
``[M:SS ]Kind: rest``. The kinds read here (the rest of the log is ignored)::

    InitGame: \\key\\value\\...             a map (re)started: mapname, g_gametype ...
    ShutdownGame:                             the map ended
    ClientConnect: N                          client slot N taken
    ClientUserinfoChanged: N n\\NAME\\t\\0\\...\\id\\GUID   userinfo of N (``id``: cl_guid)
    ClientBegin: N                            N entered the game
    ClientDisconnect: N                       slot N freed
    Kill: K V M: KNAME killed VNAME by MOD_X  K killed V; K = 1022 (the world) or K = V:
                                              a suicide (the victim's score drops by one)

Client numbers are slots 0..63; 1022 is ``ENTITYNUM_WORLD``. Names may hold colour codes
(``^1``) and spaces, so the numbers, never the names, say who is who.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORLD = 1022
"""The killer number of deaths caused by the world (falling, lava, crushers, /kill)."""

_PREFIX = re.compile(r"^\s*(?:\d+:\d\d\s+)?(?P<kind>[A-Za-z]+): ?(?P<rest>.*)$")
_KILL = re.compile(r"^(?P<killer>-?\d+) (?P<victim>-?\d+) (?P<mod>-?\d+): "
                   r"(?P<text>.*) by (?P<means>MOD_[A-Z_]+)\s*$")
_NUMBER = re.compile(r"^(?P<num>\d+)\s*$")
_USERINFO = re.compile(r"^(?P<num>\d+) (?P<info>.*)$")


@dataclass(frozen=True)
class Kill:
    """``killer`` killed ``victim`` (client numbers; ``killer`` may be :data:`WORLD`)."""

    killer: int
    victim: int
    means: str

    @property
    def suicide(self) -> bool:
        """The victim killed itself or the world killed it (its score drops by one)."""
        return self.killer in (self.victim, WORLD)


@dataclass(frozen=True)
class ClientEvent:
    """``ClientConnect`` / ``ClientBegin`` / ``ClientDisconnect`` of slot ``num``."""

    kind: str
    num: int


@dataclass(frozen=True)
class Userinfo:
    """``ClientUserinfoChanged`` of slot ``num``: the info pairs the server logged."""

    num: int
    info: dict[str, str]

    @property
    def name(self) -> str:
        return self.info.get("n", "")

    @property
    def guid(self) -> str:
        """The client's ``cl_guid`` (empty for bots)."""
        return self.info.get("id", "")


@dataclass(frozen=True)
class MapEvent:
    """``InitGame`` (``info`` holds the server settings, e.g. ``mapname``) or
    ``ShutdownGame`` (``info`` empty)."""

    kind: str
    info: dict[str, str]


LogRecord = Kill | ClientEvent | Userinfo | MapEvent


def parse_info(text: str) -> dict[str, str]:
    """``\\k1\\v1\\k2\\v2`` or ``k1\\v1\\k2\\v2`` -> dict (a trailing key maps to '')."""
    parts = text.strip().lstrip("\\").split("\\")
    if len(parts) % 2:
        parts.append("")
    return {parts[i]: parts[i + 1] for i in range(0, len(parts), 2) if parts[i]}


def parse_line(line: str) -> LogRecord | None:
    """The record of one log line, ``None`` for any other line (console chatter too)."""
    match = _PREFIX.match(line.rstrip("\r\n"))
    if match is None:
        return None
    kind, rest = match.group("kind"), match.group("rest")
    if kind == "Kill":
        kill = _KILL.match(rest)
        if kill is None:
            return None
        return Kill(int(kill.group("killer")), int(kill.group("victim")), kill.group("means"))
    if kind in ("ClientConnect", "ClientBegin", "ClientDisconnect"):
        number = _NUMBER.match(rest)
        return None if number is None else ClientEvent(kind, int(number.group("num")))
    if kind == "ClientUserinfoChanged":
        info = _USERINFO.match(rest)
        if info is None:
            return None
        return Userinfo(int(info.group("num")), parse_info(info.group("info")))
    if kind == "InitGame":
        return MapEvent(kind, parse_info(rest))
    if kind == "ShutdownGame":
        return MapEvent(kind, {})
    return None
