"""The own player's state read from the OpenArena client's memory (read only).

The client game module ``cgamex86_64.so`` (loaded when the client enters a map) exports
its state ``cg`` (a ``cg_t``); the dynamic symbol table gives its offset from the module's
load base (:mod:`~csgo_env.game.openarena.elf_symbols`). Facts from the Quake III / OpenArena
0.8.8 game code's structure definitions (``cg_local.h``, ``cg_public.h``, ``q_shared.h``)::

    cg + 0        int clientFrame          # +1 per rendered frame
    cg + 4        int clientNum            # our client number on the server
    cg + 40       snapshot_t *snap         # -> cg + 56 or cg + 56 + 53772
    cg + 56       snapshot_t activeSnapshots[2]   # 53772 bytes each
    cg + 107616   int time                 # the client's game time, ms
    cg + 107648   playerState_t predictedPlayerState   # 468 bytes

    playerState_t: pm_type @4 (3 = dead, 5/6 = intermission), origin float[3] @20,
    velocity float[3] @32, clientNum @140, weapon @144, viewangles float[3] @152
    (pitch, yaw, roll in degrees), stats int[16] @184 (0 health), persistant int[16] @248
    (0 score, 3 team: 3 = spectator, 4 spawn count), ammo int[16] @376.

The predicted state is what the client draws: updated every rendered frame from the last
server snapshot (20 per second) plus the user commands sent since, so a mouse move shows
in it at the next client frame. The layout is checked when the reader attaches (``snap``
must point at one of the two snapshot buffers, and the three client numbers must agree);
a different build fails with :class:`~csgo_env.errors.OffsetsOutdated`, never wrong values.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from csgo_env.errors import GameError, MemoryReadError, OffsetsOutdated, explain
from csgo_env.game.memory.pose import Pose
from csgo_env.game.memory.readers import ProcessMemory
from csgo_env.game.openarena.elf_symbols import find_symbol

CGAME_LIBRARY = "cgamex86_64.so"
CG_CLIENT_FRAME = 0
CG_CLIENT_NUM = 4
CG_SNAP = 40
CG_ACTIVE_SNAPSHOTS = 56
SNAPSHOT_SIZE = 53772
SNAPSHOT_PS = 44
CG_TIME = 107616
CG_PREDICTED_PS = 107648
PS_SIZE = 468

PM_DEAD = 3
PM_INTERMISSION = (5, 6)
TEAM_SPECTATOR = 3
_PS = struct.Struct("<ii12x3f3f96xii4x3f20x16i16i64x16i")
"""commandTime @0, pm_type @4, origin @20, velocity @32, clientNum @140, weapon @144,
viewangles @152, stats @184, persistant @248, ammo @376 (the gaps are the fields not read);
440 bytes."""


@dataclass(frozen=True)
class PlayerView:
    """The own player as the client sees it (one read of ``predictedPlayerState``).

    ``alive``: not dead, not spectating, not in the intermission, health > 0. ``health``
    may exceed 100 (up to 200 with the mega health). ``spawn_count`` goes up at every
    respawn. ``frame`` counts the client's rendered frames; ``time_ms`` is its game time.
    """

    client_num: int
    pose: Pose
    alive: bool
    health: int
    pm_type: int
    team: int
    score: int
    spawn_count: int
    weapon: int
    ammo: int
    frame: int
    time_ms: int


def cgame_path(pid: int) -> tuple[int, Path] | None:
    """``(load base, path)`` of the client game module in ``pid``, ``None`` before it is
    loaded (the client has not entered a map yet)."""
    try:
        with open(f"/proc/{pid}/maps") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        raise GameError(explain(f"the OpenArena client (pid {pid}) is gone",
                                fix="restart the environment")) from None
    found: tuple[int, Path] | None = None
    for line in lines:
        parts = line.split(maxsplit=5)
        if len(parts) == 6 and parts[5].endswith("/" + CGAME_LIBRARY):
            start = int(parts[0].split("-")[0], 16)
            if found is None or start < found[0]:
                found = (start, Path(parts[5]))
    return found


class CgameReader:
    """Reads :class:`PlayerView` from the client process behind ``memory``.

    :meth:`attach` finds the module and checks the layout; :meth:`read` attaches on first
    use (and again after the module was reloaded). Raises :class:`GameError` while the
    client has not entered a map and :class:`OffsetsOutdated` for an unknown layout.
    """

    def __init__(self, memory: ProcessMemory) -> None:
        self.memory = memory
        self._cg: int | None = None

    def attach(self) -> int:
        """The address of ``cg`` (layout checked)."""
        found = cgame_path(self.memory.pid)
        if found is None:
            raise GameError(explain("the OpenArena client has not loaded the game module yet",
                                    expected=f"{CGAME_LIBRARY} mapped", got="not mapped",
                                    fix="wait until the client has entered the map"))
        base, path = found
        symbol = find_symbol(path, "cg")
        if symbol.size < CG_PREDICTED_PS + PS_SIZE:
            raise self._outdated(f"cg is {symbol.size} bytes")
        cg = base + symbol.value
        snap = self.memory.read_pointer(cg + CG_SNAP)
        buffers = (cg + CG_ACTIVE_SNAPSHOTS, cg + CG_ACTIVE_SNAPSHOTS + SNAPSHOT_SIZE)
        if snap == 0:
            raise GameError(explain("the OpenArena client has no snapshot yet",
                                    fix="wait until the client has entered the map"))
        if snap not in buffers:
            raise self._outdated(f"cg.snap = {snap:#x}, not one of {buffers[0]:#x} / "
                                 f"{buffers[1]:#x}")
        own = self.memory.read_i32(cg + CG_CLIENT_NUM)
        in_snap = self.memory.read_i32(snap + SNAPSHOT_PS + 140)
        predicted = self.memory.read_i32(cg + CG_PREDICTED_PS + 140)
        if not (own == in_snap == predicted) or not 0 <= own < 64:
            raise self._outdated(f"client numbers {own} / {in_snap} / {predicted}")
        self._cg = cg
        return cg

    @staticmethod
    def _outdated(got: str) -> OffsetsOutdated:
        return OffsetsOutdated(explain(
            "the OpenArena client's memory layout is not the one this reader knows",
            expected="OpenArena 0.8.8 (Debian package openarena 0.8.8) game code", got=got,
            fix="install the Debian openarena 0.8.8 packages, or pass read_pose=False"))

    def read(self) -> PlayerView:
        """One consistent read of the predicted player state."""
        cg = self._cg if self._cg is not None else self.attach()
        try:
            head, time_raw, raw = self.memory.read_many(
                [(cg, 8), (cg + CG_TIME, 4), (cg + CG_PREDICTED_PS, _PS.size)])
        except MemoryReadError:
            self._cg = None  # module reloaded (vid_restart, map change): find it again
            cg = self.attach()
            head, time_raw, raw = self.memory.read_many(
                [(cg, 8), (cg + CG_TIME, 4), (cg + CG_PREDICTED_PS, _PS.size)])
        frame, own = struct.unpack("<ii", head)
        values = _PS.unpack(raw)
        pm_type = values[1]
        origin, velocity = values[2:5], values[5:8]
        client_num, weapon = values[8], values[9]
        pitch, yaw = values[10], values[11]
        stats, pers, ammo = values[13:29], values[29:45], values[45:61]
        health, team = stats[0], pers[3]
        alive = (pm_type != PM_DEAD and pm_type not in PM_INTERMISSION
                 and team != TEAM_SPECTATOR and health > 0)
        clip = int(ammo[weapon]) if 0 <= weapon < 16 else None
        pose = Pose(position=(float(origin[0]), float(origin[1]), float(origin[2])),
                    velocity=(float(velocity[0]), float(velocity[1]), float(velocity[2])),
                    pitch_deg=float(pitch), yaw_deg=float(yaw), health=max(int(health), 0),
                    fov=None, clip_ammo=clip)
        return PlayerView(client_num=int(client_num if client_num == own else own), pose=pose,
                          alive=alive, health=int(health), pm_type=int(pm_type),
                          team=int(team), score=int(pers[0]), spawn_count=int(pers[4]),
                          weapon=int(weapon), ammo=-1 if clip is None else clip,
                          frame=int(frame), time_ms=struct.unpack("<i", time_raw)[0])

    def close(self) -> None:
        """Close the process handle (idempotent)."""
        self.memory.close()
