"""Inference recovers known actions from metadata simulated by simple kinematics.

Random plays (:func:`~csgo_env.datasets.synthetic.kinematics_play.random_play`: movement
runs, counter-strafes, walking, crouching, jumps, integer mouse counts including bin
boundaries, fire, reloads, switches, AWP scope, deaths) are turned into metadata by the
kinematic simulator and labelled by :func:`~csgo_env.datasets.pearce.infer_actions.infer_actions`.
Synthetic data.
"""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, N_BINARY
from csgo_env.datasets.pearce.infer_actions import infer_actions
from csgo_env.datasets.pearce.infer_rules import BRAKING
from csgo_env.datasets.synthetic.kinematics import simulate_curr_vars
from csgo_env.datasets.synthetic.kinematics_play import random_play
from tests.support.kinematics import K

MOVEMENT = [K[k] for k in ("w", "a", "s", "d", "shift", "ctrl")]
EVENTS = [K[k] for k in ("space", "ctrl", "1", "2", "3", "r", "fire", "scope")]
STEADY_FOR = 8
NAMES = (*KEY_NAMES, "fire", "scope")


def steady_frames(actions: np.ndarray, mouse: np.ndarray, processed: np.ndarray) -> np.ndarray:
    """bool (n,): frames whose movement keys have not changed for 8 frames, all judged,
    with no mouse flick of 250 counts or more in the last 3 frames."""
    n = len(actions)
    out = np.zeros(n, dtype=bool)
    for i in range(STEADY_FOR, n):
        window = actions[i - STEADY_FOR:i + 1][:, MOVEMENT]
        out[i] = (processed[i - STEADY_FOR:i + 1].all() and (window == window[-1]).all()
                  and (np.abs(mouse[i - 2:i + 1, 0]) < 250).all())
    return out


@pytest.mark.parametrize("primary", ["weapon_ak47", "weapon_awp"])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_known_actions_come_back(seed: int, primary: str) -> None:
    play = random_play(np.random.default_rng(seed), 1000, primary=primary)
    inferred = infer_actions(simulate_curr_vars(play))
    got, want = inferred.factored(), play.actions
    processed = ~inferred.skipped
    assert processed.sum() > 900 and len(play.deaths) == 2
    # mouse: the exact bins on every judged frame
    np.testing.assert_array_equal(got[processed, N_BINARY:], want[processed, N_BINARY:])
    # keys: the same 13 flags on >= 95% of steady-state frames
    steady = steady_frames(want, play.mouse, processed)
    same = (got[:, :N_BINARY] == want[:, :N_BINARY]).all(axis=1)
    rate = same[steady].mean()
    print(f"seed {seed} {primary}: {steady.sum()} steady frames, keys same on "
          f"{100 * rate:.1f}% of them, {100 * same[processed].mean():.1f}% of all judged")
    assert steady.sum() > 350
    assert rate >= 0.95
    # jump, crouch, switches, reload, fire and scope: every one on its frame
    for column in EVENTS:
        assert np.flatnonzero(got[:, column]).tolist() \
            == np.flatnonzero(want[:, column]).tolist(), NAMES[column]
    # the truth has no action on the frames inference skips
    assert not want[inferred.skipped, :N_BINARY].any()


def test_the_plays_exercise_every_rule() -> None:
    """Over the seeds of the test above, every special action occurs."""
    counts = np.zeros(N_BINARY, dtype=np.int64)
    braking = 0
    for seed in range(4):
        for primary in ("weapon_ak47", "weapon_awp"):
            play = random_play(np.random.default_rng(seed), 1000, primary=primary)
            counts += play.actions[:, :N_BINARY].sum(axis=0)
            braking += int((infer_actions(simulate_curr_vars(play)).case == BRAKING).sum())
    assert (counts[EVENTS] >= 5).all(), dict(zip(NAMES, counts, strict=True))
    assert braking >= 10


@pytest.mark.parametrize("seed", [4, 5])
def test_own_play_keys_come_back_on_every_frame(seed: int) -> None:
    play = random_play(np.random.default_rng(seed), 1000)
    inferred = infer_actions(simulate_curr_vars(play, own_play=True))
    got, want = inferred.factored(), play.actions
    processed = ~inferred.skipped
    logged = [K[k] for k in ("w", "a", "s", "d", "space", "r", "fire")]
    np.testing.assert_array_equal(got[processed][:, logged], want[processed][:, logged])
    np.testing.assert_array_equal(got[processed, N_BINARY:], want[processed, N_BINARY:])
