"""Per-frame game state of an episode, from the recording's metadata (``curr_vars``).

When a recording's metadata file is present, its episode carries, for every frame i (the
same indexing as the observations, T+1 values), the fields of :data:`FIELDS` from
``curr_vars[i]``. Alignment is the recorder's: ``curr_vars[i]`` was read just after frame
i was grabbed, once action i took effect (the dataset authors' convention; action i is
inferred from the change between ``curr_vars[i-1]`` and ``curr_vars[i]``).

=============  ========  ==========  ===================================================
field          shape     unit        source (``curr_vars`` key)
=============  ========  ==========  ===================================================
position       (3,)      world units memory ``localpos1/2/3`` (the feet; map frame)
yaw_deg        ()        degrees     memory ``viewangle_xy``: counter-clockwise from +x,
                                     [-180, 180] (else from ``xy_rad``)
pitch_deg      ()        degrees     memory ``viewangle_vert``: +down, [-89, 89] (else
                                     from ``zvert_rads``)
velocity       (3,)      units / s   memory ``vel_1/2/3``
health         ()        0..100      GSI ``gsi_health``
armor          ()        0..100      GSI ``gsi_armor`` (our recorder; absent in the
                                     authors' files)
clip_ammo      ()        rounds      memory ``ammo_active`` (-1: no clip), else GSI
                                     ``gsi_ammo``
weapon_id      ()        item id     memory ``itemdef`` (item definition index: 7 AK-47,
                                     9 AWP, 42/59 knives ...)
weapon         ()        name        GSI ``gsi_weap_active.name`` (bytes, ``b""``
                                     when unknown)
kills, deaths  ()        count       GSI ``gsi_kills`` / ``gsi_deaths`` (the match
                                     counters; can be negative)
=============  ========  ==========  ===================================================

Numbers are float64; a value the metadata does not hold (no memory reading, a key the
recorder did not write, a dead player's empty weapon slot) is NaN and its ``known`` flag
False: nothing is zero-filled.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

WEAPON_NAME_BYTES = 32


@dataclass(frozen=True)
class MetaField:
    """One per-frame field: name, per-frame shape, unit (documentation)."""

    name: str
    shape: tuple[int, ...]
    unit: str


FIELDS: tuple[MetaField, ...] = (
    MetaField("position", (3,), "world units"), MetaField("yaw_deg", (), "degrees"),
    MetaField("pitch_deg", (), "degrees"), MetaField("velocity", (3,), "world units / s"),
    MetaField("health", (), "0..100"), MetaField("armor", (), "0..100"),
    MetaField("clip_ammo", (), "rounds"), MetaField("weapon_id", (), "item definition index"),
    MetaField("weapon", (), "GSI weapon name"), MetaField("kills", (), "count"),
    MetaField("deaths", (), "count"),
)
"""The fields, in storage order."""
NUMERIC = tuple(f.name for f in FIELDS if f.name != "weapon")


def _num(cv: Mapping[str, Any], key: str) -> float:
    value = cv.get(key)
    if isinstance(value, bool) or value is None:
        return math.nan
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out if math.isfinite(out) else math.nan


def _yaw(cv: Mapping[str, Any]) -> float:
    yaw = _num(cv, "viewangle_xy")
    if math.isnan(yaw):
        xy = _num(cv, "xy_rad")  # clockwise in (0, 2*pi]
        yaw = math.nan if math.isnan(xy) else (-math.degrees(xy) + 180.0) % 360.0 - 180.0
    return yaw


def _pitch(cv: Mapping[str, Any]) -> float:
    pitch = _num(cv, "viewangle_vert")
    if math.isnan(pitch):
        z = _num(cv, "zvert_rads")
        pitch = math.nan if math.isnan(z) else 90.0 - math.degrees(z)
    return pitch


def meta_arrays(curr_vars: Sequence[Mapping[str, Any]]
                ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(values, known)`` for n frames: ``values[name]`` float64 (n, *shape) with NaN
    where unknown (``weapon``: ``S32`` bytes, ``b""`` where unknown), ``known[name]`` bool
    (n,), True where every component of the frame's value is known."""
    n = len(curr_vars)
    values: dict[str, np.ndarray] = {f.name: np.full((n, *f.shape), np.nan)
                                     for f in FIELDS if f.name != "weapon"}
    weapon = np.zeros(n, dtype=f"S{WEAPON_NAME_BYTES}")
    weapon_known = np.zeros(n, dtype=bool)
    for i, cv in enumerate(curr_vars):
        if not isinstance(cv, Mapping):
            continue
        values["position"][i] = [_num(cv, f"localpos{k}") for k in (1, 2, 3)]
        values["velocity"][i] = [_num(cv, f"vel_{k}") for k in (1, 2, 3)]
        values["yaw_deg"][i], values["pitch_deg"][i] = _yaw(cv), _pitch(cv)
        values["health"][i] = _num(cv, "gsi_health")
        values["armor"][i] = _num(cv, "gsi_armor")
        clip = _num(cv, "ammo_active")
        values["clip_ammo"][i] = clip if not math.isnan(clip) else _num(cv, "gsi_ammo")
        values["weapon_id"][i] = _num(cv, "itemdef")
        values["kills"][i], values["deaths"][i] = _num(cv, "gsi_kills"), _num(cv, "gsi_deaths")
        active = cv.get("gsi_weap_active")
        name = active.get("name") if isinstance(active, Mapping) else None
        if isinstance(name, str) and name:
            weapon[i] = name.encode("utf-8")[:WEAPON_NAME_BYTES]
            weapon_known[i] = True
    known = {name: np.isfinite(v).reshape(n, -1).all(axis=1) for name, v in values.items()}
    values["weapon"], known["weapon"] = weapon, weapon_known
    return values, known


def empty_meta(n: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """All fields unknown for n frames (an episode without metadata)."""
    return meta_arrays([{}] * n)


__all__ = ["FIELDS", "NUMERIC", "MetaField", "empty_meta", "meta_arrays"]
