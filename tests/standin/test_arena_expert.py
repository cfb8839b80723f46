"""The scripted expert against the random policy in the arena, live through the env.

SYNTHETIC game. Five seeded runs each, unpaced (game time: 16 steps per second); the
claim is that the expert's kills per game minute lie above the random policy's with a 95%
interval of the difference (Welch) that excludes 0.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from scipy import stats

import csgo_env  # noqa: F401 - registers the env id
from csgo_env.policy import Policy, RandomPolicy
from csgo_env.standin.arena_expert import ArenaExpert, snapshot_from_env
from tests.support import arena as sa

pytestmark = [pytest.mark.xvfb, pytest.mark.slow]
RUNS = 5
STEPS = 240  # 15 s of game time per run


def _kills_per_minute(env: gym.Env, policy: Policy, seed: int) -> float:
    obs, _ = env.reset(seed=seed)
    policy.reset()
    kills = 0
    for _ in range(STEPS):
        obs, _, _, _, info = env.step(policy.act(obs))
        kills += info["step_kills"]
    assert info["paced"] is False
    return kills / (STEPS / 16.0 / 60.0)


def test_expert_kills_per_minute_beat_random_with_a_95_percent_interval(
        xvfb_display: str) -> None:
    env = gym.make("CSGO-Deathmatch-v0", **sa.ARENA_UNPACED)
    try:
        expert = [_kills_per_minute(env, ArenaExpert(snapshot_from_env(env), seed=s), 100 + s)
                  for s in range(RUNS)]
        random = [_kills_per_minute(env, RandomPolicy(seed=s), 100 + s) for s in range(RUNS)]
    finally:
        env.close()
    diff = stats.ttest_ind(expert, random, equal_var=False).confidence_interval(0.95)
    lo_e, hi_e = stats.t.interval(0.95, RUNS - 1, np.mean(expert), stats.sem(expert))
    print(f"\narena (synthetic), {RUNS} runs x {STEPS} steps, kills per game minute: "
          f"expert {np.mean(expert):.1f} [{lo_e:.1f}, {hi_e:.1f}] {expert}; "
          f"random {np.mean(random):.2f} {random}; "
          f"difference 95% CI [{diff.low:.1f}, {diff.high:.1f}]")
    assert diff.low > 0.0
    assert np.mean(expert) > 10.0  # a working expert, not a lucky one
