"""Hand-built known plays for the inference tests: n frames of chosen keys and mouse."""

from __future__ import annotations

from typing import Any

import numpy as np

from csgo_env.actions import KEY_NAMES, N_BINARY, NVEC, quantize_mouse_x, quantize_mouse_y
from csgo_env.datasets.pearce.infer_actions import InferredActions, infer_actions
from csgo_env.datasets.synthetic.kinematics import KnownPlay, simulate_curr_vars

K = {name: i for i, name in enumerate(KEY_NAMES)}
K["fire"], K["scope"] = N_BINARY - 2, N_BINARY - 1


def blank(n: int = 200, primary: str = "weapon_ak47", **kwargs: Any) -> KnownPlay:
    """A play of n frames doing nothing, yaw 30 deg, facing level."""
    return KnownPlay(actions=np.zeros((n, len(NVEC)), dtype=np.int64),
                     mouse=np.zeros((n, 2), dtype=np.int64), primary=primary, **kwargs)


def hold(play: KnownPlay, key: str, start: int, stop: int | None = None) -> KnownPlay:
    """Hold ``key`` (a name of KEY_NAMES, 'fire' or 'scope') on frames [start, stop)."""
    play.actions[start:(start + 1 if stop is None else stop), K[key]] = 1
    return play


def truth(play: KnownPlay) -> np.ndarray:
    """The play's factored actions with the mouse bins of its counts."""
    act = play.actions.copy()
    act[:, N_BINARY] = quantize_mouse_x(play.mouse[:, 0])
    act[:, N_BINARY + 1] = quantize_mouse_y(play.mouse[:, 1])
    return act


def run(play: KnownPlay, *, own_play: bool = False,
        edit: Any = None) -> tuple[InferredActions, list[dict[str, Any]]]:
    """Simulate, optionally ``edit(curr_vars)`` in place, and infer."""
    curr_vars = simulate_curr_vars(play, own_play=own_play)
    if edit is not None:
        edit(curr_vars)
    return infer_actions(curr_vars), curr_vars


def frames_with(inferred: InferredActions, key: str) -> list[int]:
    """Frames where ``key`` (a key name, 'fire' or 'scope') was inferred."""
    return np.flatnonzero(inferred.factored()[:, K[key]]).tolist()


def keys_at(inferred: InferredActions, frame: int) -> set[str]:
    """Names of the keys inferred at ``frame``."""
    return {name for name in KEY_NAMES if inferred.keys[frame, K[name]]}
