"""The scripted sweep reference: forward and fire always, a steady turn whose direction
switches after seeded spans, strafing; valid actions, reproducible from the seed."""

from __future__ import annotations

import numpy as np

from csgo_env.actions import (
    FIRE_INDEX,
    KEY_NAMES,
    MOUSE_X_BINS,
    MOUSE_X_INDEX,
    MOUSE_Y_INDEX,
    MOUSE_Y_ZERO_BIN,
    action_space,
)
from csgo_env.evaluation.live_agents import make_policy
from csgo_env.scripted_policy import TURN_COUNTS, TURN_SPAN_STEPS, SweepPolicy

OBS = np.zeros((150, 280, 3), np.uint8)


def _play(policy: SweepPolicy, steps: int) -> np.ndarray:
    return np.stack([policy.act(OBS) for _ in range(steps)])


def test_sweep_runs_fires_turns_and_strafes_within_the_action_space() -> None:
    actions = _play(SweepPolicy(3), 400)
    space = action_space(0)
    assert all(space.contains(a) for a in actions)
    k = {name: i for i, name in enumerate(KEY_NAMES)}
    assert (actions[:, k["w"]] == 1).all() and (actions[:, FIRE_INDEX] == 1).all()
    assert (actions[:, k["a"]] + actions[:, k["d"]] == 1).all()
    assert 0 < actions[:, k["d"]].mean() < 1  # both sides
    turn = MOUSE_X_BINS[actions[:, MOUSE_X_INDEX]]
    assert set(np.abs(turn)) == {TURN_COUNTS} and {-TURN_COUNTS, TURN_COUNTS} <= set(turn)
    runs = np.flatnonzero(np.diff(np.sign(turn)) != 0)
    assert (np.diff(runs) >= TURN_SPAN_STEPS[0]).all()  # a switch waits a whole span
    assert (actions[:, MOUSE_Y_INDEX] == MOUSE_Y_ZERO_BIN).all()


def test_sweep_is_reproducible_from_its_seed_and_reset() -> None:
    policy = SweepPolicy(7)
    first = _play(policy, 200)
    policy.reset()
    assert np.array_equal(first, _play(policy, 200))
    assert np.array_equal(first, _play(SweepPolicy(7), 200))
    assert not np.array_equal(first, _play(SweepPolicy(8), 200))
    assert isinstance(make_policy("scripted", None, seed=7), SweepPolicy)
