"""The reward contract: parsing, the default, and the one flags + actions -> rewards function."""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.actions import FIRE_INDEX, NOOP
from csgo_env.errors import ArgumentError
from csgo_env.rewards import DEFAULT_REWARD, RewardSpec, transition_rewards


def test_rewards_use_the_flags_of_the_next_frame_and_the_fire_of_the_step() -> None:
    flags = np.array([[1, 0], [0, 0], [1, 0], [0, 1]], dtype=np.float64)  # frames 0..3
    actions = np.tile(NOOP.to_multidiscrete(), (3, 1))  # steps 0..2
    actions[1, FIRE_INDEX] = 1
    rewards = transition_rewards(flags, actions)
    # step 0 -> frame 1 (nothing); step 1 fires -> frame 2 (a kill); step 2 -> frame 3 (a death)
    np.testing.assert_allclose(rewards, [0.0, 1.0 - 0.02, -0.5])
    assert rewards.dtype == np.float64
    custom = transition_rewards(flags, actions, RewardSpec.parse("2*kill"))
    np.testing.assert_allclose(custom, [0.0, 2.0, 0.0])


def test_misaligned_inputs_are_refused() -> None:
    actions = np.tile(NOOP.to_multidiscrete(), (3, 1))
    with pytest.raises(ArgumentError, match="do not line up"):
        transition_rewards(np.zeros((3, 2)), actions)


def test_default_is_the_authors_reward() -> None:
    assert str(DEFAULT_REWARD) == "kill - 0.5*death - 0.02*shot"
    assert RewardSpec.parse(str(DEFAULT_REWARD)) == DEFAULT_REWARD
