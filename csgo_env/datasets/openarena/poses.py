"""A demo's snapshots as the followed player's pose stream (20 Hz) and its obituaries.

Units and frames (OpenArena / ioquake3 conventions, unchanged): ``origin`` is the
player's bounding-box origin in world units (1 unit ~ 1 inch; z up; the eye is
``viewheight`` = 26 units above it when standing, which is what ``viewpos`` prints),
``velocity`` in units per second, ``pitch`` and ``yaw`` in degrees as the game computes them
(``SHORT2ANGLE``: 360/65536 degrees per step), here wrapped to [-180, 180): yaw 0 looks
along +x, +90 along +y (counter-clockwise seen from above); pitch positive looks down,
clamped by the game near +-90. ``server_time`` in milliseconds of game time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from csgo_env.datasets.openarena.demo_reader import DemoState, Snapshot, read_demo

PM_DEAD = 3
"""``pm_type`` of a dead player (the death camera is shown while following one)."""
PM_SPECTATOR = 2
PMF_FOLLOW = 4096
"""``pm_flags`` bit: the snapshot shows a followed player, not the recording client."""
ET_EVENTS = 13
EV_OBITUARY = 60
"""Temporary entities have ``eType = ET_EVENTS + event``; an obituary carries the victim
in ``otherEntityNum``, the killer in ``otherEntityNum2`` (1022, world, for falls and
suicides by the map) and the means of death in ``eventParm``. Checked against the
server log's ``Kill:`` lines."""
CS_PLAYERS = 544
"""Configstring index of client 0's info (name ``n``, team ``t``)."""


def wrap_degrees(angle: float) -> float:
    """``angle`` in degrees wrapped to [-180, 180)."""
    return (angle + 180.0) % 360.0 - 180.0


@dataclass(frozen=True)
class DemoPose:
    """The viewed player in one snapshot (units in the module docstring).

    ``dead``: ``pm_type`` is dead or health (``stats[0]``) <= 0. ``following``: the
    snapshot shows a followed player (``PMF_FOLLOW``); when False it shows the recording
    client itself (e.g. a free-flying spectator)."""

    server_time: int
    client_num: int
    origin: tuple[float, float, float]
    pitch: float
    yaw: float
    velocity: tuple[float, float, float]
    pm_type: int
    dead: bool
    health: int
    weapon: int
    following: bool
    ammo: int = 0
    """Ammunition of the held weapon (``ammo[weapon]``; -1 for the gauntlet: unlimited)."""


@dataclass(frozen=True)
class Obituary:
    """A kill as the server broadcast it: ``server_time`` (ms) of the first snapshot that
    holds it, ``victim`` and ``killer`` client numbers (1022: the world), ``means``
    (``meansOfDeath_t``, as in the server log's ``Kill:`` lines)."""

    server_time: int
    victim: int
    killer: int
    means: int


@dataclass(frozen=True)
class DemoPoses:
    """A demo read into poses: ``poses`` in time order, ``obituaries``, ``map_name``,
    ``players`` (client number -> name, colour codes kept) and ``recorder`` (the
    recording client's own number)."""

    poses: list[DemoPose]
    obituaries: list[Obituary]
    map_name: str
    players: dict[int, str]
    recorder: int


def _vector(fields: dict[str, float | int], name: str) -> tuple[float, float, float]:
    x, y, z = (float(fields.get(f"{name}[{i}]", 0.0)) for i in range(3))
    return (x, y, z)


def pose_of(snap: Snapshot) -> DemoPose:
    """The :class:`DemoPose` of one snapshot."""
    f = snap.player.fields
    pm_type = int(f.get("pm_type", 0))
    health = snap.player.stats[0]
    return DemoPose(
        server_time=snap.server_time, client_num=int(f.get("clientNum", 0)),
        origin=_vector(f, "origin"), pitch=wrap_degrees(float(f.get("viewangles[0]", 0.0))),
        yaw=wrap_degrees(float(f.get("viewangles[1]", 0.0))),
        velocity=_vector(f, "velocity"), pm_type=pm_type,
        dead=pm_type == PM_DEAD or health <= 0, health=health,
        weapon=int(f.get("weapon", 0)), following=bool(int(f.get("pm_flags", 0)) & PMF_FOLLOW),
        ammo=_ammo(snap, int(f.get("weapon", 0))))


def _ammo(snap: Snapshot, weapon: int) -> int:
    ammo = snap.player.ammo
    return int(ammo[weapon]) if 0 <= weapon < len(ammo) else 0


def obituaries_of(snapshots: list[Snapshot]) -> list[Obituary]:
    """Each obituary once (a temporary entity stays in several snapshots)."""
    seen: dict[int, tuple[int, int, int, int]] = {}
    found: list[Obituary] = []
    for snap in snapshots:
        current: dict[int, tuple[int, int, int, int]] = {}
        for number, state in snap.entities.items():
            if int(state.get("eType", 0)) != ET_EVENTS + EV_OBITUARY:
                continue
            key = (int(state.get("otherEntityNum", 0)), int(state.get("otherEntityNum2", 0)),
                   int(state.get("eventParm", 0)), int(state.get("pos.trBase[0]", 0)))
            current[number] = key
            if seen.get(number) != key:
                found.append(Obituary(snap.server_time, key[0], key[1], key[2]))
        seen = current
    return found


def _info_value(info: str, key: str) -> str:
    parts = info.lstrip("\\").split("\\")
    return dict(zip(parts[::2], parts[1::2], strict=False)).get(key, "")


def _players(state: DemoState) -> dict[int, str]:
    return {i - CS_PLAYERS: _info_value(text, "n") for i, text in state.configstrings.items()
            if CS_PLAYERS <= i < CS_PLAYERS + 64 and text}


def read_poses(path: str | Path) -> DemoPoses:
    """Read the demo at ``path`` into a :class:`DemoPoses` (raises ``RecordingCorrupt``)."""
    state, snapshots = read_demo(path)
    return DemoPoses(
        poses=[pose_of(s) for s in snapshots], obituaries=obituaries_of(snapshots),
        map_name=_info_value(state.configstrings.get(0, ""), "mapname"),
        players=_players(state), recorder=state.client_num)
