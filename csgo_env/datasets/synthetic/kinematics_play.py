"""Random known actions for the kinematic simulator: a synthetic player's n frames.

:func:`random_play` draws a :class:`~csgo_env.datasets.synthetic.kinematics.KnownPlay` that
a real player could have produced and whose every action is visible in the metadata:
movement in runs with counter-strafes (one frame of the opposite keys after a run) and
stops, walking and crouching, jumps from the ground, integer mouse counts (small noise,
flicks, and whole counts on bin boundaries such as 3 or 150), fire bursts while the clip
has ammo, reloads after a quiet spell, weapon switches, AWP scope clicks, kills and
deaths. Actions whose effect would not show in the metadata (a key right before death,
firing the knife or an empty clip, a crouch in the last two frames) are never drawn.
Synthetic, for tests and benchmarks only.
"""

from __future__ import annotations

import numpy as np

from csgo_env.actions import KEY_NAMES, N_BINARY, NVEC, quantize_mouse_x, quantize_mouse_y
from csgo_env.datasets.synthetic.kinematics import WEAPONS, Kinematics, KnownPlay

_K = {name: i for i, name in enumerate(KEY_NAMES)}
FIRE, SCOPE = N_BINARY - 2, N_BINARY - 1
COMBOS = ("", "w", "wa", "wd", "a", "d", "s", "as", "sd")
COMBO_WEIGHTS = np.array([2, 6, 1.5, 1.5, 1.5, 1.5, 1, 0.5, 0.5])
OPPOSITE = {"w": "s", "s": "w", "a": "d", "d": "a"}
TIES_X = (3, 7, 15, 25, 45, 80, 150, 250, 400, 750)
TIES_Y = (3, 7, 15, 35, 75, 150)


def _runs(rng: np.random.Generator, n: int, mean_on: float, mean_off: float) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    f, on = int(rng.geometric(1 / mean_off)), True
    while f < n:
        length = int(rng.geometric(1 / (mean_on if on else mean_off)))
        out[f:f + length] = on
        f, on = f + length, not on
    return out


def _movement(rng: np.random.Generator, n: int, act: np.ndarray) -> None:
    """WASD runs; after a run, sometimes one frame of the opposite keys, then a pause."""
    f = 1
    while f < n:
        combo = COMBOS[rng.choice(len(COMBOS), p=COMBO_WEIGHTS / COMBO_WEIGHTS.sum())]
        length = int(rng.integers(12, 60))
        for key in combo:
            act[f:f + length, _K[key]] = 1
        f += length
        if combo and rng.random() < 0.4 and length >= 12 and f < n:
            for key in combo:
                act[f, _K[OPPOSITE[key]]] = 1
            f += 1 + int(rng.integers(6, 12))  # stand still after the counter-strafe


def _mouse(rng: np.random.Generator, n: int) -> np.ndarray:
    counts = np.zeros((n, 2), dtype=np.int64)
    pitch = 0.0
    for f in range(1, n):
        u = rng.random()
        if u < 0.05:
            dx = rng.choice([-1, 1]) * int(rng.integers(80, 1200))
        elif u < 0.09:
            dx = rng.choice([-1, 1]) * int(rng.choice(TIES_X))
        else:
            dx = round(rng.laplace(0.0, 6.0))
        dy = round(rng.laplace(0.0, 3.0)) - round(pitch / 0.055 * 0.15)
        if rng.random() < 0.04:
            dy = rng.choice([-1, 1]) * int(rng.choice(TIES_Y))
        pitch += dy * 0.055
        counts[f] = dx, dy
    return counts


def random_play(rng: np.random.Generator, n: int = 1000, *, primary: str = "weapon_ak47",
                deaths: bool = True, dead_frames: int = 24,
                physics: Kinematics | None = None) -> KnownPlay:
    """Draw ``n`` frames of known, visible actions (see the module docstring)."""
    k = physics or Kinematics()
    act = np.zeros((n, len(NVEC)), dtype=np.int64)
    death_frames: list[int] = []
    f = int(rng.integers(250, 400))
    while deaths and f + dead_frames + 10 < n:
        death_frames.append(f)
        f += dead_frames + int(rng.integers(300, 450))
    blocked = np.zeros(n, dtype=bool)  # dead, respawning, or too close to a death/the end
    blocked[0] = True
    for d in death_frames:
        blocked[max(d - 3, 0):d + dead_frames + 1] = True
    blocked[n - 3:] = True
    _movement(rng, n, act)
    ctrl = _runs(rng, n, 12, 90)
    ctrl_near = np.convolve(ctrl, np.ones(5), mode="same") > 0
    act[:, _K["ctrl"]] = ctrl & ~blocked
    moving = act[:, [_K[key] for key in "wasd"]].any(axis=1)
    act[:, _K["shift"]] = _runs(rng, n, 30, 60) & ~ctrl_near & moving
    mouse = _mouse(rng, n)
    _weapons_and_fire(rng, n, act, blocked, death_frames, dead_frames, primary, k)
    last_jump = -100
    for f in range(1, n):
        if not blocked[f] and f - last_jump > 14 and rng.random() < 0.012:
            act[f, _K["space"]], last_jump = 1, f
    act[blocked] = 0
    mouse[blocked] = 0
    act[:, N_BINARY] = quantize_mouse_x(mouse[:, 0])
    act[:, N_BINARY + 1] = quantize_mouse_y(mouse[:, 1])
    alive = np.ones(n, dtype=bool)
    for d in death_frames:
        alive[d:d + dead_frames] = False
    kill_frames = tuple(int(f) for f in np.flatnonzero((rng.random(n) < 0.01) & alive & ~blocked))
    respawns = [(float(rng.uniform(-1500, 1500)), float(rng.uniform(-1500, 1500)))
                for _ in death_frames]
    return KnownPlay(actions=act, mouse=mouse, deaths=tuple(death_frames), kills=kill_frames,
                     dead_frames=dead_frames, primary=primary,
                     start_yaw=float(rng.uniform(-180, 180)), respawns=respawns)


def _weapons_and_fire(rng: np.random.Generator, n: int, act: np.ndarray, blocked: np.ndarray,
                      death_frames: list[int], dead_frames: int, primary: str,
                      k: Kinematics) -> None:
    """Switches, scope clicks, fire bursts and reloads, tracking slot and clip per frame."""
    loadout = [WEAPONS[primary], WEAPONS["weapon_glock"], WEAPONS["weapon_knife_t"]]
    respawn_frames = {d + dead_frames for d in death_frames}
    slot, clips, busy_until, burst, quiet = 0, [w.clip for w in loadout], -1, 0, 0
    for f in range(1, n):
        if f in respawn_frames:  # a fresh loadout
            slot, clips, busy_until, burst = 0, [w.clip for w in loadout], -1, 0
        if blocked[f]:
            quiet, burst = quiet + 1, 0
            continue
        weapon = loadout[slot]
        soon_dead = any(f <= d < f + k.reload_frames + 3 for d in death_frames)
        free = f > busy_until and f + k.reload_frames + 3 < n and not soon_dead
        if free and burst == 0 and rng.random() < 0.008:
            target = 0 if slot != 0 and rng.random() < 0.7 else int(rng.choice(
                [s for s in range(3) if s != slot]))
            act[f, _K[str(target + 1)]] = 1
            slot, busy_until, quiet = target, f + 2, 0
            continue
        if free and weapon.name == "weapon_awp" and burst == 0 and rng.random() < 0.03:
            act[f, SCOPE], busy_until = 1, f + 1
        can_fire = weapon.clip > 0 and clips[slot] > 0 and f > busy_until
        if burst == 0 and can_fire and rng.random() < 0.04:
            burst = int(rng.integers(2, 9))
        if burst and can_fire:
            act[f, FIRE] = 1
            clips[slot] -= 1
            burst -= 1
            quiet = 0
            continue
        burst = 0
        quiet += 1
        low = weapon.clip > 0 and clips[slot] <= weapon.clip * 0.4
        if free and low and quiet >= 5 and rng.random() < 0.3:
            act[f, _K["r"]] = 1
            clips[slot] = weapon.clip
            busy_until = f + k.reload_frames + 1  # no fire or switch until after the refill


__all__ = ["random_play"]
