"""The tick-level simulation behind the synthetic sample recordings.

Units follow the public data: mouse in raw counts per tick (1 count = 0.055 deg of view
rotation, +x turns right, +y looks down), positions in world units, velocities in world
units per second, 16 ticks per second.

Timing follows the dataset authors' recorder. The simulation runs n+1 states: frame i shows
state i, action i (taken after seeing frame i) turns state i into state i+1, and
``curr_vars[i]`` is state i+1 (the recorder read it just after frame i, once action i took
effect; action i is inferred from the change between ``curr_vars[i-1]`` and
``curr_vars[i]``). The ``[kill, death]`` flags of frame i are the counter changes between
``curr_vars[i-1]`` and ``curr_vars[i]`` (the authors' rule): events during action i, first
shown in frame i+1. As in the game, a weapon switch shows one state later (its key is
labelled one frame before the change), a crouch lowers the view two frames after its key,
a reload refills the clip 27-32 frames after ``r``; frames the authors' labelling skips (the
player dead now or one frame before in ``curr_vars``) carry the default action.
Own-play families log the keys held (``tp_wasd``: w, a, s, d, space, r, shift, ctrl) and
the left button (``tp_lclick``); the spectated family logs none.
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
from csgo_env.datasets.pearce.metadata_columns import clockwise_velocity_angle, clockwise_yaw_rad
from csgo_env.datasets.synthetic.frames import ViewTrack
from csgo_env.datasets.synthetic.kinematics import Kinematics

TICK_HZ = 16
_K = KEY_INDEX
FIRE, SCOPE = FIRE_INDEX, SCOPE_INDEX
MX, MY = MOUSE_X_INDEX, MOUSE_Y_INDEX
# weapon slots: (GSI name T, GSI name CT, GSI type, clip, reserve, itemdef T, itemdef CT,
# max speed T, max speed CT: the CS:GO item schema's max_player_speed)
WEAPONS = (
    ("weapon_knife_t", "weapon_knife", "Knife", -1, 0, 59, 42, 250.0, 250.0),
    ("weapon_glock", "weapon_usp_silencer", "Pistol", 20, 120, 4, 61, 240.0, 240.0),
    ("weapon_ak47", "weapon_m4a1", "Rifle", 30, 90, 7, 16, 215.0, 225.0),
)
PHYSICS = Kinematics()
SPEEDS = tuple((float(w[7]), float(w[8])) for w in WEAPONS)
"""Max speed (units/s) of each weapon slot: (T, CT)."""
KNIFE, PISTOL, RIFLE = 0, 1, 2
LOGGED_KEYS = ("w", "a", "s", "d", "space", "r", "shift", "ctrl")
"""Keys an own-play family's ``tp_wasd`` lists when held."""
JUMP_SPEED, GRAVITY = 301.993378, 800.0
STAND_HEIGHT, CROUCH_HEIGHT = 64.06, 46.04
# kills per 100 ticks by family (aim maps are busier, spectated servers calmer)
KILL_RATE = {"aim-expert": 3.0, "dust2-scraped": 1.0}


@dataclass
class Episode:
    """Simulated ticks of one recording (int team: 1 = CT).

    Length n (one per frame): ``actions`` int64 (n, 15) factored, ``mouse`` float64 (n, 2)
    unquantised counts (infer_a), ``helper`` (n, 2) ``[kill, death]`` in the authors'
    convention, and what frame i shows: ``alive``, ``health``, ``ammo`` (clip, -1 knife),
    ``weapon`` (KNIFE / PISTOL / RIFLE). ``xaux_health`` / ``xaux_ammo``: the GSI health
    and memory clip of ``curr_vars[i]``, as the authors fed them to xaux (0 while dead).
    Length n+1 (states 0..n): ``kills``, ``deaths``, ``pos``, ``vel`` (n+1, 3), ``yaw``
    (viewangle_xy, deg, counter-clockwise), ``pitch`` (viewangle_vert, deg, +down),
    ``state_alive``, ``state_health``, ``state_ammo``, ``state_weapon``.
    """

    actions: np.ndarray
    mouse: np.ndarray
    helper: np.ndarray
    alive: np.ndarray
    health: np.ndarray
    ammo: np.ndarray
    xaux_health: np.ndarray
    xaux_ammo: np.ndarray
    weapon: np.ndarray
    kills: np.ndarray
    deaths: np.ndarray
    pos: np.ndarray
    vel: np.ndarray
    yaw: np.ndarray
    pitch: np.ndarray
    state_alive: np.ndarray
    state_health: np.ndarray
    state_ammo: np.ndarray
    state_weapon: np.ndarray
    team_ct: int
    view: ViewTrack
    own_play: bool = True
    frames: np.ndarray | None = field(default=None, repr=False)

    def infer_a(self) -> list[list]:
        """Per tick ``[keys_pressed, mouse_x, mouse_y, left, right]`` (mouse unquantised)."""
        names = np.array(KEY_NAMES)
        return [[names[row[:len(KEY_NAMES)] == 1].tolist(), float(m[0]), float(m[1]),
                 int(row[FIRE]), int(row[SCOPE])] for row, m in zip(self.actions, self.mouse,
                                                                    strict=True)]

    def curr_vars(self) -> list[dict]:
        """Per frame i the ``curr_vars`` dict of the metadata files: state i+1 (marked
        synthetic; see the module docstring for the timing)."""
        out = []
        team = "CT" if self.team_ct else "T"
        for i in range(len(self.actions)):
            s = i + 1
            alive = bool(self.state_alive[s])
            weapon = int(self.state_weapon[s])
            weapons = {f"weapon_{slot}": _gsi_weapon(slot, self.team_ct, weapon,
                                                     int(self.state_ammo[s]))
                       for slot in range(3)}
            cv: dict = {"obs_mode": 4, "gsi_team": team,
                        "gsi_health": int(self.state_health[s]),
                        "gsi_kills": int(self.kills[s]), "gsi_deaths": int(self.deaths[s]),
                        "gsi_weapons": weapons if alive else {}, "found_active": alive}
            if alive:
                cv["gsi_weap_active"] = weapons[f"weapon_{weapon}"]
                cv["gsi_ammo"] = int(self.state_ammo[s])
            vx, vy, vz = (float(v) for v in self.vel[s])
            crouched = alive and i >= 2 and bool(self.actions[i - 2, _K["ctrl"]])
            cv.update({
                "obs_health": int(self.state_health[s]), "obs_fov": 0, "obs_scope": 0,
                "localpos1": float(self.pos[s, 0]), "localpos2": float(self.pos[s, 1]),
                "localpos3": float(self.pos[s, 2]),
                "height": CROUCH_HEIGHT if crouched else STAND_HEIGHT,
                "vel_1": vx, "vel_2": vy, "vel_3": vz, "vel_mag": float(np.hypot(vx, vy)),
                "viewangle_vert": float(self.pitch[s]), "viewangle_xy": float(self.yaw[s]),
                "zvert_rads": float(np.radians(90.0 - self.pitch[s])),
                "xy_rad": clockwise_yaw_rad(float(self.yaw[s])),
                "vel_theta_abs": clockwise_velocity_angle(vx, vy),
                "itemdef": WEAPONS[weapon][6 if self.team_ct else 5],
                "ammo_active": int(self.state_ammo[s]) if alive else 0, "synthetic": True})
            if self.own_play:
                cv["tp_wasd"] = [k for k in LOGGED_KEYS if self.actions[i, _K[k]]]
                cv["tp_lclick"] = int(self.actions[i, FIRE])
            out.append(cv)
        return out


def _gsi_weapon(slot: int, team_ct: int, active: int, ammo: int) -> dict:
    name_t, name_ct, kind, clip, reserve = WEAPONS[slot][:5]
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
    """Simulate n frames (n+1 states) of deathmatch play for ``family`` (deterministic
    given ``rng``)."""
    states = n + 1
    alive = np.ones(states, bool)
    events = np.zeros((states, 2))  # [kill, death] first shown in state s
    t = int(rng.integers(300, 501))
    while t < states:  # a death every 300-500 ticks, then 24-40 dead ticks
        events[t, 1] = 1
        dead = int(rng.integers(24, 41))
        alive[t:t + dead] = False
        t += dead + int(rng.integers(300, 501))
    rate = KILL_RATE.get(family.name, 1.5) / 100
    engage = np.full(states, -1)  # state of the kill/death an engagement leads to
    t = int(rng.integers(15, 60))
    while t < states:
        window = slice(max(t - 24, 1), t + 1)
        if alive[window].all() and events[max(t - 3, 0):t + 4, 1].sum() == 0:
            events[t, 0] = 1
        t += max(12, int(rng.geometric(rate)))
    for t in map(int, np.flatnonzero(events.any(axis=1))):
        lo = max(int(t) - int(rng.integers(8, 25)), 1)
        while lo < t and not alive[lo:t].all():
            lo += 1
        engage[lo:t] = t
    # movement and key streams (vectorised), masked by life and engagements
    act = np.zeros((states, len(NVEC)), dtype=np.int64)
    calm = alive & (engage < 0)
    w = _runs(rng, states, 40, 15) & calm
    s = _runs(rng, states, 4, 80) & calm & ~w
    strafe = _runs(rng, states, 8, 14) & alive
    left = rng.random(states) < 0.5
    left = np.repeat(left[::8], 8)[:states]
    act[:, _K["w"]], act[:, _K["s"]] = w, s
    act[:, _K["a"]], act[:, _K["d"]] = strafe & left, strafe & ~left
    act[:, _K["shift"]] = _runs(rng, states, 10, 120) & alive & ~(engage >= 0)
    act[:, _K["ctrl"]] = _runs(rng, states, 6, 90) & alive
    act[:, _K["space"]] = (rng.random(states) < 0.01) & alive
    fire_want = ((engage >= 0) & (rng.random(states) < 0.7)) | (_runs(rng, states, 3, 250)
                                                                 & alive)
    return _step(rng, n, family, act, fire_want, alive, events, engage)


def _step(rng: np.random.Generator, n: int, family: Family, act: np.ndarray,
          fire_want: np.ndarray, alive: np.ndarray, events: np.ndarray,
          engage: np.ndarray) -> Episode:
    """The sequential part: aim, weapons, ammo, reloads, health, position (n+1 states)."""
    states = n + 1
    team_ct = int(rng.integers(2))
    # A frame the authors' labelling skips (dead in this state or the next) has no action.
    can_act = alive.copy()
    can_act[:-1] &= alive[1:]
    mouse = np.zeros((states, 2))
    yaw, pitch = np.zeros(states), np.zeros(states)  # counter-clockwise deg, +down deg
    pos, vel = np.zeros((states, 3)), np.zeros((states, 3))
    health, ammo = np.zeros(states), np.zeros(states, np.int64)
    weapon = np.full(states, RIFLE)
    enemy_az, enemy_dist = np.full(states, np.nan), np.full(states, np.nan)
    flash = np.zeros(states, bool)
    kills = int(rng.integers(0, 15)) + np.cumsum(events[:, 0]).astype(np.int64)
    deaths = int(rng.integers(0, 10)) + np.cumsum(events[:, 1]).astype(np.int64)
    yaw[0], pitch[0] = rng.uniform(-180, 180), rng.uniform(-5, 5)
    pos[0] = (rng.uniform(-1500, 1200), rng.uniform(-800, 2800), 0.0)
    hp, clip, wpn, reload_at, back_at, target = 100.0, 30, RIFLE, -1, -1, np.nan
    switch_at, switch_to = -1, RIFLE  # a switch shows two states after its key's tick
    noise = rng.laplace(0, 5, (states, 2)) * (rng.random((states, 1)) < 0.6)
    flick = (rng.random(states) < 0.02) * rng.choice([-1, 1], states) \
        * rng.uniform(80, 600, states)
    for i in range(states):
        if alive[i] and (i == 0 or not alive[i - 1]):  # respawn
            hp, clip, wpn, reload_at, back_at, switch_at = 100.0, 30, RIFLE, -1, -1, -1
            pos[i] = (rng.uniform(-1500, 1200), rng.uniform(-800, 2800), 0.0)
            vel[i] = 0.0
        if i == switch_at:
            wpn, clip, switch_at = switch_to, WEAPONS[switch_to][3], -1
        if i == reload_at:
            clip, reload_at = WEAPONS[wpn][3], -1
        if events[i, 1]:
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
        if i == 0 or not can_act[i]:
            act[i] = 0
        else:
            if not np.isnan(target):
                off = (target - cw_yaw + 180.0) % 360.0 - 180.0  # the short way round
                dx = off / DEG_PER_COUNT * rng.uniform(0.5, 0.9) + noise[i, 0]
                if events[engage[i], 1]:  # losing a duel: health drains towards the death
                    hp = max(1.0, hp - float(rng.integers(0, 15)))
                elif hp > 30 and rng.random() < 0.03:
                    hp -= float(rng.integers(8, 30))
            else:
                dx = noise[i, 0] * 2 + flick[i]
            dy = noise[i, 1] * 0.6 - 0.1 * pitch[i] / DEG_PER_COUNT
            mouse[i] = dx, dy
            busy = reload_at >= 0 or switch_at >= 0
            room = i + 2 < states  # a switch must show before the file ends
            if i == back_at and not busy and room:
                act[i, _K["1"]], switch_at, switch_to, back_at = 1, i + 2, RIFLE, -1
            elif i == back_at:
                back_at += 1  # still busy: go back a tick later
            switch = not busy and room and back_at < 0 and wpn == RIFLE and engage[i] < 0 \
                and rng.random() < 0.004
            if switch:
                switch_to = PISTOL if rng.random() < 0.6 else KNIFE
                act[i, _K["2" if switch_to == PISTOL else "3"]] = 1
                switch_at, back_at = i + 2, i + int(rng.integers(16, 80))
            busy = busy or switch or switch_at >= 0
            firing = bool(fire_want[i]) and not busy and wpn != KNIFE and clip > 0
            act[i, FIRE] = firing  # only shots that use a round (they show in the clip)
            if firing:
                clip -= 1
                flash[i] = True
            if wpn != KNIFE and not busy and not firing and engage[i] < 0 and (
                    clip == 0 or (clip < WEAPONS[wpn][3] * 0.4 and rng.random() < 0.08)):
                act[i, _K["r"]], reload_at = 1, i + int(rng.integers(27, 33))
        act[i, MX], act[i, MY] = quantize_mouse_x(mouse[i, 0]), quantize_mouse_y(mouse[i, 1])
        if i + 1 < states:
            yaw[i + 1] = (yaw[i] - mouse[i, 0] * DEG_PER_COUNT + 180.0) % 360.0 - 180.0
            pitch[i + 1] = np.clip(pitch[i] + mouse[i, 1] * DEG_PER_COUNT, -89.0, 89.0)
            vel[i + 1] = _velocity(act[i], vel[i], yaw[i], SPEEDS[wpn][team_ct])
            pos[i + 1] = pos[i] + vel[i + 1] / TICK_HZ
            vel[i + 1, 2], pos[i + 1, 2] = _vertical(bool(act[i, _K["space"]]), vel[i, 2],
                                                     pos[i, 2])
    travel = np.cumsum(np.hypot(vel[:, 0], vel[:, 1])) / TICK_HZ
    ammo_frac = np.where(weapon == KNIFE, np.nan,
                         ammo / np.array([w[3] for w in WEAPONS], float)[weapon].clip(1))
    f = slice(0, n)  # what the frames show: states 0..n-1
    view = ViewTrack(yaw_deg=-yaw[f], pitch_deg=pitch[f], travel=travel[f],
                     enemy_az=enemy_az[f], enemy_dist=enemy_dist[f], health=health[f],
                     ammo_frac=ammo_frac[f], flash=flash[f], alive=alive[f],
                     enemy_team=1 - team_ct)
    after = slice(1, states)  # curr_vars of frame i: state i+1
    return Episode(actions=act[:n], mouse=mouse[:n], helper=events[after].copy(),
                   alive=alive[f], health=health[f], ammo=ammo[f],
                   xaux_health=health[after].copy(),
                   xaux_ammo=np.where(alive[after], ammo[after], 0), weapon=weapon[f],
                   kills=kills, deaths=deaths, pos=pos, vel=vel, yaw=yaw, pitch=pitch,
                   state_alive=alive, state_health=health, state_ammo=ammo,
                   state_weapon=weapon, team_ct=team_ct, view=view,
                   own_play=family.own_play)


def _vertical(jump: bool, vz: float, z: float) -> tuple[float, float]:
    """Vertical speed and height after one tick: a jump from the ground (sv_jump_impulse
    301.99), then gravity 800 units/s^2 until landing."""
    if jump and z <= 0.0 and vz <= 0.0:
        vz = JUMP_SPEED
    elif z > 0.0 or vz > 0.0:
        vz -= GRAVITY / TICK_HZ
    z += vz / TICK_HZ
    if z <= 0.0:
        return 0.0, 0.0
    return vz, z


def _velocity(action: np.ndarray, vel: np.ndarray, yaw_deg: float, maxspeed: float
              ) -> np.ndarray:
    """Next ground velocity (units/s) from the held keys, in the Source engine's form over
    4 steps of 1/64 s (friction, then acceleration towards the wished speed: the weapon's
    maximum, x 0.52 walking, x 0.34 crouched; :class:`~csgo_env.datasets.synthetic.
    kinematics.Kinematics` constants), relative to the yaw before the tick's mouse move."""
    forward = action[_K["w"]] - action[_K["s"]]
    right = action[_K["d"]] - action[_K["a"]]
    factor = PHYSICS.crouch_factor if action[_K["ctrl"]] else \
        PHYSICS.walk_factor if action[_K["shift"]] else 1.0
    wishspeed = maxspeed * factor
    yaw = np.radians(yaw_deg)
    wish = forward * np.array([np.cos(yaw), np.sin(yaw)]) \
        + right * np.array([np.sin(yaw), -np.cos(yaw)])
    norm = float(np.hypot(*wish))
    wishdir = wish / norm if norm else np.zeros(2)
    v = np.array(vel[:2], dtype=np.float64)
    dt = 1.0 / (TICK_HZ * 4)
    for _ in range(4):
        speed = float(np.hypot(*v))
        if speed > 0:
            drop = max(speed, PHYSICS.stopspeed) * PHYSICS.friction * dt
            v *= max(speed - drop, 0.0) / speed
        if norm:
            add = wishspeed - float(v @ wishdir)
            if add > 0:
                v += min(PHYSICS.accelerate * dt * maxspeed, add) * wishdir
    return np.array([v[0], v[1], 0.0])
