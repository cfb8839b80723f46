"""Gymnasium's env checker on the replay game, and the registered specs (OpenArena's env
is checked on the real game in tests/game/openarena)."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import csgo_env
from csgo_env.envs.registration import ENV_IDS
from tests.support import standin as rs


@pytest.mark.xvfb
@pytest.mark.parametrize("env_id", ["CSGO-Deathmatch-v0"])
def test_check_env_on_replay_game(env_id: str, xvfb_display: str,
                                  tmp_path_factory: pytest.TempPathFactory,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    recording = rs.synthetic_recording(tmp_path_factory)
    # No recording given: the env uses the generated sample under CSGO_ENV_HOME, which
    # already holds the session's sample (so nothing is generated again here).
    monkeypatch.setenv("CSGO_ENV_HOME", str(recording.parent.parent))
    env = gym.make(env_id, game="replay")
    try:
        spec = env.unwrapped.spec
        assert spec is not None and spec.nondeterministic
        assert env.spec is not None and env.spec.max_episode_steps == 1000
        assert env.observation_space == gym.spaces.Box(0, 255, (150, 280, 3), np.uint8)
        assert env.action_space == csgo_env.action_space()
        check_env(env.unwrapped)
    finally:
        env.close()


def test_registered_spec() -> None:
    assert ENV_IDS == ("CSGO-Deathmatch-v0", "OpenArena-Deathmatch-v0")
    spec = gym.spec("CSGO-Deathmatch-v0")
    assert spec.entry_point == "csgo_env.envs.deathmatch:DeathmatchEnv"
    assert spec.max_episode_steps == 1000 and spec.nondeterministic
    spec = gym.spec("OpenArena-Deathmatch-v0")
    assert spec.entry_point == "csgo_env.envs.openarena:OpenArenaDeathmatchEnv"
    assert spec.max_episode_steps == 1000 and spec.nondeterministic


def test_recording_is_the_sample(tmp_path_factory: pytest.TempPathFactory) -> None:
    path: Path = rs.synthetic_recording(tmp_path_factory)
    from csgo_env.datasets.pearce.reader import Recording

    with Recording(path) as rec:
        flags = rec.helper()
    assert rec.num_frames == 1000
    assert list(np.flatnonzero(flags[:, 1])) == [rs.DEATH_FRAME, 986]
    assert set(rs.KILL_FRAMES) <= set(np.flatnonzero(flags[:, 0]).tolist())
