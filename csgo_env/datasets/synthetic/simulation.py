"""The tick-level simulation behind the synthetic sample recordings.

Units follow the public data: mouse in raw counts per tick (1 count = 0.055 deg of view
rotation, +x turns right, +y looks down), positions in world units, velocities in world
units per second, 16 ticks per second. Action i is what changes the state from tick i to
tick i+1; ``curr_vars`` of tick i describe the state when frame i was grabbed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from csgo_env.actions import (
    DEG_PER_COUNT,
    FIRE_INDEX,
    KEY_INDEX,
    KEY_NAMES,
    MOUSE_X_INDEX,
    MOUSE_Y_INDEX,
    NVEC,
    SCOPE_INDEX,
    quantize_mouse_x,
    quantize_mouse_y,
)
from csgo_env.datasets.pearce.families import Family
from csgo_env.datasets.synthetic.frames import ViewTrack

TICK_HZ = 16
_K = KEY_INDEX
FIRE, SCOPE = FIRE_INDEX, SCOPE_INDEX
MX, MY = MOUSE_X_INDEX, MOUSE_Y_INDEX
# weapon slots: (GSI name T, GSI name CT, GSI type, clip, reserve, itemdef T, itemdef CT)
WEAPONS = (
    ("weapon_knife_t", "weapon_knife", "Knife", -1, 0, 59, 42),
    ("weapon_glock", "weapon_usp_silencer", "Pistol", 20, 120, 4, 61),
    ("weapon_ak47", "weapon_m4a1", "Rifle", 30, 90, 7, 16),
)
KNIFE, PISTOL, RIFLE = 0, 1, 2
# kills per 100 ticks by family (aim maps are busier, spectated servers calmer)
KILL_RATE = {"aim-expert": 3.0, "dust2-scraped": 1.0}


@dataclass
class Episode:
    """Simulated ticks of one recording; every array has length n (int team: 1 = CT)."""

    actions: np.ndarray  # int64 (n, 15) factored actions
    mouse: np.ndarray  # float64 (n, 2) unquantised mouse counts (infer_a)
    helper: np.ndarray  # float64 (n, 2) [kill, death]
    alive: np.ndarray
    health: np.ndarray
    ammo: np.ndarray  # clip ammo of the active weapon (-1 knife)
    xaux_ammo: np.ndarray  # as the authors fed xaux: 0 while dead
    weapon: np.ndarray  # KNIFE / PISTOL / RIFLE
    kills: np.ndarray
    deaths: np.ndarray
    pos: np.ndarray  # (n, 3)
    vel: np.ndarray  # (n, 3)
    yaw: np.ndarray  # viewangle_xy, deg, counter-clockwise
    pitch: np.ndarray  # viewangle_vert, deg, +down
    crouch: np.ndarray
    team_ct: int
    view: ViewTrack
    frames: np.ndarray | None = field(default=None, repr=False)

    def infer_a(self) -> list[list]:
        """Per tick ``[keys_pressed, mouse_x, mouse_y, left, right]`` (mouse unquantised)."""
        names = np.array(KEY_NAMES)
        return [[names[row[:len(KEY_NAMES)] == 1].tolist(), float(m[0]), float(m[1]),
                 int(row[FIRE]), int(row[SCOPE])] for row, m in zip(self.actions, self.mouse,
                                                                    strict=True)]

    def curr_vars(self) -> list[dict]:
        """Per tick the ``curr_vars`` dict of the metadata files (marked synthetic)."""
        out = []
        team = "CT" if self.team_ct else "T"
        for i in range(len(self.health)):
            weapons = {f"weapon_{slot}": _gsi_weapon(slot, self.team_ct, self.weapon[i],
                                                     self.ammo[i]) for slot in range(3)}
            cv: dict = {"obs_mode": 4, "gsi_team": team, "gsi_health": int(self.health[i]),
                        "gsi_kills": int(self.kills[i]), "gsi_deaths": int(self.deaths[i]),
                        "gsi_weapons": weapons if self.alive[i] else {},
                        "found_active": bool(self.alive[i])}
            if self.alive[i]:
                cv["gsi_weap_active"] = weapons[f"weapon_{self.weapon[i]}"]
                cv["gsi_ammo"] = int(self.ammo[i])
            vx, vy, vz = (float(v) for v in self.vel[i])
            cv.update({
                "obs_health": int(self.health[i]), "obs_fov": 0, "obs_scope": 0,
                "localpos1": float(self.pos[i, 0]), "localpos2": float(self.pos[i, 1]),
                "localpos3": float(self.pos[i, 2]),
                "height": 46.04 if self.crouch[i] else 64.06,
                "vel_1": vx, "vel_2": vy, "vel_3": vz,
                "vel_mag": np.float64(np.hypot(vx, vy)),
                "viewangle_vert": float(self.pitch[i]), "viewangle_xy": float(self.yaw[i]),
                "zvert_rads": float(np.radians(90.0 - self.pitch[i])),
                "xy_rad": float(np.radians(-self.yaw[i]) % (2 * np.pi)),
                "vel_theta_abs": np.float64(np.arctan2(vy, vx)),
                "itemdef": WEAPONS[self.weapon[i]][6 if self.team_ct else 5],
                "ammo_active": int(max(self.ammo[i], 0)) if self.alive[i] else 0,
                "tp_wasd": [k for k in "wasd" if self.actions[i, _K[k]]],
                "tp_lclick": int(self.actions[i, FIRE]), "synthetic": True})
            out.append(cv)
        return out


def _gsi_weapon(slot: int, team_ct: int, active: int, ammo: int) -> dict:
    name_t, name_ct, kind, clip, reserve, _, _ = WEAPONS[slot]
    weapon: dict[str, object] = {"name": name_ct if team_ct else name_t, "paintkit": "default",
                                 "type": kind,
                                 "state": "active" if slot == active else "holstered"}
    if clip >= 0:
        weapon.update(ammo_clip=int(ammo) if slot == active else clip, ammo_clip_max=clip,
                      ammo_reserve=reserve)
    return weapon


def _runs(rng: np.random.Generator, n: int, mean_on: float, mean_off: float) -> np.ndarray:
    """Alternating on/off runs with geometric lengths: bool (n,)."""
    lengths = np.stack([rng.geometric(1 / mean_off, n), rng.geometric(1 / mean_on, n)],
                       axis=1).ravel()
    edges = np.cumsum(lengths)
    state = np.zeros(int(edges[-1]) + 1, dtype=np.int8)
    np.add.at(state, edges, 1)
    return (np.cumsum(state)[:n] % 2).astype(bool)


def simulate(rng: np.random.Generator, n: int, family: Family) -> Episode:
    """Simulate n ticks of deathmatch play for ``family`` (deterministic given ``rng``)."""
    alive = np.ones(n, bool)
    helper = np.zeros((n, 2))
    t = int(rng.integers(300, 501))
    while t < n:  # a death every 300-500 ticks, then 24-40 dead ticks
        helper[t, 1] = 1
        dead = int(rng.integers(24, 41))
        alive[t:t + dead] = False
        t += dead + int(rng.integers(300, 501))
    rate = KILL_RATE.get(family.name, 1.5) / 100
    engage = np.full(n, -1)  # tick of the kill/death an engagement leads to
    t = int(rng.integers(15, 60))
    while t < n:
        window = slice(max(t - 24, 1), t + 1)
        if alive[window].all() and helper[max(t - 3, 0):t + 4, 1].sum() == 0:
            helper[t, 0] = 1
        t += max(12, int(rng.geometric(rate)))
    for t in map(int, np.flatnonzero(helper.any(axis=1))):
        lo = max(int(t) - int(rng.integers(8, 25)), 1)
        while lo < t and not alive[lo:t].all():
            lo += 1
        engage[lo:t] = t
    # movement and key streams (vectorised), masked by life and engagements
    act = np.zeros((n, len(NVEC)), dtype=np.int64)
    calm = alive & (engage < 0)
    w = _runs(rng, n, 40, 15) & calm
    s = _runs(rng, n, 4, 80) & calm & ~w
    strafe = _runs(rng, n, 8, 14) & alive
    left = rng.random(n) < 0.5
    left = np.repeat(left[::8], 8)[:n]
    act[:, _K["w"]], act[:, _K["s"]] = w, s
    act[:, _K["a"]], act[:, _K["d"]] = strafe & left, strafe & ~left
    act[:, _K["shift"]] = _runs(rng, n, 10, 120) & alive & ~(engage >= 0)
    act[:, _K["ctrl"]] = _runs(rng, n, 6, 90) & alive
    act[:, _K["space"]] = (rng.random(n) < 0.01) & alive
    fire_want = ((engage >= 0) & (rng.random(n) < 0.7)) | (_runs(rng, n, 3, 250) & alive)
    return _step(rng, n, family, act, fire_want, alive, helper, engage)


def _step(rng: np.random.Generator, n: int, family: Family, act: np.ndarray,
          fire_want: np.ndarray, alive: np.ndarray, helper: np.ndarray,
          engage: np.ndarray) -> Episode:
    """The sequential part: aim, weapons, ammo, reloads, health, position."""
    team_ct = int(rng.integers(2))
    mouse = np.zeros((n, 2))
    yaw, pitch = np.zeros(n), np.zeros(n)  # counter-clockwise deg, +down deg
    pos, vel = np.zeros((n, 3)), np.zeros((n, 3))
    health, ammo = np.zeros(n), np.zeros(n, np.int64)
    weapon = np.full(n, RIFLE)
    enemy_az, enemy_dist = np.full(n, np.nan), np.full(n, np.nan)
    flash = np.zeros(n, bool)
    kills = int(rng.integers(0, 15)) + np.cumsum(helper[:, 0]).astype(np.int64)
    deaths = int(rng.integers(0, 10)) + np.cumsum(helper[:, 1]).astype(np.int64)
    yaw[0], pitch[0] = rng.uniform(-180, 180), rng.uniform(-5, 5)
    pos[0] = (rng.uniform(-1500, 1200), rng.uniform(-800, 2800), 0.0)
    hp, clip, wpn, reload_at, back_at, target = 100.0, 30, RIFLE, -1, -1, np.nan
    noise = rng.laplace(0, 5, (n, 2)) * (rng.random((n, 1)) < 0.6)
    flick = (rng.random(n) < 0.02) * rng.choice([-1, 1], n) * rng.uniform(80, 600, n)
    for i in range(n):
        if alive[i] and (i == 0 or not alive[i - 1]):  # respawn
            hp, clip, wpn, reload_at, back_at = 100.0, 30, RIFLE, -1, -1
            pos[i] = (rng.uniform(-1500, 1200), rng.uniform(-800, 2800), 0.0)
        if i == reload_at:
            clip, reload_at = WEAPONS[wpn][3], -1
        if i == back_at:
            act[i, _K["1"]], wpn, clip, back_at = 1, RIFLE, 30, -1
        if helper[i, 1]:
            hp = 0.0
        health[i], ammo[i], weapon[i] = hp, clip if wpn != KNIFE else -1, wpn
        cw_yaw = -yaw[i]
        if engage[i] >= 0:
            if i == 0 or engage[i] != engage[i - 1]:  # a new opponent comes into view
                target = cw_yaw + rng.choice([-1, 1]) * rng.uniform(6, 35)
                enemy_dist[i:engage[i]] = rng.uniform(300, 1500)
            enemy_az[i] = target
        else:
            target = np.nan
        if i == 0 or not alive[i]:
            act[i] = 0
            act[i, MX], act[i, MY] = quantize_mouse_x(0.0), quantize_mouse_y(0.0)
        else:
            if not np.isnan(target):
                dx = (target - cw_yaw) / DEG_PER_COUNT * rng.uniform(0.5, 0.9) + noise[i, 0]
                if helper[engage[i], 1]:  # losing a duel: health drains towards the death
                    hp = max(1.0, hp - float(rng.integers(0, 15)))
                elif hp > 30 and rng.random() < 0.03:
                    hp -= float(rng.integers(8, 30))
            else:
                dx = noise[i, 0] * 2 + flick[i]
            dy = noise[i, 1] * 0.6 - 0.1 * pitch[i] / DEG_PER_COUNT
            mouse[i] = dx, dy
            act[i, MX], act[i, MY] = quantize_mouse_x(dx), quantize_mouse_y(dy)
            switch = reload_at < 0 and back_at < 0 and engage[i] < 0 and rng.random() < 0.004
            if switch:
                wpn = PISTOL if rng.random() < 0.6 else KNIFE
                act[i, _K["2" if wpn == PISTOL else "3"]] = 1
                clip, back_at = WEAPONS[wpn][3], i + int(rng.integers(16, 80))
            firing = bool(fire_want[i]) and reload_at < 0 and not switch
            act[i, FIRE] = firing
            if firing and wpn != KNIFE and clip > 0:
                clip -= 1
                flash[i] = True
            if wpn != KNIFE and reload_at < 0 and not firing and engage[i] < 0 and (
                    clip == 0 or (clip < WEAPONS[wpn][3] * 0.4 and rng.random() < 0.08)):
                act[i, _K["r"]], reload_at = 1, i + int(rng.integers(27, 33))
        if i + 1 < n:
            yaw[i + 1] = (yaw[i] - mouse[i, 0] * DEG_PER_COUNT + 180.0) % 360.0 - 180.0
            pitch[i + 1] = np.clip(pitch[i] + mouse[i, 1] * DEG_PER_COUNT, -89.0, 89.0)
            vel[i + 1] = _velocity(act[i], vel[i], yaw[i])
            pos[i + 1] = pos[i] + vel[i + 1] / TICK_HZ
            pos[i + 1, 2] = 0.0
    travel = np.cumsum(np.hypot(vel[:, 0], vel[:, 1])) / TICK_HZ
    ammo_frac = np.where(weapon == KNIFE, np.nan,
                         ammo / np.array([w[3] for w in WEAPONS], float)[weapon].clip(1))
    view = ViewTrack(yaw_deg=-yaw, pitch_deg=pitch, travel=travel, enemy_az=enemy_az,
                     enemy_dist=enemy_dist, health=health, ammo_frac=ammo_frac, flash=flash,
                     alive=alive, enemy_team=1 - team_ct)
    return Episode(actions=act, mouse=mouse, helper=helper, alive=alive, health=health,
                   ammo=ammo, xaux_ammo=np.where(alive, ammo, 0), weapon=weapon, kills=kills,
                   deaths=deaths, pos=pos, vel=vel, yaw=yaw, pitch=pitch,
                   crouch=act[:, _K["ctrl"]].astype(bool), team_ct=team_ct, view=view)


def _velocity(action: np.ndarray, vel: np.ndarray, yaw_deg: float) -> np.ndarray:
    """Next velocity (units/s) from the held keys: run 250, walk 130, crouch 85."""
    forward = action[_K["w"]] - action[_K["s"]]
    right = action[_K["d"]] - action[_K["a"]]
    speed = 85.0 if action[_K["ctrl"]] else 130.0 if action[_K["shift"]] else 250.0
    yaw = np.radians(yaw_deg)
    wish = forward * np.array([np.cos(yaw), np.sin(yaw)]) \
        + right * np.array([np.sin(yaw), -np.cos(yaw)])
    norm = np.hypot(*wish)
    target = wish / norm * speed if norm > 0 else np.zeros(2)
    out = np.zeros(3)
    out[:2] = vel[:2] + 0.35 * (target - vel[:2])
    return out
