"""The arena runs paced by default and says so (its own module: one stand-in window per X
display at a time, since each window grabs the input)."""

from __future__ import annotations

import gymnasium as gym
import pytest

import csgo_env  # noqa: F401 - registers the env id
from csgo_env.actions import Action

pytestmark = pytest.mark.xvfb


def test_paced_is_the_default_and_is_recorded(xvfb_display: str) -> None:
    paced = gym.make("CSGO-Deathmatch-v0", game="arena")
    try:
        _, info = paced.reset(seed=0)
        for _ in range(3):
            _, _, _, _, info = paced.step(Action().to_multidiscrete())
        assert info["paced"] is True
        assert paced.unwrapped.session.clock.stats().wait_mode != "unpaced"
    finally:
        paced.close()
