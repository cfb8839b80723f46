"""Inferring the actions of a recording from its metadata, as the dataset authors did.

Spectated recordings hold no key presses: Pearce & Zhu recovered them from what the game
state shows (rules in :mod:`csgo_env.datasets.pearce.infer_rules`). :func:`infer_actions`
applies the rules to one recording's ``curr_vars`` and :meth:`InferredActions.targets`
turns the result into the public per-frame arrays ``y`` (n, 51), ``xaux`` (n, 54) and
``helperarr`` (n, 2).

Alignment (the authors' recorder): frame i's image was grabbed just before the state
change from metadata frame i-1 to frame i, and action i is inferred from that change.
Frame 0, and every frame where the player is dead or has no active weapon now or one
frame before, carries the default action (no keys, no clicks, zero mouse bins); labels
that the rules place backwards in time are dropped when they land on such a frame.

Own-play recordings log what was held (``tp_wasd``: w, a, s, d, and space, r, shift,
ctrl when listed; ``tp_lclick``: fire): on such frames those keys and the click are used
as logged, and the velocity, jump, reload-placement and ammo rules are not applied to
them. Mouse, crouch, weapon switches and scope are always inferred.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env.actions import KEY_NAMES, N_BINARY, NVEC, quantize_mouse_x, quantize_mouse_y
from csgo_env.datasets.pearce.infer_rules import (
    WASD,
    InferenceSettings,
    ammo_changes,
    crouch_labels,
    fill_key_gaps,
    jumps,
    mouse_counts,
    movement_keys,
    processed_frames,
    reload_presses,
    scope_clicks,
    weapon_switches,
)
from csgo_env.datasets.pearce.metadata_columns import MetadataColumns, columns_from_curr_vars

_K = {name: i for i, name in enumerate(KEY_NAMES)}
_WASD_COLUMNS = [_K[k] for k in WASD]
_LOGGED = ("w", "a", "s", "d", "space", "r", "shift", "ctrl")


@dataclass
class InferredActions:
    """The actions of n frames.

    ``keys`` (n, 11) bool in :data:`~csgo_env.actions.KEY_NAMES` order; ``fire`` and
    ``scope`` (n,) bool; ``mouse`` (n, 2) float64 unquantised counts (x: +right, y: +down);
    ``skipped`` (n,) bool, frames given the default action, and ``dead`` those of them
    with memory health 0; ``logged`` (n,) bool, frames whose keys came from ``tp_wasd``;
    ``case`` (n,) int movement case of the velocity rule (see
    :func:`~csgo_env.datasets.pearce.infer_rules.movement_keys`, -1 where not applied).
    """

    keys: np.ndarray
    fire: np.ndarray
    scope: np.ndarray
    mouse: np.ndarray
    skipped: np.ndarray
    dead: np.ndarray
    logged: np.ndarray
    case: np.ndarray
    columns: MetadataColumns

    @property
    def num_frames(self) -> int:
        """Number of frames n."""
        return int(self.keys.shape[0])

    def factored(self) -> np.ndarray:
        """Factored actions int64 (n, 15): keys, clicks, mouse x and y bins."""
        out = np.zeros((self.num_frames, len(NVEC)), dtype=np.int64)
        out[:, :len(KEY_NAMES)] = self.keys
        out[:, len(KEY_NAMES)] = self.fire
        out[:, len(KEY_NAMES) + 1] = self.scope
        out[:, N_BINARY] = quantize_mouse_x(self.mouse[:, 0])
        out[:, N_BINARY + 1] = quantize_mouse_y(self.mouse[:, 1])
        return out

    def vectors(self) -> np.ndarray:
        """The recordings' ``frame_{i}_y``: float64 (n, 51) 0/1."""
        from csgo_env.actions import multidiscrete_to_vectors

        return multidiscrete_to_vectors(self.factored())

    def helper(self) -> np.ndarray:
        """``frame_{i}_helperarr`` float64 (n, 2): kill where the GSI kill counter rose by
        exactly 1 with deaths unchanged, death the other way round; frame 0 is [0, 0]."""
        c = self.columns
        out = np.zeros((self.num_frames, 2))
        dk, dd = np.diff(c.kills), np.diff(c.deaths)
        out[1:, 0] = (dk == 1) & (dd == 0)
        out[1:, 1] = (dd == 1) & (dk == 0)
        return out

    def xaux(self) -> np.ndarray:
        """``frame_{i}_xaux`` float64 (n, 54): the previous 3 actions with GSI health / 100,
        memory clip ammo / 30 and team (1 = CT) of those frames."""
        from csgo_env.datasets.pearce.write import make_xaux

        c = self.columns
        return make_xaux(self.vectors(), health=np.nan_to_num(c.gsi_health),
                         ammo=np.nan_to_num(c.ammo_active), team=np.nan_to_num(c.team_ct))

    def targets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(y (n, 51), xaux (n, 54), helperarr (n, 2))``, float64, as the public files."""
        return self.vectors(), self.xaux(), self.helper()

    def infer_a(self) -> list[list[Any]]:
        """Per frame the metadata form ``[keys_pressed, mouse_x, mouse_y, left, right]``."""
        names = np.array(KEY_NAMES)
        return [[names[row].tolist(), float(m[0]), float(m[1]), int(f), int(s)]
                for row, m, f, s in zip(self.keys, self.mouse, self.fire, self.scope,
                                        strict=True)]


def infer_actions(curr_vars: Sequence[Mapping[str, Any]] | MetadataColumns, *,
                  settings: InferenceSettings | None = None,
                  source: str = "<metadata>") -> InferredActions:
    """Apply the authors' rules to one recording's ``curr_vars`` (frame order) or columns."""
    s = settings or InferenceSettings()
    c = curr_vars if isinstance(curr_vars, MetadataColumns) \
        else columns_from_curr_vars(curr_vars, source=source)
    n = c.num_frames
    processed = processed_frames(c)
    logged = processed & c.has_logged_keys
    inferred = processed & ~c.has_logged_keys
    keys = np.zeros((n, len(KEY_NAMES)), dtype=bool)

    ctrl = crouch_labels(c, processed, s)
    keys[:, _K["ctrl"]] = ctrl | (logged & c.logged_keys[:, _K["ctrl"]])
    crouched = keys[:, _K["ctrl"]] | ((c.height > s.crouch_height[0])
                                      & (c.height < s.crouch_height[1]))
    wasd, shift, case = movement_keys(c, inferred, crouched, s)
    wasd = fill_key_gaps(wasd, inferred)
    keys[:, _WASD_COLUMNS] = wasd
    keys[:, _K["shift"]] = shift
    keys[:, _K["space"]] = jumps(c, inferred, s)
    for key, placed in weapon_switches(c, processed).items():
        keys[:, _K[key]] = placed
    scope = scope_clicks(c, processed)

    fire = np.zeros(n, dtype=bool)
    logged_fire = processed & ~np.isnan(c.logged_fire)
    fire[logged_fire] = c.logged_fire[logged_fire] != 0
    drops, rises = ammo_changes(c, processed & ~logged_fire)
    fire |= drops
    keys[:, _K["r"]] = reload_presses(rises & inferred, fire, s)

    for key in _LOGGED:  # own-play frames: as logged
        column = _K[key]
        if key == "ctrl":
            continue
        keys[logged, column] = c.logged_keys[logged, column]

    skipped = ~processed
    keys[skipped] = False
    fire[skipped] = False
    scope = scope & processed
    return InferredActions(keys=keys, fire=fire, scope=scope,
                           mouse=mouse_counts(c, processed, s), skipped=skipped,
                           dead=skipped & (c.obs_health == 0), logged=logged, case=case,
                           columns=c)


__all__ = ["InferenceSettings", "InferredActions", "infer_actions"]
