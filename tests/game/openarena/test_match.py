"""OpenArena-Deathmatch-v0 on the real game under Xvfb: a dedicated server with bots, our
client, capture, XTest input, the server's log and the client's memory, all for real.

Skipped only when OpenArena is not installed (``bash scripts/setup_openarena.sh``). The
match is tuned for quick deaths (a small lava arena, five skill-5 bots, instagib), so a
random policy dies within a few hundred steps.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import csgo_env  # noqa: F401 - registers the env ids
from csgo_env.actions import DEG_PER_COUNT, KEY_NAMES, MOUSE_X_BINS, MOUSE_Y_BINS, Action
from csgo_env.game.openarena.install import installed
from csgo_env.game.openarena.launcher import sweep_stale_runs

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(not installed(), reason="OpenArena is not installed: run "
                       "bash scripts/setup_openarena.sh (Debian packages openarena, "
                       "openarena-server)"),
]

QUICK_DEATHS = {"openarena_map": "am_lavaarena", "openarena_bots": 5,
                "openarena_bot_skill": 5.0,
                "openarena_server_args": ("+set", "g_instantgib", "1"),
                "startup_timeout_s": 120.0}
RANDOM_STEPS = 300
MAX_STEPS = 900
"""Steps of the random policy, and the most it may take to see its first death."""


def _wrap(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def _mouse(dx: int = 0, dy: int = 0) -> np.ndarray:
    action = Action(mouse_x_bin=int(list(MOUSE_X_BINS).index(dx)),
                    mouse_y_bin=int(list(MOUSE_Y_BINS).index(dy)))
    return action.to_multidiscrete()


def _turn(env: gym.Env, steps: int, dx: int = 0, dy: int = 0) -> tuple[float, float] | None:
    """Yaw and pitch change over ``steps`` steps of one mouse bin, measured from the pose
    (``None`` when the player died meanwhile: a respawn resets the view)."""
    _, _, _, _, before = env.step(_mouse())
    for _ in range(steps):
        _, _, _, _, info = env.step(_mouse(dx, dy))
        if info["step_deaths"]:
            return None
    for _ in range(3):  # the last move shows at the client's next frame
        _, _, _, _, after = env.step(_mouse())
    if before["pose"] is None or after["pose"] is None or after["deaths"] != before["deaths"]:
        return None
    return (_wrap(after["pose"].yaw_deg - before["pose"].yaw_deg),
            after["pose"].pitch_deg - before["pose"].pitch_deg)


def _measured_turn(env: gym.Env, steps: int, dx: int = 0, dy: int = 0) -> tuple[float, float]:
    for _ in range(4):
        turned = _turn(env, steps, dx, dy)
        if turned is not None:
            return turned
        env.reset()
    raise AssertionError("the player died during every turn attempt")


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1].startswith("Z")
    except FileNotFoundError:
        return True


def test_real_episode_frames_input_and_log_events(xvfb_display: str) -> None:
    env = gym.make("OpenArena-Deathmatch-v0", **QUICK_DEATHS)
    game = env.unwrapped.session.game
    pids = (game.server.pid, game.client.pid)
    try:
        obs, info = env.reset(seed=0)
        assert obs.shape == (150, 280, 3) and obs.dtype == np.uint8
        assert info["pose"] is not None and info["health"] is not None
        assert info["health"] > 0

        # Input reaches the game: the view turns by the counts sent (0.055 deg per count).
        yaw, _ = _measured_turn(env, 6, dx=200)
        assert yaw == pytest.approx(_wrap(-6 * 200 * DEG_PER_COUNT), abs=0.05)
        yaw, _ = _measured_turn(env, 4, dx=-100)
        assert yaw == pytest.approx(4 * 100 * DEG_PER_COUNT, abs=0.05)
        _, pitch = _measured_turn(env, 2, dy=50)
        assert pitch == pytest.approx(2 * 50 * DEG_PER_COUNT, abs=0.05)

        # A random episode: real frames, the log's kills and deaths as rewards.
        env.reset()
        env.action_space.seed(0)
        frames, rewards, deaths, kills, poses = [], 0.0, 0, 0, 0
        steps = 0
        while steps < RANDOM_STEPS or (deaths == 0 and steps < MAX_STEPS):
            action = env.action_space.sample()
            obs, reward, terminated, truncated, info = env.step(action)
            steps += 1
            assert not terminated and not truncated
            kills += info["step_kills"]
            deaths += info["step_deaths"]
            assert reward == pytest.approx(info["step_kills"] - 0.5 * info["step_deaths"]
                                           - 0.02 * int(action[11]))
            rewards += reward
            poses += info["pose"] is not None
            if steps % 10 == 0:
                frames.append(obs)
        assert deaths >= 1, f"no death in {steps} steps"
        assert game.kills.kill_lines >= kills + deaths  # every event came from a log line
        assert (info["kills"], info["deaths"]) == (kills, deaths)
        assert poses == steps
        assert all(f.std() > 8.0 and 5.0 < f.mean() < 250.0 for f in frames), "blank frames"
        distinct = len({f.tobytes() for f in frames})
        assert distinct >= 0.9 * len(frames), f"only {distinct} of {len(frames)} differ"
        check_env(env.unwrapped, skip_close_check=True)
    finally:
        env.close()
    assert all(_gone(pid) for pid in pids)


CHILD = textwrap.dedent("""
    import json, gymnasium as gym, csgo_env
    env = gym.make("OpenArena-Deathmatch-v0", openarena_bots=1, startup_timeout_s=120)
    env.reset()
    game = env.unwrapped.session.game
    print(json.dumps({"server": game.server.pid, "client": game.client.pid,
                      "folder": str(game.folder)}), flush=True)
    while True:
        env.step(env.action_space.sample())
""")


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if text.encode() in fh.read() and not _gone(int(entry)):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def _release_everything(display: str) -> None:
    """Key-ups for every action key and both buttons: an agent killed outright leaves its
    keys held in the X server (nothing in it can release them), which later tests would see."""
    from csgo_env.game.input.backends import get_input_backend

    backend = get_input_backend("x11", profile="openarena", display=display)
    try:
        for key in KEY_NAMES:
            backend.key_up(key)
        for button in ("left", "right"):
            backend.button_up(button)  # type: ignore[arg-type]
        backend.flush()
    finally:
        backend.close()


def test_nothing_outlives_an_env_killed_outright(xvfb_display: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(Path.cwd())})
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 150)
        assert ready, "the env in the child did not start"
        started = json.loads(child.stdout.readline())
        assert not _gone(started["server"]) and not _gone(started["client"])
        time.sleep(1.0)  # stepping
        child.send_signal(signal.SIGKILL)
        child.wait(5)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and not (
                _gone(started["server"]) and _gone(started["client"])):
            time.sleep(0.05)
        assert _gone(started["server"]) and _gone(started["client"])
        assert _processes_mentioning(started["folder"]) == []
        assert Path(started["folder"]) in sweep_stale_runs()
    finally:
        child.kill()
        child.wait()
        _release_everything(xvfb_display)
