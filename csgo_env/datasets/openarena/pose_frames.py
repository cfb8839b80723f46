"""A demo's 20 Hz pose stream at the public layout's 16 frames per second, as metadata.

Frame k is at game time ``t0 + k * 62.5`` ms, ``t0`` the first snapshot's ``server_time``,
for every such time before the last snapshot (the times the client's ``video`` command
renders at ``cl_aviFrameRate 16``: playback ends on reading the last snapshot, so a frame
time equal to it is not rendered; measured: 8.0 s of snapshots give 128 frames, 30.15 s
give 483). Between the two snapshots around a frame time the
pose is interpolated linearly: origin and velocity as they are, pitch and yaw after
unwrapping (so a turn through +-180 degrees interpolates the short way). Across a
*jump* (either snapshot dead, or the origin moving more than :data:`JUMP_UNITS` in 50 ms,
i.e. a respawn or teleporter) nothing is interpolated: the frame takes the earlier
snapshot and is marked ``jump``. Frames of dead snapshots are ``dead``.

:func:`curr_vars` writes the frames as the authors' ``curr_vars`` dicts (the keys of
:mod:`csgo_env.datasets.pearce.metadata_columns`), so their action inference runs as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env.datasets.openarena.game_constants import OPENARENA, OpenArenaConstants
from csgo_env.datasets.openarena.poses import DemoPose, Obituary
from csgo_env.errors import RecordingCorrupt, explain

FRAME_MS = 62.5
"""Game time between two frames (16 per second)."""
JUMP_UNITS = 60.0
"""A 50 ms step longer than this is a respawn or teleport (running is < 20 units)."""
WEAPON_TYPES = {1: "Knife", 2: "Pistol"}
"""OpenArena weapon number -> the GSI ``type`` whose switch key the env binds to it
(gauntlet on ``3``, machine gun on ``2``, any other weapon on ``1``)."""


@dataclass(frozen=True)
class FramePoses:
    """n frames: ``time_ms`` (n,) game time; ``origin``, ``velocity`` (n, 3) units and
    units/s; ``pitch``, ``yaw`` (n,) degrees wrapped to [-180, 180); ``dead``, ``jump``
    (n,) bool; ``health``, ``weapon``, ``ammo`` (n,) int from the earlier snapshot."""

    time_ms: np.ndarray
    origin: np.ndarray
    velocity: np.ndarray
    pitch: np.ndarray
    yaw: np.ndarray
    dead: np.ndarray
    jump: np.ndarray
    health: np.ndarray
    weapon: np.ndarray
    ammo: np.ndarray

    @property
    def num_frames(self) -> int:
        """Number of frames n."""
        return int(self.time_ms.shape[0])


def frame_times(first_ms: int, last_ms: int, frame_ms: float = FRAME_MS) -> np.ndarray:
    """float64: ``first_ms + k * frame_ms`` for every k with the time < ``last_ms``
    (``[first_ms]`` when the two are equal)."""
    count = max(int(np.ceil((last_ms - first_ms) / frame_ms)), 1)
    return first_ms + frame_ms * np.arange(max(count, 0))


def to_frames(poses: list[DemoPose], frame_ms: float = FRAME_MS) -> FramePoses:
    """Resample ``poses`` (time order, one followed player) at frame times."""
    if len(poses) < 2:
        raise RecordingCorrupt(explain("a demo needs at least two snapshots",
                                       got=f"{len(poses)}", fix="record for longer"))
    t = np.array([p.server_time for p in poses], dtype=np.float64)
    if np.any(np.diff(t) <= 0):
        raise RecordingCorrupt("demo snapshots are not in increasing time order")
    origin = np.array([p.origin for p in poses])
    velocity = np.array([p.velocity for p in poses])
    angles = np.unwrap(np.radians(np.array([[p.pitch, p.yaw] for p in poses])), axis=0)
    dead = np.array([p.dead for p in poses])
    step = np.linalg.norm(np.diff(origin, axis=0), axis=1)
    jump_after = (step > JUMP_UNITS) | dead[1:] | dead[:-1]
    times = frame_times(int(t[0]), int(t[-1]), frame_ms)
    i = np.clip(np.searchsorted(t, times, side="right") - 1, 0, len(t) - 2)
    w = (times - t[i]) / (t[i + 1] - t[i])
    jump = jump_after[i] & (w > 0)
    w = np.where(jump, 0.0, w)[:, None]

    def lerp(values: np.ndarray) -> np.ndarray:
        return np.asarray(values[i] * (1 - w) + values[i + 1] * w)

    ang = np.degrees(lerp(angles))
    wrap = (ang + 180.0) % 360.0 - 180.0
    ints = {name: np.array([getattr(p, name) for p in poses])[i]
            for name in ("health", "weapon", "ammo")}
    return FramePoses(time_ms=times, origin=lerp(origin), velocity=lerp(velocity),
                      pitch=wrap[:, 0], yaw=wrap[:, 1], dead=dead[i] & ~(w[:, 0] > 0),
                      jump=jump, **ints)


def curr_vars(frames: FramePoses, obituaries: list[Obituary], player: int, *,
              constants: OpenArenaConstants = OPENARENA) -> list[dict[str, Any]]:
    """One ``curr_vars`` dict per frame (the authors' keys, OpenArena's values).

    Health is 0 on dead frames (the inference then skips them, as it skips CS:GO's
    death camera); kills and deaths count the followed ``player``'s obituaries up to the
    frame time; ``height`` is the standing view height (demos do not carry crouching:
    ``pm_flags`` ducked is not decoded here), ``obs_fov`` 90, observer mode 4 (first
    person); ``itemdef`` the weapon number, ``ammo_active`` its ammunition.
    """
    kill_times = np.array([o.server_time for o in obituaries
                           if o.killer == player and o.victim != player], dtype=np.float64)
    death_times = np.array([o.server_time for o in obituaries if o.victim == player],
                           dtype=np.float64)
    out: list[dict[str, Any]] = []
    for k in range(frames.num_frames):
        alive = not bool(frames.dead[k])
        health = int(frames.health[k]) if alive else 0
        weapon = int(frames.weapon[k])
        t = frames.time_ms[k]
        x, y, z = (float(v) for v in frames.origin[k])
        out.append({
            "gsi_health": max(health, 0), "obs_health": max(health, 0),
            "gsi_kills": int(np.sum(kill_times <= t)), "gsi_deaths": int(np.sum(death_times <= t)),
            "found_active": int(alive and weapon > 0), "obs_fov": 90.0, "obs_scope": 0,
            "obs_mode": 4, "height": constants.view_height,
            "vel_1": float(frames.velocity[k, 0]), "vel_2": float(frames.velocity[k, 1]),
            "vel_3": float(frames.velocity[k, 2]),
            "viewangle_xy": float(frames.yaw[k]), "viewangle_vert": float(frames.pitch[k]),
            "itemdef": weapon, "ammo_active": int(frames.ammo[k]), "gsi_ammo": int(frames.ammo[k]),
            "localpos1": x, "localpos2": y, "localpos3": z,
            "gsi_weap_active": {"type": WEAPON_TYPES.get(weapon, "Rifle"),
                                "name": f"oa_weapon_{weapon}"} if weapon > 0 else None,
            "oa_time_ms": float(t), "oa_jump": bool(frames.jump[k]),
        })
    return out


__all__ = ["FRAME_MS", "JUMP_UNITS", "FramePoses", "curr_vars", "frame_times", "to_frames"]
