"""The dataset authors' rules for inferring one tick's action from two metadata frames.

Pearce & Zhu labelled their spectated recordings with these rules ("Counter-Strike
Deathmatch with Large-Scale Behavioural Cloning", IEEE CoG 2022, arXiv:2104.04258; the
thresholds below are those of their public script ``dm_infer_actions.py``,
https://github.com/TeaPearce/Counter-Strike_Behavioural_Cloning). Each function
takes :class:`~csgo_env.datasets.pearce.metadata_columns.MetadataColumns` and the boolean
mask ``processed`` (n,) of frames the rules look at, and returns per-frame arrays. Frame i
is judged from the change between metadata frames i-1 and i; some labels are placed
earlier (crouch 2 frames back, weapon switch and scope 1 frame back, reload about 28).

Where the script's order of operations contradicts the rule it states, the stated rule
is used: ``shift`` is not labelled on a crouched frame (the script tests for ``ctrl``
before placing it, so never), and nothing is placed on a skipped frame (see
:mod:`csgo_env.datasets.pearce.infer_actions`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.datasets.pearce.metadata_columns import MetadataColumns

# Mouse scale, facts: the recordings were made at in-game sensitivity 2.5 with raw input
# off (the authors' setup, repository above), and the games turn the view by m_yaw =
# m_pitch = 0.022 degrees per count at sensitivity 1 (the Source engine's defaults), so
# one count is 0.055 degrees at fov 90 (csgo_env.actions.DEG_PER_COUNT).
WASD = ("w", "a", "s", "d")
SECTORS = ("w", "wd", "d", "sd", "s", "as", "a", "wa")
"""Keys of the 8 velocity sectors, clockwise from straight ahead, each +-pi/8 wide."""
OPPOSITE = {"w": "s", "s": "w", "a": "d", "d": "a"}
SWITCH_KEY = {"Knife": "3", "Pistol": "2"}
"""Weapon key of a GSI weapon ``type``; any other type is the primary, key ``1``."""

STILL, STEADY, ACCELERATING, BRAKING, COASTING = 0, 1, 2, 3, 4
"""Movement cases of :func:`movement_keys` (``case`` array); -1 where not processed."""


@dataclass(frozen=True)
class InferenceSettings:
    """Thresholds of the rules (the authors' values) and the mouse scale.

    Speeds are world units per second, measured once per 1/16 s frame.
    """

    sensitivity: float = SENSITIVITY
    m_yaw: float = M_YAW_DEG
    m_pitch: float = M_YAW_DEG
    still_speed: float = 0.1
    steady_dv: float = 7.0
    brake_dv: float = -70.0
    walk_speed: float = 140.0
    awp_scoped_walk_speed: float = 60.0
    jump_dvz: float = 150.0
    jump_still_vz: float = 10.0
    crouch_height: tuple[float, float] = (0.1, 50.0)
    reload_lookback: int = 32
    reload_window: int = 10
    reload_quiet: int = 5

    @property
    def yaw_rad_per_count(self) -> float:
        """View yaw per mouse count at fov 90: radians(m_yaw * sensitivity) = 0.00095993
        (the authors' script rounds it to 0.00096)."""
        return float(np.radians(self.m_yaw * self.sensitivity))

    @property
    def pitch_rad_per_count(self) -> float:
        """View pitch per mouse count at fov 90: radians(m_pitch * sensitivity)."""
        return float(np.radians(self.m_pitch * self.sensitivity))


def processed_frames(c: MetadataColumns) -> np.ndarray:
    """bool (n,): frames the rules judge. Frame 0 never; frame i not when GSI health is 0
    or no weapon is active, at i or at i-1 (dead, respawning, loading), nor when the view
    angles or the velocity are missing (NaN: memory could not be read) at i or i-1."""
    known = np.isfinite(c.xy_rad) & np.isfinite(c.zvert_rads) & np.isfinite(c.vel_mag) \
        & np.isfinite(c.vel_theta_abs)
    ok = (c.gsi_health > 0) & c.found_active & known
    out = np.zeros(c.num_frames, dtype=bool)
    out[1:] = ok[1:] & ok[:-1]
    return out


def mouse_counts(c: MetadataColumns, processed: np.ndarray,
                 settings: InferenceSettings) -> np.ndarray:
    """float64 (n, 2): mouse counts (x, y) of each frame from the view-angle change.

    dx = wrapped change of clockwise yaw, dy = -(change of ``zvert_rads``) (so +y looks
    down), both times 90/fov (fov of frame i, 0 meaning 90) and divided by the angle per
    count. Rounded to 1e-6 counts so that a whole count on a bin boundary (e.g. 3) follows
    the quantiser's tie rule instead of float round-off. 0 where not processed.
    """
    out = np.zeros((c.num_frames, 2))
    dyaw = np.zeros(c.num_frames)
    dyaw[1:] = np.diff(c.xy_rad)
    dyaw = np.where(dyaw < -np.pi, dyaw + 2 * np.pi, dyaw)
    dyaw = np.where(dyaw > np.pi, dyaw - 2 * np.pi, dyaw)
    dzvert = np.zeros(c.num_frames)
    dzvert[1:] = np.diff(c.zvert_rads)
    fov = np.where(c.obs_fov == 0, 90.0, c.obs_fov)
    zoom = 90.0 / fov
    out[:, 0] = dyaw * zoom / settings.yaw_rad_per_count
    out[:, 1] = -dzvert * zoom / settings.pitch_rad_per_count
    out[~processed] = 0.0
    return np.round(out, 6)


def velocity_sectors(c: MetadataColumns) -> np.ndarray:
    """int64 (n,): sector (index into :data:`SECTORS`) of frame i's velocity direction
    relative to the facing of frame i-1; -1 at frame 0.

    The relative angle is clockwise from straight ahead in [0, 2*pi); sector k covers
    (k*pi/4 - pi/8, k*pi/4 + pi/8].
    """
    out = np.full(c.num_frames, -1, dtype=np.int64)
    rel = (c.vel_theta_abs[1:] - c.xy_rad[:-1]) % (2 * np.pi)
    out[1:] = np.ceil((rel - np.pi / 8) / (np.pi / 4)).astype(np.int64) % 8
    return out


def movement_keys(c: MetadataColumns, processed: np.ndarray, crouched: np.ndarray,
                  settings: InferenceSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """WASD (n, 4) bool in :data:`WASD` order, ``shift`` (n,) bool and ``case`` (n,) int.

    Per processed frame, with speed v = ``vel_mag`` and dv its change from frame i-1:
    v < 0.1 STILL (no keys); |dv| < 7 STEADY (the sector's keys, plus shift when
    v < 140 — < 60 with a scoped AWP — and not ``crouched``); dv > 0 ACCELERATING (the
    sector's keys); dv < -70 BRAKING, a counter-strafe (the opposite keys); otherwise
    COASTING on friction (no keys).
    """
    n = c.num_frames
    wasd = np.zeros((n, 4), dtype=bool)
    shift = np.zeros(n, dtype=bool)
    case = np.full(n, -1, dtype=np.int64)
    sector = velocity_sectors(c)
    speed = c.vel_mag
    dv = np.zeros(n)
    dv[1:] = np.diff(speed)
    column = {k: WASD.index(k) for k in WASD}
    awp_scoped = (c.weapon_name == "weapon_awp") & (c.obs_scope == 1)
    for i in np.flatnonzero(processed):
        keys = SECTORS[sector[i]]
        if speed[i] < settings.still_speed:
            case[i] = STILL
            continue
        if abs(dv[i]) < settings.steady_dv:
            case[i] = STEADY
            limit = settings.awp_scoped_walk_speed if awp_scoped[i] else settings.walk_speed
            shift[i] = bool(speed[i] < limit) and not crouched[i]
        elif dv[i] > 0:
            case[i] = ACCELERATING
        elif dv[i] < settings.brake_dv:
            case[i] = BRAKING
            keys = "".join(OPPOSITE[k] for k in keys)
        else:
            case[i] = COASTING
            continue
        for k in keys:
            wasd[i, column[k]] = True
    return wasd, shift, case


def fill_key_gaps(wasd: np.ndarray, fillable: np.ndarray) -> np.ndarray:
    """Copy of ``wasd`` (n, 4) with short gaps closed: going forward from frame 1 to n-4,
    a key held at i-1 (after earlier fills) and at i+2 is added at i, where ``fillable``."""
    out = wasd.copy()
    for i in range(1, len(out) - 3):
        if fillable[i]:
            out[i] |= out[i - 1] & out[i + 2]
    return out


def jumps(c: MetadataColumns, processed: np.ndarray, settings: InferenceSettings) -> np.ndarray:
    """bool (n,): ``space`` where vertical speed rises by more than 150 and is not near 0
    (landing also raises it, to about 0)."""
    vz = c.vel[:, 2]
    out = np.zeros(c.num_frames, dtype=bool)
    out[1:] = (vz[1:] > vz[:-1] + settings.jump_dvz) & ~(np.abs(vz[1:]) < settings.jump_still_vz)
    return out & processed


def crouch_labels(c: MetadataColumns, processed: np.ndarray,
                  settings: InferenceSettings) -> np.ndarray:
    """bool (n,): ``ctrl`` at i-2 where frame i's view height is crouched (0.1 < h < 50;
    ~46 crouched, ~64 standing, 0 a read glitch): the view takes two frames to drop."""
    low, high = settings.crouch_height
    seen = processed & (c.height > low) & (c.height < high)
    out = np.zeros(c.num_frames, dtype=bool)
    out[:-2] = seen[2:]
    return out


def item_changes(c: MetadataColumns) -> np.ndarray:
    """bool (n,): the active item (memory ``itemdef``) differs from frame i-1. Where memory
    gave no item at i or i-1 (NaN: the offsets lack it, e.g. CS2), the GSI weapon name is
    compared instead."""
    out = np.zeros(c.num_frames, dtype=bool)
    known = np.isfinite(c.itemdef[1:]) & np.isfinite(c.itemdef[:-1])
    by_gsi = c.weapon_name[1:] != c.weapon_name[:-1]
    out[1:] = np.where(known, c.itemdef[1:] != c.itemdef[:-1], by_gsi)
    return out


def weapon_switches(c: MetadataColumns, processed: np.ndarray) -> dict[str, np.ndarray]:
    """Keys ``1``/``2``/``3`` (n,) bool each, at i-1 where the GSI weapon type of frame i
    differs from frame i-1's: ``3`` to a knife, ``2`` to a pistol, ``1`` to anything else."""
    out = {key: np.zeros(c.num_frames, dtype=bool) for key in ("1", "2", "3")}
    for i in np.flatnonzero(processed):
        new, old = c.weapon_type[i], c.weapon_type[i - 1]
        if new is not None and old is not None and new != old:
            out[SWITCH_KEY.get(new, "1")][i - 1] = True
    return out


def scope_clicks(c: MetadataColumns, processed: np.ndarray) -> np.ndarray:
    """bool (n,): right click at i-1 where frame i's fov changed with the same item held
    (0 and 90 both mean unzoomed: a switch between them is not a change)."""
    fov = np.where(c.obs_fov == 0, 90.0, c.obs_fov)
    changed = np.zeros(c.num_frames, dtype=bool)
    changed[1:] = fov[1:] != fov[:-1]
    seen = processed & changed & ~item_changes(c)
    out = np.zeros(c.num_frames, dtype=bool)
    out[:-1] = seen[1:]
    return out


def ammo_changes(c: MetadataColumns, processed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(drops, rises): bool (n,) each, clip ammo (memory) falling / rising from frame i-1
    with the same item held."""
    d = np.zeros(c.num_frames)
    d[1:] = np.diff(c.ammo_active)
    same = processed & ~item_changes(c)
    return same & (d < 0), same & (d > 0)


def reload_presses(rises: np.ndarray, fire: np.ndarray,
                   settings: InferenceSettings) -> np.ndarray:
    """bool (n,): ``r`` placed for each clip refill at frame i > 32.

    The refill shows some time after the press, and firing delays a reload, so the press
    goes at the end of the first run of 5 non-firing frames (by ``fire``) among frames
    i-32 .. i-23; none if that window holds no such run.
    """
    out = np.zeros(len(rises), dtype=bool)
    for i in np.flatnonzero(rises):
        if i <= settings.reload_lookback:
            continue
        quiet = 0
        for f in range(i - settings.reload_lookback,
                       i - settings.reload_lookback + settings.reload_window):
            quiet = 0 if fire[f] else quiet + 1
            if quiet >= settings.reload_quiet:
                out[f] = True
                break
    return out


__all__ = ["ACCELERATING", "BRAKING", "COASTING", "SECTORS", "STEADY", "STILL", "WASD",
           "InferenceSettings", "ammo_changes", "crouch_labels", "fill_key_gaps",
           "item_changes", "jumps", "mouse_counts", "movement_keys", "processed_frames",
           "reload_presses", "scope_clicks", "velocity_sectors", "weapon_switches"]
