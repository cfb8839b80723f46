"""One tick's ``curr_vars``: the dataset authors' metadata keys, from GSI and process memory.

The keys and their units are those of the authors' recorder (``dm_record_data.py``; see
:mod:`csgo_env.datasets.pearce.metadata_columns`), so action inference and the quality
report read our recordings as theirs:

- from GSI (the tracked player's ``player`` block): ``gsi_team`` ('T' / 'CT'),
  ``gsi_health``, ``gsi_kills``, ``gsi_deaths``, ``gsi_weapons`` (the payload's weapon
  dicts), ``found_active``, and when a weapon is not holstered ``gsi_weap_active`` (its
  dict) and ``gsi_ammo`` (its ``ammo_clip``; -1 for a knife, a grenade or any weapon
  without a clip);
- from memory (:class:`~csgo_env.game.memory.pose.Pose`): ``obs_mode`` (4 = first
  person), ``obs_health``, ``obs_fov`` (0 means 90), ``obs_scope``, ``localpos1/2/3``
  (feet, world units), ``height`` (view offset z), ``vel_1/2/3`` (units/s), ``vel_mag``,
  ``viewangle_vert`` (pitch, deg, +down), ``viewangle_xy`` (yaw, deg, counter-clockwise),
  ``zvert_rads`` (radians(90 - pitch)), ``xy_rad`` (clockwise yaw in (0, 2*pi]),
  ``vel_theta_abs`` (clockwise angle of the horizontal velocity in [0, 2*pi)),
  ``itemdef`` (item definition index), ``ammo_active`` (clip, -1 without a clip);
- own play adds ``tp_wasd`` (the action keys held, in :data:`~csgo_env.actions.KEY_NAMES`
  order) and ``tp_lclick`` (1 while the left button is held).

Extra keys, ignored by readers that do not know them: ``gsi_steamid`` (whose block the
GSI fields are), ``gsi_armor`` (armour 0-100, when the payload has it), ``tp_rclick``,
``standin_frame`` (the stand-in game's recording frame on screen; only for a game that
reports one) and ``memory_error`` (why the memory fields are missing).

Missing values are never made up: a memory field the reader cannot give (no offsets, a
failed read, a field the layout does not read) is ``float('nan')``; a GSI block that is not
the tracked player's (the own player is dead and the game shows someone else) gives
``gsi_health`` 0, no weapons and the tracked player's last known counters (NaN before any).
A game that reports through its own event feed instead of GSI (OpenArena) fills the GSI
keys from that feed's player state (:func:`state_fields`).
In own play, observer mode 0 (playing, not observing) is written as 4: the own view is the
first-person view the quality check asks for; so is an alive own player whose observer mode
the layout cannot read (CS2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from csgo_env.actions import KEY_NAMES
from csgo_env.datasets.pearce.metadata_columns import clockwise_velocity_angle, clockwise_yaw_rad
from csgo_env.game.gsi.events import PlayerState
from csgo_env.game.memory.pose import Pose

NAN = float("nan")
FIRST_PERSON = 4
MEMORY_KEYS = ("obs_mode", "obs_health", "obs_fov", "obs_scope", "localpos1", "localpos2",
               "localpos3", "height", "vel_1", "vel_2", "vel_3", "vel_mag", "viewangle_vert",
               "viewangle_xy", "zvert_rads", "xy_rad", "vel_theta_abs", "itemdef",
               "ammo_active")
"""The memory keys, in the authors' order."""
NO_CLIP_TYPES = frozenset({"Knife", "StackableItem", "Grenade", "C4"})


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _num(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return NAN
    return value


def gsi_fields(payload: Mapping[str, Any] | None, steamid: str | None,
               last: PlayerState | None) -> dict[str, Any]:
    """The GSI keys for the player ``steamid`` from ``payload`` (see the module docstring);
    ``last`` is the tracker's latest state of that player (for a block that is not theirs)."""
    player = _obj(_obj(payload).get("player"))
    shown = player.get("steamid")
    if steamid is None or shown != steamid:
        return {"gsi_steamid": steamid, "gsi_team": None if last is None else last.team,
                "gsi_health": 0,
                "gsi_kills": NAN if last is None or last.kills is None else last.kills,
                "gsi_deaths": NAN if last is None or last.deaths is None else last.deaths,
                "gsi_weapons": {}, "found_active": False}
    state, stats = _obj(player.get("state")), _obj(player.get("match_stats"))
    weapons = _obj(player.get("weapons"))
    out: dict[str, Any] = {
        "gsi_steamid": shown, "gsi_team": player.get("team"),
        "gsi_health": _num(state.get("health")), "gsi_kills": _num(stats.get("kills")),
        "gsi_deaths": _num(stats.get("deaths")), "gsi_weapons": weapons,
        "found_active": False}
    if "armor" in state:
        out["gsi_armor"] = _num(state.get("armor"))
    for weapon in weapons.values():
        weapon = _obj(weapon)
        if weapon and weapon.get("state") != "holstered":  # active or reloading
            out["gsi_weap_active"] = weapon
            out["found_active"] = True
            clip = weapon.get("ammo_clip")
            out["gsi_ammo"] = -1 if weapon.get("type") in NO_CLIP_TYPES or clip is None \
                else _num(clip)
    return out


def state_fields(state: PlayerState | None) -> dict[str, Any]:
    """The GSI keys from the session's event feed alone, for a game that does not report
    through GSI (its own feed gives health, counters, team, the active weapon and clip):
    ``gsi_weapons`` holds the active weapon only, with no ``type`` (unknown); values the
    feed does not have are NaN (``gsi_health`` 0 and no weapon before the first state)."""
    if state is None:
        return {"gsi_steamid": None, "gsi_team": None, "gsi_health": 0, "gsi_kills": NAN,
                "gsi_deaths": NAN, "gsi_weapons": {}, "found_active": False}
    out: dict[str, Any] = {
        "gsi_steamid": state.steamid, "gsi_team": state.team,
        "gsi_health": NAN if state.health is None else state.health,
        "gsi_kills": NAN if state.kills is None else state.kills,
        "gsi_deaths": NAN if state.deaths is None else state.deaths,
        "gsi_weapons": {}, "found_active": False}
    if state.alive and state.active_weapon is not None:
        weapon: dict[str, Any] = {"name": state.active_weapon, "state": "active"}
        if state.ammo_clip is not None:
            weapon["ammo_clip"] = state.ammo_clip
        out.update(gsi_weapons={"weapon_0": weapon}, gsi_weap_active=weapon, found_active=True,
                   gsi_ammo=-1 if state.ammo_clip is None else state.ammo_clip)
    return out


def memory_fields(pose: Pose | None, *, own_play: bool, error: str | None = None
                  ) -> dict[str, Any]:
    """The memory keys from ``pose`` (all NaN, with ``memory_error``, when it is None)."""
    if pose is None:
        out: dict[str, Any] = dict.fromkeys(MEMORY_KEYS, NAN)
        out["memory_error"] = error or "no pose"
        return out
    vx, vy, vz = (float(v) for v in pose.velocity)
    mode: float | int = NAN if pose.observer_mode is None else pose.observer_mode
    if own_play and (mode == 0 or (pose.observer_mode is None and pose.health > 0)):
        mode = FIRST_PERSON  # playing, alive: the own first-person view
    yaw, pitch = float(pose.yaw_deg), float(pose.pitch_deg)
    return {
        "obs_mode": mode, "obs_health": int(pose.health),
        "obs_fov": NAN if pose.fov is None else 0 if pose.fov == 90 else round(pose.fov),
        "obs_scope": NAN if pose.scoped is None else int(pose.scoped),
        "localpos1": float(pose.position[0]), "localpos2": float(pose.position[1]),
        "localpos3": float(pose.position[2]),
        "height": NAN if pose.view_height is None else float(pose.view_height),
        "vel_1": vx, "vel_2": vy, "vel_3": vz, "vel_mag": math.hypot(vx, vy),
        "viewangle_vert": pitch, "viewangle_xy": yaw,
        "zvert_rads": math.radians(90.0 - pitch), "xy_rad": clockwise_yaw_rad(yaw),
        "vel_theta_abs": clockwise_velocity_angle(vx, vy),
        "itemdef": NAN if pose.item_def is None else int(pose.item_def),
        "ammo_active": NAN if pose.clip_ammo is None else int(pose.clip_ammo)}


def logged_input(held: frozenset[str]) -> dict[str, Any]:
    """``tp_wasd`` (held action keys in KEY_NAMES order), ``tp_lclick``, ``tp_rclick``."""
    return {"tp_wasd": [k for k in KEY_NAMES if k in held],
            "tp_lclick": int("fire" in held), "tp_rclick": int("scope" in held)}


__all__ = ["MEMORY_KEYS", "gsi_fields", "logged_input", "memory_fields", "state_fields"]
