"""Where the pose lives in game memory: offsets resolved by name for each layout.

:func:`resolve_layout` turns an :class:`~csgo_env.game.memory.offsets.Offsets` into a
:class:`CsgoLayout` (hazedumper names) or :class:`Cs2Layout` (cs2-dumper names), failing
early with :class:`~csgo_env.errors.OffsetsFileError` naming every missing required entry.
Fields documented as optional are ``None`` when the dump lacks them; the pose reader then
reports the matching :class:`~csgo_env.game.memory.pose.Pose` field as ``None``. The pointer
chains that use these numbers are documented in :mod:`csgo_env.game.memory.pose`; the replay
game's memory image (:mod:`csgo_env.standin.memory_image`) lays memory out from the same
objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from csgo_env.errors import OffsetsFileError, explain
from csgo_env.game.memory.offsets import DUMP_FIX, Offsets

ENTITY_ENTRY_SIZE = 0x10
"""CS:GO entity list: one 16-byte entry per entity; entity ``i`` at ``(i - 1) * 0x10``."""


@dataclass(frozen=True)
class CsgoLayout:
    """CS:GO byte offsets. Module-relative: ``local_player``, ``entity_list`` (client) and
    ``client_state`` (engine); the rest are relative to the structure they belong to."""

    local_player: int  # dwLocalPlayer
    client_state: int  # dwClientState
    view_angles: int  # dwClientState_ViewAngles
    health: int  # m_iHealth
    origin: int  # m_vecOrigin
    velocity: int  # m_vecVelocity
    fov: int | None  # m_iFOV
    active_weapon: int | None  # m_hActiveWeapon
    entity_list: int | None  # dwEntityList
    clip1: int | None  # m_iClip1 (None unless the whole weapon chain is present)
    view_offset: int | None = None  # m_vecViewOffset (view height is its z, at +8)
    item_def: int | None = None  # m_iItemDefinitionIndex (on the weapon; needs the chain)
    scoped: int | None = None  # m_bIsScoped (1 byte)
    observer_mode: int | None = None  # m_iObserverMode (4 = first person)
    observer_target: int | None = None  # m_hObserverTarget (needs dwEntityList)


@dataclass(frozen=True)
class Cs2Layout:
    """CS2 byte offsets. Module-relative (client): ``local_pawn``, ``view_angles``."""

    local_pawn: int  # dwLocalPlayerPawn
    view_angles: int  # dwViewAngles
    health: int  # C_BaseEntity.m_iHealth
    scene_node: int  # C_BaseEntity.m_pGameSceneNode
    origin: int  # CGameSceneNode.m_vecAbsOrigin
    velocity: int  # C_BaseEntity.m_vecAbsVelocity
    camera_services: int | None  # C_BasePlayerPawn.m_pCameraServices
    fov: int | None  # CCSPlayerBase_CameraServices.m_iFOV (None unless both are present)


def _require(offsets: Offsets, found: dict[str, int | None]) -> list[int]:
    """The values in order, or ``OffsetsFileError`` naming every missing one."""
    missing = [name for name, value in found.items() if value is None]
    if missing:
        raise OffsetsFileError(explain(
            f"offsets needed for the pose are missing from {offsets.describe()}",
            expected=", ".join(found), got="missing " + ", ".join(missing), fix=DUMP_FIX))
    return [value for value in found.values() if value is not None]


def resolve_layout(offsets: Offsets) -> CsgoLayout | Cs2Layout:
    """The layout for ``offsets.game``; raises ``OffsetsFileError`` for missing entries."""
    if offsets.format == "hazedumper":  # CS:GO layout; cs2-dumper offsets are CS2's
        g = offsets.get
        local, state, angles, health, origin, velocity = _require(offsets, {
            n: g(n) for n in ("dwLocalPlayer", "dwClientState", "dwClientState_ViewAngles",
                              "m_iHealth", "m_vecOrigin", "m_vecVelocity")})
        weapon, entities, clip = g("m_hActiveWeapon"), g("dwEntityList"), g("m_iClip1")
        complete = weapon is not None and entities is not None and clip is not None
        item = g("m_iItemDefinitionIndex")
        target = g("m_hObserverTarget")
        return CsgoLayout(
            local_player=local, client_state=state, view_angles=angles, health=health,
            origin=origin, velocity=velocity, fov=g("m_iFOV"),
            active_weapon=weapon if complete else None,
            entity_list=entities if complete or (target is not None and entities is not None)
            else None, clip1=clip if complete else None,
            view_offset=g("m_vecViewOffset"), item_def=item if complete else None,
            scoped=g("m_bIsScoped"), observer_mode=g("m_iObserverMode"),
            observer_target=target if entities is not None else None)
    pawn = "C_CSPlayerPawn"
    v = _require(offsets, {
        "client.dll dwLocalPlayerPawn": _module_value(offsets, "dwLocalPlayerPawn"),
        "client.dll dwViewAngles": _module_value(offsets, "dwViewAngles"),
        f"{pawn}.m_iHealth": offsets.find_field(pawn, "m_iHealth"),
        f"{pawn}.m_pGameSceneNode": offsets.find_field(pawn, "m_pGameSceneNode"),
        "CGameSceneNode.m_vecAbsOrigin": offsets.find_field("CGameSceneNode", "m_vecAbsOrigin"),
        f"{pawn}.m_vecAbsVelocity": offsets.find_field(pawn, "m_vecAbsVelocity"),
    })
    camera = offsets.find_field(pawn, "m_pCameraServices")
    fov = offsets.find_field("CCSPlayerBase_CameraServices", "m_iFOV")
    both = camera is not None and fov is not None
    return Cs2Layout(local_pawn=v[0], view_angles=v[1], health=v[2], scene_node=v[3],
                     origin=v[4], velocity=v[5],
                     camera_services=camera if both else None, fov=fov if both else None)


def _module_value(offsets: Offsets, name: str) -> int | None:
    """``name`` from the client module (``client.dll`` or ``libclient.so``), else unqualified."""
    for module in ("client.dll", "libclient.so"):
        value = offsets.get(f"{module}:{name}")
        if value is not None:
            return value
    return offsets.get(name)
