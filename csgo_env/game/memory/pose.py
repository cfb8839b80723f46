"""The local player's pose read from game memory: position, velocity, view angles, health.

Two layouts, chosen by the offsets' format; the pointer size (4 or 8 bytes) comes from
``profile.pointer_size[platform]``, so the same CS:GO layout serves the 32-bit Windows game
and the 64-bit replay game. ``ptr(a)`` below reads a pointer of that size, ``client`` and
``engine`` are the module bases of ``profile.client_module[platform]`` /
``profile.engine_module[platform]``.

CS:GO (hazedumper names)::

    local    = ptr(client + dwLocalPlayer)                 # 0 in menus -> LocalPlayerMissing
    health   = i32(local + m_iHealth)
    position = 3 x f32 at local + m_vecOrigin             # world units, feet
    velocity = 3 x f32 at local + m_vecVelocity           # units / s
    state    = ptr(engine + dwClientState)
    pitch, yaw = 2 x f32 at state + dwClientState_ViewAngles
    fov      = i32(local + m_iFOV), 0 -> 90                # optional: needs m_iFOV
    handle   = u32(local + m_hActiveWeapon)                # optional: needs m_hActiveWeapon,
    weapon   = ptr(client + dwEntityList + ((handle & 0xFFF) - 1) * 0x10)  # dwEntityList,
    clip     = i32(weapon + m_iClip1)                      # m_iClip1; -1 = weapon has no clip
    item     = i32(weapon + m_iItemDefinitionIndex)        # optional, with the weapon chain
    height   = f32(local + m_vecViewOffset + 8)            # optional: ~64 standing, ~46 crouched
    scoped   = u8(local + m_bIsScoped)                     # optional
    mode     = i32(local + m_iObserverMode)                # optional: 0 playing, 4 first person

With ``follow_observed`` (a spectator recording) and ``m_iObserverMode`` /
``m_hObserverTarget`` / ``dwEntityList`` in the offsets, a local player in observer mode 4
is replaced, for every field but the view angles and ``observer_mode``, by the player it
watches: ``subject = ptr(client + dwEntityList + ((u32(local + m_hObserverTarget) & 0xFFF)
- 1) * 0x10)``, as the dataset authors' recorder read it.

CS2 (cs2-dumper names; schema fields are looked up through the class parents)::

    pawn     = ptr(client + dwLocalPlayerPawn)
    health   = i32(pawn + C_CSPlayerPawn.m_iHealth)        # declared on C_BaseEntity
    node     = ptr(pawn + C_CSPlayerPawn.m_pGameSceneNode)
    position = 3 x f32 at node + CGameSceneNode.m_vecAbsOrigin
    velocity = 3 x f32 at pawn + C_CSPlayerPawn.m_vecAbsVelocity
    pitch, yaw = 2 x f32 at client + dwViewAngles
    fov      = u32(ptr(pawn + m_pCameraServices) + CCSPlayerBase_CameraServices.m_iFOV), 0 -> 90
    clip     = None (not read, see below)

The CS2 fov chain uses only fields present in the dump but has not been checked against a
running CS2; it is read only when both fields are in the offsets. The CS2 clip ammo needs
the entity list's chunk layout (entry stride), which is not part of the dump and has changed
between builds, so it is reported as ``None`` rather than guessed.
"""

from __future__ import annotations

import math
import struct
import sys
from dataclasses import dataclass

from csgo_env.errors import (
    ArgumentError,
    LocalPlayerMissing,
    MemoryReadError,
    OffsetsFileError,
    OffsetsOutdated,
    ProcessExited,
    explain,
)
from csgo_env.game.memory.offsets import Offsets
from csgo_env.game.memory.pose_layouts import Cs2Layout, CsgoLayout, resolve_layout
from csgo_env.game.memory.readers import ProcessMemory
from csgo_env.game.profiles import GameProfile

HEALTH_RANGE = (0, 200)
"""Health is 0..100 in deathmatch; up to 200 is allowed for modes with extra health."""
COORD_LIMIT = 16384.0
"""Source maps lie within +-16384 units on every axis."""
SPEED_LIMIT = 16384.0
"""Any velocity component beyond this is garbage (sv_maxvelocity defaults to 3500)."""
PITCH_LIMIT = 89.0
YAW_LIMIT = 180.0
FOV_RANGE = (1.0, 180.0)
CLIP_RANGE = (-1, 255)
HEIGHT_LIMIT = 200.0
"""The view offset's z is ~64 standing and ~46 crouched; beyond this it is garbage."""
OBSERVER_MODE_MAX = 7
INVALID_HANDLE = 0xFFFFFFFF
REFRESH_FIX = ("re-dump offsets for the running game build (CS:GO: hazedumper -> csgo.json; "
               "CS2: cs2-dumper -> output folder) and pass offsets=PATH")


@dataclass(frozen=True)
class Pose:
    """The local player's state at one instant.

    ``position`` (x, y, z) world units of the feet (CS:GO ``m_vecOrigin``); ``velocity``
    (x, y, z) units/s; ``pitch_deg`` the view pitch as the game stores it, positive looks
    down, in [-89, 89]; ``yaw_deg`` in [-180, 180], counter-clockwise from +x; ``health``
    0..100 (0 = dead); ``fov`` degrees, the recordings' 0 normalised to 90 (``None`` when
    the layout cannot read it); ``clip_ammo`` rounds in the active weapon's clip, -1 for
    weapons without a clip, ``None`` when unavailable (no active weapon, CS2).

    Optional fields (``None`` when the offsets lack them, and always for CS2):
    ``view_height`` the view offset's z in world units (~64.06 standing, ~46.04 crouched);
    ``item_def`` the active weapon's item definition index (7 AK-47, 9 AWP, 42/59 knives);
    ``scoped`` whether the player is scoped; ``observer_mode`` the local player's
    ``m_iObserverMode`` (0 playing, 4 first-person spectating, 5 chase, 6 free).
    """

    position: tuple[float, float, float]
    velocity: tuple[float, float, float]
    pitch_deg: float
    yaw_deg: float
    health: int
    fov: float | None
    clip_ammo: int | None
    view_height: float | None = None
    item_def: int | None = None
    scoped: bool | None = None
    observer_mode: int | None = None


def _i32(raw: bytes) -> int:
    return struct.unpack("<i", raw)[0]


def _u32(raw: bytes) -> int:
    return struct.unpack("<I", raw)[0]


def _vec3(raw: bytes) -> tuple[float, float, float]:
    x, y, z = struct.unpack("<3f", raw)
    return (x, y, z)


def _vec2(raw: bytes) -> tuple[float, float]:
    x, y = struct.unpack("<2f", raw)
    return (x, y)


class PoseReader:
    """Reads :class:`Pose` from a game process.

    The build check happens here, before any read: with ``expected_build`` (the running
    game's build) and an offsets dump that names its build, a mismatch raises
    :class:`~csgo_env.errors.OffsetsOutdated`. :meth:`read` raises ``OffsetsOutdated`` when a
    pointer chain leads to unreadable memory or to values outside sane ranges,
    :class:`~csgo_env.errors.LocalPlayerMissing` when the local player pointer is null
    (menus, loading) and :class:`~csgo_env.errors.ProcessExited` when the game is gone.
    ``available`` says which optional fields (``fov``, ``clip_ammo``) this layout reads.
    """

    def __init__(self, memory: ProcessMemory, offsets: Offsets, profile: GameProfile, *,
                 platform: str = sys.platform, expected_build: int | None = None,
                 follow_observed: bool = False) -> None:
        if platform not in profile.pointer_size:
            raise ArgumentError(explain(f"game {profile.name!r} has no layout for platform",
                                        expected=f"one of {sorted(profile.pointer_size)}",
                                        got=repr(platform)))
        if profile.offsets_format is not None and profile.offsets_format != offsets.format:
            raise OffsetsFileError(explain(
                f"offsets do not suit game {profile.name!r}",
                expected=f"{profile.offsets_format} offsets", got=offsets.describe(),
                fix=REFRESH_FIX))
        if expected_build is not None and offsets.build is not None \
                and expected_build != offsets.build:
            raise OffsetsOutdated(explain(
                "offsets were dumped for another game build",
                expected=f"build {expected_build} (the running game)",
                got=f"build {offsets.build} from {offsets.describe()}", fix=REFRESH_FIX))
        self.memory = memory
        self.follow_observed = bool(follow_observed)
        self.offsets = offsets
        self.profile = profile
        self.platform = platform
        self.pointer_size = profile.pointer_size[platform]
        self.layout = resolve_layout(offsets)
        self.client_module = profile.client_module[platform]
        self.engine_module = profile.engine_module[platform]
        self._bases: tuple[int, int] | None = None
        self.available = {"fov": self.layout.fov is not None,
                          "clip_ammo": isinstance(self.layout, CsgoLayout)
                          and self.layout.clip1 is not None}
        if isinstance(self.layout, CsgoLayout):
            lay = self.layout
            self.available.update(view_height=lay.view_offset is not None,
                                  item_def=lay.item_def is not None,
                                  scoped=lay.scoped is not None,
                                  observer_mode=lay.observer_mode is not None,
                                  observed=lay.observer_mode is not None
                                  and lay.observer_target is not None)

    def _ptr(self, raw: bytes) -> int:
        return struct.unpack("<I" if self.pointer_size == 4 else "<Q", raw)[0]

    def module_bases(self) -> tuple[int, int]:
        """(client, engine) module bases, looked up once. CS2 needs no engine: 0."""
        if self._bases is None:
            client = self.memory.module_base(self.client_module)
            engine = (self.memory.module_base(self.engine_module)
                      if isinstance(self.layout, CsgoLayout) else 0)
            self._bases = (client, engine)
        return self._bases

    def read(self) -> Pose:
        """Read and check one pose (4 batched read rounds for CS:GO, 3 for CS2).

        A module that is not loaded raises :class:`~csgo_env.errors.MemoryReadError` (not
        ``OffsetsOutdated``): the game is still starting or the profile is wrong.
        """
        bases = self.module_bases()
        try:
            if isinstance(self.layout, CsgoLayout):
                pose = self._read_csgo(self.layout, *bases)
            else:
                pose = self._read_cs2(self.layout, bases[0])
        except (ProcessExited, LocalPlayerMissing):
            raise
        except MemoryReadError as exc:
            raise OffsetsOutdated(explain(
                "a pointer chain from the offsets led to unreadable memory",
                expected="readable game structures", got=f"{exc} (with {self.offsets.describe()})",
                fix=REFRESH_FIX)) from exc
        self._check(pose)
        return pose

    def _missing(self, what: str) -> LocalPlayerMissing:
        return LocalPlayerMissing(explain(
            f"no {what} in game memory", expected="a non-null pointer", got="0",
            fix="join a map and spawn (in the main menu or while loading there is none); if "
                f"you are playing, the offsets are stale: {REFRESH_FIX}"))

    def _read_csgo(self, lay: CsgoLayout, client: int, engine: int) -> Pose:
        ps, mem = self.pointer_size, self.memory
        raw_local, raw_state = mem.read_many([(client + lay.local_player, ps),
                                              (engine + lay.client_state, ps)])
        local, state = self._ptr(raw_local), self._ptr(raw_state)
        if local == 0:
            raise self._missing("local player")
        if state == 0:
            raise self._missing("client state")
        mode = None
        if lay.observer_mode is not None:
            mode = mem.read_i32(local + lay.observer_mode)
        subject = local
        if self.follow_observed and mode == 4 and lay.observer_target is not None \
                and lay.entity_list is not None:
            subject = self._entity(client, lay.entity_list, _u32(mem.read(
                local + lay.observer_target, 4))) or local
        requests = [(subject + lay.health, 4), (subject + lay.origin, 12),
                    (subject + lay.velocity, 12), (state + lay.view_angles, 8)]
        extra: dict[str, int] = {}
        for name, offset, size in (("fov", lay.fov, 4), ("view", lay.view_offset, 12),
                                   ("scoped", lay.scoped, 1),
                                   ("weapon", lay.active_weapon if lay.clip1 is not None
                                    else None, 4)):
            if offset is not None:
                extra[name] = len(requests)
                requests.append((subject + offset, size))
        got = mem.read_many(requests)
        health, origin, velocity, angles = _i32(got[0]), _vec3(got[1]), _vec3(got[2]), _vec2(got[3])
        fov = float(_i32(got[extra["fov"]]) or 90) if "fov" in extra else None
        height = _vec3(got[extra["view"]])[2] if "view" in extra else None
        scoped = bool(got[extra["scoped"]][0]) if "scoped" in extra else None
        clip = item = None
        if "weapon" in extra and lay.clip1 is not None and lay.entity_list is not None:
            weapon = self._entity(client, lay.entity_list, _u32(got[extra["weapon"]]))
            if weapon:
                wanted = [(weapon + lay.clip1, 4)]
                if lay.item_def is not None:
                    wanted.append((weapon + lay.item_def, 4))
                raw = mem.read_many(wanted)
                clip = _i32(raw[0])
                item = _i32(raw[1]) if lay.item_def is not None else None
        return Pose(position=origin, velocity=velocity, pitch_deg=angles[0],
                    yaw_deg=angles[1], health=health, fov=fov, clip_ammo=clip,
                    view_height=height, item_def=item, scoped=scoped, observer_mode=mode)

    def _entity(self, client: int, entity_list: int, handle: int) -> int:
        """The entity a handle names (0 for an invalid handle or an empty slot)."""
        index = handle & 0xFFF
        if handle == INVALID_HANDLE or index == 0:
            return 0
        return self._ptr(self.memory.read(client + entity_list + (index - 1) * 0x10,
                                          self.pointer_size))

    def _read_cs2(self, lay: Cs2Layout, client: int) -> Pose:
        ps, mem = self.pointer_size, self.memory
        raw_pawn, raw_angles = mem.read_many([(client + lay.local_pawn, ps),
                                              (client + lay.view_angles, 8)])
        pawn = self._ptr(raw_pawn)
        if pawn == 0:
            raise self._missing("local player pawn")
        requests = [(pawn + lay.health, 4), (pawn + lay.scene_node, ps),
                    (pawn + lay.velocity, 12)]
        if lay.fov is not None:  # the layout sets fov only with camera_services
            assert lay.camera_services is not None
            requests.append((pawn + lay.camera_services, ps))
        got = mem.read_many(requests)
        node = self._ptr(got[1])
        if node == 0:
            raise self._missing("scene node of the local pawn")
        second = [(node + lay.origin, 12)]
        camera = self._ptr(got[3]) if lay.fov is not None else 0
        if camera and lay.fov is not None:
            second.append((camera + lay.fov, 4))
        more = mem.read_many(second)
        angles = _vec2(raw_angles)
        fov = float(_u32(more[1]) or 90) if camera else None
        return Pose(position=_vec3(more[0]), velocity=_vec3(got[2]),
                    pitch_deg=angles[0], yaw_deg=angles[1], health=_i32(got[0]), fov=fov,
                    clip_ammo=None)

    def _check(self, pose: Pose) -> None:
        problems = []
        if not HEALTH_RANGE[0] <= pose.health <= HEALTH_RANGE[1]:
            problems.append(f"health {pose.health} outside {HEALTH_RANGE[0]}..{HEALTH_RANGE[1]}")
        floats = (*pose.position, *pose.velocity, pose.pitch_deg, pose.yaw_deg)
        if not all(math.isfinite(v) for v in floats):
            problems.append(f"non-finite floats: position {pose.position}, velocity "
                            f"{pose.velocity}, angles ({pose.pitch_deg}, {pose.yaw_deg})")
        else:
            if any(abs(v) > COORD_LIMIT for v in pose.position):
                problems.append(f"position {pose.position} outside +-{COORD_LIMIT:g}")
            if any(abs(v) > SPEED_LIMIT for v in pose.velocity):
                problems.append(f"velocity {pose.velocity} beyond +-{SPEED_LIMIT:g}")
            if abs(pose.pitch_deg) > PITCH_LIMIT:
                problems.append(f"pitch {pose.pitch_deg} outside +-{PITCH_LIMIT:g}")
            if abs(pose.yaw_deg) > YAW_LIMIT:
                problems.append(f"yaw {pose.yaw_deg} outside +-{YAW_LIMIT:g}")
        if pose.fov is not None and not FOV_RANGE[0] <= pose.fov <= FOV_RANGE[1]:
            problems.append(f"fov {pose.fov} outside {FOV_RANGE[0]:g}..{FOV_RANGE[1]:g}")
        if pose.clip_ammo is not None and not CLIP_RANGE[0] <= pose.clip_ammo <= CLIP_RANGE[1]:
            problems.append(f"clip ammo {pose.clip_ammo} outside {CLIP_RANGE[0]}..{CLIP_RANGE[1]}")
        if pose.view_height is not None and not (math.isfinite(pose.view_height)
                                                 and abs(pose.view_height) <= HEIGHT_LIMIT):
            problems.append(f"view height {pose.view_height} outside +-{HEIGHT_LIMIT:g}")
        if pose.observer_mode is not None and not 0 <= pose.observer_mode <= OBSERVER_MODE_MAX:
            problems.append(f"observer mode {pose.observer_mode} outside 0..{OBSERVER_MODE_MAX}")
        if problems:
            raise OffsetsOutdated(explain(
                "the pose read from memory is not plausible, so the offsets are probably stale",
                expected="health, position, angles, fov and ammo in their ranges",
                got="; ".join(problems) + f" (with {self.offsets.describe()})",
                fix=REFRESH_FIX))
