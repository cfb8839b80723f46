"""Per-frame arrays from the ``curr_vars`` dicts of one recording's metadata.

The metadata of recording N holds, for frame j, ``curr_vars`` (a dict of Game State
Integration and process-memory readings; the keys of the authors' recorder
``dm_record_data.py``, https://github.com/TeaPearce/Counter-Strike_Behavioural_Cloning).
Action inference and the quality report work on columns: one NumPy array per field, one
row per frame. Units and frames of reference are those of the recorder:

- ``xy_rad``: view yaw in radians, **clockwise** from the world +x axis, in (0, 2*pi]
  (the recorder's ``360 - yaw`` for ``viewangle_xy >= 0``, ``-yaw`` otherwise);
  ``zvert_rads``: ``radians(90 - pitch)``, pitch in degrees with +down.
- ``vel`` (n, 3): world units per second; ``vel_theta_abs``: clockwise angle of the
  horizontal velocity from +x in [0, 2*pi) (0 when still), the convention of ``xy_rad``.
- ``obs_fov``: field of view in degrees, 0 meaning 90 (unzoomed).

Fields the recorder derives (``xy_rad``, ``zvert_rads``, ``vel_mag``, ``vel_theta_abs``)
are recomputed from the raw ones (``viewangle_xy``, ``viewangle_vert``, ``vel_1/2``) when
absent. A field needed by the rules that is missing raises
:class:`~csgo_env.errors.MetadataMismatch` naming the source, frame and key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env.actions import KEY_NAMES
from csgo_env.errors import MetadataMismatch, explain

REQUIRED = ("gsi_health", "gsi_kills", "gsi_deaths", "found_active", "obs_health", "obs_fov",
            "height", "vel_1", "vel_2", "vel_3", "itemdef", "ammo_active")
"""Keys every frame's ``curr_vars`` must hold (besides the view angles, raw or derived)."""

LOGGED_KEY_ALIASES: Mapping[str, str] = {"crouch": "ctrl"}
"""Names in own-play ``tp_wasd`` lists that differ from :data:`KEY_NAMES`."""


@dataclass(frozen=True)
class MetadataColumns:
    """One recording's metadata as arrays; every array has n rows (frames).

    Numbers are float64 with NaN where a frame lacks an optional field; ``weapon_type`` and
    ``weapon_name`` are object arrays of str or None (no active GSI weapon, or a weapon
    without a ``type`` such as the taser). ``logged_keys`` (n, 11) bool holds the own-play
    ``tp_wasd`` keys in :data:`KEY_NAMES` order where ``has_logged_keys`` is True;
    ``logged_fire`` is ``tp_lclick`` (NaN where absent).
    """

    gsi_health: np.ndarray
    obs_health: np.ndarray
    found_active: np.ndarray
    weapon_type: np.ndarray
    weapon_name: np.ndarray
    itemdef: np.ndarray
    ammo_active: np.ndarray
    gsi_ammo: np.ndarray
    obs_fov: np.ndarray
    obs_scope: np.ndarray
    obs_mode: np.ndarray
    height: np.ndarray
    vel: np.ndarray
    vel_mag: np.ndarray
    vel_theta_abs: np.ndarray
    xy_rad: np.ndarray
    zvert_rads: np.ndarray
    kills: np.ndarray
    deaths: np.ndarray
    team_ct: np.ndarray
    position: np.ndarray
    has_logged_keys: np.ndarray
    logged_keys: np.ndarray
    logged_fire: np.ndarray

    @property
    def num_frames(self) -> int:
        """Number of frames n."""
        return int(self.gsi_health.shape[0])


def clockwise_yaw_rad(viewangle_xy: float) -> float:
    """The recorder's ``xy_rad`` from the game's yaw in degrees (counter-clockwise)."""
    deg = -viewangle_xy if viewangle_xy < 0 else 360.0 - viewangle_xy
    return float(np.radians(deg))


def clockwise_velocity_angle(vx: float, vy: float) -> float:
    """The recorder's ``vel_theta_abs``: clockwise angle of (vx, vy) from +x in [0, 2*pi)."""
    if vx == 0.0 and vy == 0.0:
        return 0.0
    return float(np.arctan2(-vy, vx) % (2.0 * np.pi))


def columns_from_curr_vars(curr_vars: Sequence[Mapping[str, Any]], *,
                           source: str = "<metadata>") -> MetadataColumns:
    """Build :class:`MetadataColumns` from the per-frame ``curr_vars`` dicts, in frame order.

    Raises MetadataMismatch (naming ``source``, the frame and the key) when a frame is not a
    dict or lacks a required field.
    """
    n = len(curr_vars)
    if n == 0:
        raise MetadataMismatch(f"{source}: no frames")
    num: dict[str, np.ndarray] = {k: np.full(n, np.nan) for k in (
        *REQUIRED, "gsi_ammo", "obs_scope", "obs_mode", "vel_mag", "vel_theta_abs", "xy_rad",
        "zvert_rads", "team_ct", "localpos1", "localpos2", "localpos3", "logged_fire")}
    weapon_type = np.full(n, None, dtype=object)
    weapon_name = np.full(n, None, dtype=object)
    has_logged = np.zeros(n, dtype=bool)
    logged = np.zeros((n, len(KEY_NAMES)), dtype=bool)
    key_index = {name: i for i, name in enumerate(KEY_NAMES)}
    for j, cv in enumerate(curr_vars):
        if not isinstance(cv, Mapping):
            raise MetadataMismatch(explain(f"{source}: frame {j}: curr_vars is not a dict",
                                           got=type(cv).__name__))
        for key in REQUIRED:
            if key not in cv:
                raise MetadataMismatch(explain(
                    f"{source}: frame {j}: curr_vars lacks {key!r}",
                    expected=f"the recorder's keys {REQUIRED}",
                    fix="record with `csgo-env record`, which writes every field"))
            num[key][j] = _number(cv[key], source, j, key)
        for key in ("gsi_ammo", "obs_scope", "obs_mode", "localpos1", "localpos2", "localpos3"):
            if cv.get(key) is not None:
                num[key][j] = _number(cv[key], source, j, key)
        _angles(cv, num, j, source)
        team = cv.get("gsi_team")
        num["team_ct"][j] = 1.0 if team == "CT" else 0.0 if team == "T" else np.nan
        active = cv.get("gsi_weap_active")
        if isinstance(active, Mapping):
            weapon_type[j] = active.get("type")
            weapon_name[j] = active.get("name")
        if "tp_wasd" in cv:
            has_logged[j] = True
            for name in cv["tp_wasd"]:
                index = key_index.get(LOGGED_KEY_ALIASES.get(name, name))
                if index is not None:
                    logged[j, index] = True
        if cv.get("tp_lclick") is not None:
            num["logged_fire"][j] = _number(cv["tp_lclick"], source, j, "tp_lclick")
    vel = np.stack([num["vel_1"], num["vel_2"], num["vel_3"]], axis=1)
    return MetadataColumns(
        gsi_health=num["gsi_health"], obs_health=num["obs_health"],
        found_active=num["found_active"] != 0, weapon_type=weapon_type,
        weapon_name=weapon_name, itemdef=num["itemdef"], ammo_active=num["ammo_active"],
        gsi_ammo=num["gsi_ammo"], obs_fov=num["obs_fov"], obs_scope=num["obs_scope"],
        obs_mode=num["obs_mode"], height=num["height"], vel=vel, vel_mag=num["vel_mag"],
        vel_theta_abs=num["vel_theta_abs"], xy_rad=num["xy_rad"],
        zvert_rads=num["zvert_rads"], kills=num["gsi_kills"], deaths=num["gsi_deaths"],
        team_ct=num["team_ct"],
        position=np.stack([num["localpos1"], num["localpos2"], num["localpos3"]], axis=1),
        has_logged_keys=has_logged, logged_keys=logged, logged_fire=num["logged_fire"])


def _angles(cv: Mapping[str, Any], num: dict[str, np.ndarray], j: int, source: str) -> None:
    """View angles and velocity direction, recomputed from raw fields when absent."""
    if "xy_rad" in cv:
        num["xy_rad"][j] = _number(cv["xy_rad"], source, j, "xy_rad")
    elif "viewangle_xy" in cv:
        num["xy_rad"][j] = clockwise_yaw_rad(_number(cv["viewangle_xy"], source, j,
                                                     "viewangle_xy"))
    else:
        raise MetadataMismatch(f"{source}: frame {j}: curr_vars lacks 'xy_rad' and "
                               "'viewangle_xy' (the view yaw)")
    if "zvert_rads" in cv:
        num["zvert_rads"][j] = _number(cv["zvert_rads"], source, j, "zvert_rads")
    elif "viewangle_vert" in cv:
        pitch = _number(cv["viewangle_vert"], source, j, "viewangle_vert")
        num["zvert_rads"][j] = float(np.radians(90.0 - pitch))
    else:
        raise MetadataMismatch(f"{source}: frame {j}: curr_vars lacks 'zvert_rads' and "
                               "'viewangle_vert' (the view pitch)")
    vx, vy = num["vel_1"][j], num["vel_2"][j]
    num["vel_mag"][j] = (_number(cv["vel_mag"], source, j, "vel_mag") if "vel_mag" in cv
                         else float(np.hypot(vx, vy)))
    num["vel_theta_abs"][j] = (_number(cv["vel_theta_abs"], source, j, "vel_theta_abs")
                               if "vel_theta_abs" in cv else clockwise_velocity_angle(vx, vy))


def _number(value: Any, source: str, j: int, key: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise MetadataMismatch(explain(f"{source}: frame {j}: {key!r} is not a number",
                                       got=repr(value)[:60])) from None
    return out


__all__ = ["REQUIRED", "MetadataColumns", "clockwise_velocity_angle", "clockwise_yaw_rad",
           "columns_from_curr_vars"]
