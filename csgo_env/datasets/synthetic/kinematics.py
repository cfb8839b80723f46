"""Synthetic metadata from known actions by simple kinematics: ground truth for inference.

Nothing here is real gameplay: a point player on a flat floor, driven by a known action
per frame, produces the ``curr_vars`` stream the authors' recorder would have logged.
Inferring actions from that stream (:mod:`csgo_env.datasets.pearce.infer_actions`) must give the
known actions back. Every ``curr_vars`` dict holds ``'synthetic': True``.

Timing follows the authors' recorder (metadata frame k is read after action k took
effect): mouse, movement keys, jump and fire show at frame k; a weapon switch and a scope
click at k+1; a crouch lowers the view height at k+2; a reload refills the clip at
k + ``reload_frames``.

Kinematics, per 1/16 s frame in 4 steps of 1/64 s (the 64-tick server):

- view: ``yaw -= mouse_x * 0.055 deg * fov/90`` (yaw counter-clockwise, so +x turns
  right), ``pitch += mouse_y * 0.055 deg * fov/90`` (+y looks down); 0.055 deg per count is
  ``m_yaw`` 0.022 at sensitivity 2.5 (:data:`csgo_env.actions.DEG_PER_COUNT`).
- ground movement in the Source engine's form: friction ``speed -= max(speed, stopspeed)
  * friction * dt``, then acceleration ``accelerate * dt * maxspeed`` towards the wished
  speed along the wished direction (WASD relative to the yaw *before* the frame's mouse
  move), with the engine's defaults sv_friction 5.2, sv_accelerate 5.5, sv_stopspeed 80;
  wished speed = the weapon's maximum x 0.52 walking (shift) or x 0.34 crouched.
- jump: vertical speed set to sv_jump_impulse 301.993, sv_gravity 800 (the same physics
  holds in the air: simple, not the game's air control).

Weapon maxima (CS:GO item schema ``max_player_speed``): knife 250, Glock-18 / USP-S 240,
AK-47 215, M4A4 225, AWP 200 (100 scoped). With them, braking by friction alone from full
speed is slower than the -70 units/s per frame that the inference takes for a
counter-strafe, except with the knife (-72).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from csgo_env.actions import DEG_PER_COUNT, KEY_NAMES, N_BINARY
from csgo_env.datasets.pearce.metadata_columns import clockwise_velocity_angle, clockwise_yaw_rad

_K = {name: i for i, name in enumerate(KEY_NAMES)}
FIRE, SCOPE = N_BINARY - 2, N_BINARY - 1
STEPS_PER_FRAME = 4
FOV_LEVELS = (90.0, 40.0, 10.0)
"""AWP zoom levels in degrees; a scope click moves to the next, wrapping to unzoomed."""


@dataclass(frozen=True)
class Weapon:
    """One weapon: GSI name and type, memory item id, clip size, max speed (units/s)."""

    name: str
    kind: str
    itemdef: int
    clip: int
    speed: float


WEAPONS: dict[str, Weapon] = {w.name: w for w in (
    Weapon("weapon_knife_t", "Knife", 59, -1, 250.0),
    Weapon("weapon_glock", "Pistol", 4, 20, 240.0),
    Weapon("weapon_ak47", "Rifle", 7, 30, 215.0),
    Weapon("weapon_awp", "SniperRifle", 9, 10, 200.0),
)}
SLOT_KEYS = {"1": 0, "2": 1, "3": 2}
"""Weapon keys to loadout slots: 1 primary, 2 pistol, 3 knife."""


@dataclass(frozen=True)
class Kinematics:
    """Physical constants of the simulation (the Source engine's defaults)."""

    friction: float = 5.2
    accelerate: float = 5.5
    stopspeed: float = 80.0
    walk_factor: float = 0.52
    crouch_factor: float = 0.34
    jump_impulse: float = 301.993378
    gravity: float = 800.0
    reload_frames: int = 28
    stand_height: float = 64.06
    crouch_height: float = 46.04
    awp_scoped_speed: float = 100.0


@dataclass
class KnownPlay:
    """Known actions of n frames and the events that are not actions.

    ``actions`` int64 (n, 15) factored (the truth inference must recover); ``mouse`` int64
    (n, 2) mouse counts whose bins are ``actions[:, 13:]``; ``deaths`` frames where health
    drops to 0 (dead for ``dead_frames`` frames, then respawned); ``kills`` frames where the
    kill counter rises. ``primary``: the weapon of slot 1.
    """

    actions: np.ndarray
    mouse: np.ndarray
    deaths: tuple[int, ...] = ()
    kills: tuple[int, ...] = ()
    dead_frames: int = 24
    primary: str = "weapon_ak47"
    start_yaw: float = 30.0
    start_pitch: float = 0.0
    start_pos: tuple[float, float] = (0.0, 0.0)
    respawns: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class _State:
    pos: np.ndarray
    vel: np.ndarray
    yaw: float
    pitch: float
    slot: int
    clips: list[int]
    zoom: int = 0
    reload_at: int = -1
    health: int = 100


def alive_mask(play: KnownPlay) -> np.ndarray:
    """bool (n,): frames where the simulated player is alive (health > 0)."""
    n = len(play.actions)
    alive = np.ones(n, dtype=bool)
    for d in play.deaths:
        alive[d:d + play.dead_frames] = False
    return alive


def simulate_curr_vars(play: KnownPlay, *, own_play: bool = False,
                       physics: Kinematics | None = None) -> list[dict[str, Any]]:
    """The ``curr_vars`` of every frame of ``play``; with ``own_play`` they also log the
    held keys and clicks (``tp_wasd``, ``tp_lclick``) as the authors' own-play recorder."""
    k = physics or Kinematics()
    n = len(play.actions)
    loadout = [WEAPONS[play.primary], WEAPONS["weapon_glock"], WEAPONS["weapon_knife_t"]]
    alive = alive_mask(play)
    kills = np.cumsum(np.isin(np.arange(n), play.kills)) + 3
    deaths = np.cumsum(np.isin(np.arange(n), play.deaths)) + 1
    st = _State(pos=np.array([*play.start_pos, 0.0]), vel=np.zeros(3), yaw=play.start_yaw,
                pitch=play.start_pitch, slot=0, clips=[w.clip for w in loadout])
    spawns = iter(play.respawns)
    out = [_record(st, loadout, play.actions[0], k, alive[0], kills[0], deaths[0], own_play)]
    for f in range(1, n):
        act, prev = play.actions[f], play.actions[f - 1]
        if not alive[f]:
            st.health, st.vel[:] = 0, 0.0
        elif not alive[f - 1]:  # respawn: full loadout at a new place, standing still
            st = _State(pos=np.array([*next(spawns, (0.0, 0.0)), 0.0]), vel=np.zeros(3),
                        yaw=st.yaw, pitch=st.pitch, slot=0, clips=[w.clip for w in loadout])
        else:
            _delayed_effects(st, prev, f, loadout, k)
            zoom = FOV_LEVELS[st.zoom] / 90.0
            yaw_before = st.yaw
            st.yaw = (st.yaw - play.mouse[f, 0] * DEG_PER_COUNT * zoom + 180.0) % 360.0 - 180.0
            st.pitch = st.pitch + play.mouse[f, 1] * DEG_PER_COUNT * zoom
            crouched = bool(f >= 2 and play.actions[f - 2, _K["ctrl"]])
            _move(st, act, yaw_before, loadout[st.slot], crouched, k)
            weapon = loadout[st.slot]
            if act[FIRE] and weapon.clip > 0 and st.clips[st.slot] > 0 and st.reload_at < 0:
                st.clips[st.slot] -= 1
            if act[_K["r"]] and weapon.clip > 0 and st.reload_at < 0:
                st.reload_at = f + k.reload_frames
        out.append(_record(st, loadout, act, k, alive[f], kills[f], deaths[f], own_play,
                           crouched_view=bool(f >= 2 and play.actions[f - 2, _K["ctrl"]])))
    return out


def _delayed_effects(st: _State, prev: np.ndarray, f: int, loadout: list[Weapon],
                     k: Kinematics) -> None:
    """Effects at frame f of the previous frame's switch and scope, and a due reload."""
    for key, slot in SLOT_KEYS.items():
        if prev[_K[key]] and slot != st.slot:
            st.slot, st.zoom, st.reload_at = slot, 0, -1
    if prev[SCOPE] and loadout[st.slot].name == "weapon_awp":
        st.zoom = (st.zoom + 1) % len(FOV_LEVELS)
    if st.reload_at == f:
        st.clips[st.slot], st.reload_at = loadout[st.slot].clip, -1


def _move(st: _State, act: np.ndarray, yaw_deg: float, weapon: Weapon, crouched: bool,
          k: Kinematics) -> None:
    """Advance position and velocity by one frame (4 engine steps) under ``act``'s keys."""
    forward = int(act[_K["w"]]) - int(act[_K["s"]])
    right = int(act[_K["d"]]) - int(act[_K["a"]])
    yaw = np.radians(yaw_deg)
    wish = forward * np.array([np.cos(yaw), np.sin(yaw)]) \
        + right * np.array([np.sin(yaw), -np.cos(yaw)])
    norm = float(np.hypot(*wish))
    maxspeed = k.awp_scoped_speed if weapon.name == "weapon_awp" and st.zoom else weapon.speed
    wishspeed = maxspeed * (k.crouch_factor if crouched
                            else k.walk_factor if act[_K["shift"]] else 1.0)
    wishdir = wish / norm if norm else np.zeros(2)
    on_ground = st.pos[2] <= 0.0 and st.vel[2] <= 0.0
    if act[_K["space"]] and on_ground:
        st.vel[2] = k.jump_impulse
    dt = 1.0 / (16 * STEPS_PER_FRAME)
    for _ in range(STEPS_PER_FRAME):
        v = st.vel[:2]
        speed = float(np.hypot(*v))
        if speed > 0:
            drop = max(speed, k.stopspeed) * k.friction * dt
            v *= max(speed - drop, 0.0) / speed
        if norm:
            add = wishspeed - float(v @ wishdir)
            if add > 0:
                v += min(k.accelerate * dt * maxspeed, add) * wishdir
        st.pos[:2] += v * dt
        if st.pos[2] > 0.0 or st.vel[2] > 0.0:
            st.vel[2] -= k.gravity * dt
            st.pos[2] += st.vel[2] * dt
            if st.pos[2] <= 0.0:
                st.pos[2], st.vel[2] = 0.0, 0.0


def _record(st: _State, loadout: list[Weapon], act: np.ndarray, k: Kinematics, alive: bool,
            kills: int, deaths: int, own_play: bool, crouched_view: bool = False
            ) -> dict[str, Any]:
    weapon = loadout[st.slot]
    clip = st.clips[st.slot] if weapon.clip > 0 else -1
    weapons = {f"weapon_{i}": _gsi_weapon(w, i == st.slot, st.clips[i])
               for i, w in enumerate(loadout)}
    vx, vy, vz = (float(v) for v in st.vel)
    cv: dict[str, Any] = {
        "obs_mode": 4, "gsi_team": "T", "gsi_health": st.health if alive else 0,
        "gsi_kills": int(kills), "gsi_deaths": int(deaths),
        "gsi_weapons": weapons if alive else {}, "found_active": bool(alive)}
    if alive:
        cv["gsi_weap_active"] = weapons[f"weapon_{st.slot}"]
        cv["gsi_ammo"] = clip
    cv.update({
        "obs_health": st.health if alive else 0,
        "obs_fov": 0 if st.zoom == 0 else int(FOV_LEVELS[st.zoom]),
        "obs_scope": int(st.zoom > 0),
        "localpos1": float(st.pos[0]), "localpos2": float(st.pos[1]),
        "localpos3": float(st.pos[2]),
        "height": k.crouch_height if crouched_view and alive else k.stand_height,
        "vel_1": vx, "vel_2": vy, "vel_3": vz, "vel_mag": float(np.hypot(vx, vy)),
        "viewangle_vert": float(st.pitch), "viewangle_xy": float(st.yaw),
        "zvert_rads": float(np.radians(90.0 - st.pitch)),
        "xy_rad": clockwise_yaw_rad(st.yaw), "vel_theta_abs": clockwise_velocity_angle(vx, vy),
        "itemdef": weapon.itemdef, "ammo_active": clip if alive else 0, "synthetic": True})
    if own_play:
        cv["tp_wasd"] = [key for key in ("w", "a", "s", "d", "r", "space") if act[_K[key]]]
        cv["tp_lclick"] = int(act[FIRE])
    return cv


def _gsi_weapon(weapon: Weapon, active: bool, clip: int) -> dict[str, Any]:
    out: dict[str, Any] = {"name": weapon.name, "paintkit": "default", "type": weapon.kind,
                           "state": "active" if active else "holstered"}
    if weapon.clip > 0:
        out.update(ammo_clip=int(clip), ammo_clip_max=weapon.clip, ammo_reserve=90)
    return out


__all__ = ["FOV_LEVELS", "WEAPONS", "Kinematics", "KnownPlay", "Weapon",
           "alive_mask", "simulate_curr_vars"]
