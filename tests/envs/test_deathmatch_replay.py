"""CSGO-Deathmatch-v0 on the replay game: frames, rewards, input, pose, clean exits.

Every test runs the whole I/O stack for real: a replay game process with a real window
under Xvfb, XTest input, real GSI POSTs to the env's receiver, memory reads of the replay
process, mss capture.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest

import csgo_env  # noqa: F401 - registers the env id
from csgo_env.actions import MOUSE_X_BINS, MOUSE_Y_BINS
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.envs.deathmatch import DeathmatchEnv
from csgo_env.errors import GSISilent
from csgo_env.standin.window import read_log
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb
STEPS = 36


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


def _wait_for_quit(log: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(r.get("type") == "quit" for r in read_log(log)):
            return
        time.sleep(0.05)
    raise AssertionError(f"the replay game never logged quit: {read_log(log)[-5:]}")


def test_episode_replays_frames_rewards_pose_and_input(xvfb_display: str, recording: Path,
                                                       tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    start = rs.EPISODE_START
    with Recording(recording) as rec:
        frames = rec.frames(start, start + STEPS + 1)
        flags = rec.helper(start, start + STEPS + 1)
        recorded = rec.actions(start, start + STEPS + 1)
    actions = rs.scripted_actions(STEPS, seed=3)
    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[str(recording)],
                   replay_start_frame=start, replay_input_log=str(log))
    try:
        obs, info = env.reset(seed=0)
        np.testing.assert_array_equal(obs, frames[0])
        assert info["replay_frame"] == start and info["health"] == 100
        assert info["pose"] is not None and info["pose"].yaw_deg == 0.0
        sent_dx = sent_dy = rec_dx = rec_dy = 0
        kills = deaths = 0
        for k, action in enumerate(actions):
            obs, reward, terminated, truncated, info = env.step(rs.as_array(action))
            assert info["replay_frame"] == start + k + 1
            np.testing.assert_array_equal(obs, frames[k + 1])  # pixel-exact
            kill, death = (int(v) for v in flags[k + 1])
            kills, deaths = kills + kill, deaths + death
            assert reward == pytest.approx(kill - 0.5 * death - 0.02 * action.fire)
            assert (info["step_kills"], info["step_deaths"]) == (kill, death)
            assert (info["kills"], info["deaths"]) == (kills, deaths)
            assert info["health"] == (0 if death else 100)
            assert not terminated and not truncated
            # Timing is measured by scripts/bench_env.py, not asserted here (a busy CI
            # machine may be late); the field must be a real, non-negative lateness.
            assert isinstance(info["tick_lateness_s"], float) and info["tick_lateness_s"] >= 0
            # The view turns by what the window received plus the recording's own mouse.
            sent_dx, sent_dy = sent_dx + action.mouse_dx, sent_dy + action.mouse_dy

            rec_dx += MOUSE_X_BINS[recorded[k, 13]]
            rec_dy += MOUSE_Y_BINS[recorded[k, 14]]
            want_yaw = (-(sent_dx + rec_dx) * 0.055 + 180.0) % 360.0 - 180.0
            want_pitch = float(np.clip((sent_dy + rec_dy) * 0.055, -89, 89))
            pose = info["pose"]
            assert abs(((pose.yaw_deg - want_yaw) + 180) % 360 - 180) < 1e-3
            assert pose.pitch_deg == pytest.approx(want_pitch, abs=1e-3)
            assert pose.health == info["health"]
        assert (kills, deaths) == (2, 1)  # the episode crosses the flagged frames
    finally:
        env.close()
    _wait_for_quit(log)
    assert rs.logged_events(log) == rs.expected_events(actions)


def test_terminate_on_death_then_reset(xvfb_display: str, recording: Path) -> None:
    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[str(recording)],
                   replay_start_frame=rs.DEATH_FRAME - 4, terminate_on_death=True)
    try:
        env.reset(seed=1)
        noop = rs.as_array(rs.Action())
        outcomes = [env.step(noop) for _ in range(4)]
        assert [o[2] for o in outcomes] == [False, False, False, True]
        assert outcomes[-1][1] == pytest.approx(-0.5)
        assert outcomes[-1][4]["health"] == 0
        _obs, info = env.reset()
        assert info["health"] == 100 and info["replay_frame"] == rs.DEATH_FRAME - 4
        assert info["kills"] == info["deaths"] == 0
    finally:
        env.close()


def test_render_and_close_are_safe(xvfb_display: str, recording: Path) -> None:
    env = DeathmatchEnv("replay", replay_recordings=[recording], render_mode="rgb_array")
    assert env.render() is None
    obs, _ = env.reset(seed=0)
    frame = env.render()
    np.testing.assert_array_equal(frame, obs)
    assert frame is not obs
    replay = env.session.game.process
    port = env.session.receiver.address[1]
    env.close()
    env.close()  # idempotent
    assert replay.proc.poll() is not None
    with pytest.raises(Exception, match="closed"):
        env.step(env.action_space.sample())
    import socket
    with socket.socket() as s:  # the receiver's port is free again
        s.bind(("127.0.0.1", port))


def test_unclosed_env_warns_and_cleans_up(xvfb_display: str, recording: Path) -> None:
    env = DeathmatchEnv("replay", replay_recordings=[recording])
    env.reset(seed=0)
    env.step(rs.as_array(rs.Action(frozenset({"w"}), fire=True)))
    replay = env.session.game.process
    log = env.session.game.input_log
    with pytest.warns(ResourceWarning, match="not closed"):
        del env
        gc.collect()
    assert replay.proc.poll() is not None
    assert log is not None and not log.exists()  # its temporary folder is gone too


def test_reset_without_gsi_says_what_to_check(xvfb_display: str, recording: Path) -> None:
    dead = f"http://127.0.0.1:{rs.free_port()}/"
    env = DeathmatchEnv("replay", replay_recordings=[recording], reset_timeout_s=1.0,
                        replay_args=["--gsi-url", dead])
    try:
        with pytest.raises(GSISilent, match="gsi-config"):
            env.reset(seed=0)
    finally:
        env.close()


def test_setup_console_types_commands(xvfb_display: str, recording: Path,
                                      tmp_path: Path) -> None:
    log = tmp_path / "input.jsonl"
    env = DeathmatchEnv("replay", replay_recordings=[recording], replay_input_log=log,
                        setup_console=["bot_kick 2"])
    try:
        env.reset(seed=0)
    finally:
        env.close()
    _wait_for_quit(log)
    downs = [e[1] for e in rs.logged_events(log) if e[0] == "key_down"]
    assert downs == ["`", "b", "o", "t", "left shift", "-", "k", "i", "c", "k", "space", "2",
                     "return", "`"]
    assert rs.held_at_end(rs.logged_events(log)) == set()


AGENT = textwrap.dedent("""
    import sys, time
    import gymnasium as gym
    import csgo_env
    from csgo_env.actions import Action
    env = gym.make("CSGO-Deathmatch-v0", game="replay", replay_recordings=[sys.argv[1]],
                   replay_input_log=sys.argv[2])
    env.reset(seed=0)
    press = Action(frozenset({"w"}), fire=True).to_multidiscrete()
    env.step(press)
    if sys.argv[3] == "raise":
        raise RuntimeError("agent bug after pressing w + fire")
    print("pressed", flush=True)
    while True:
        env.step(press)
""")


@pytest.mark.parametrize("how", ["raise", "sigterm"])
def test_dying_agent_leaves_nothing_held(xvfb_display: str, recording: Path, tmp_path: Path,
                                         how: str) -> None:
    log = tmp_path / "input.jsonl"
    script = tmp_path / "agent.py"
    script.write_text(AGENT)
    proc = subprocess.Popen([sys.executable, str(script), str(recording), str(log), how],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ))
    if how == "sigterm":
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "pressed"
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    stderr = proc.stderr.read() if proc.stderr else ""
    if how == "raise":
        assert code == 1 and "agent bug" in stderr
    else:
        assert code == -signal.SIGTERM
    _wait_for_quit(log)
    events = rs.logged_events(log)
    assert ("key_down", "w") in events and ("button_down", 1) in events
    assert rs.held_at_end(events) == set(), events[-6:]


def test_wait_ready_names_what_is_wrong() -> None:
    """The reset wait over real HTTP: spectating, dead, then alive."""
    from csgo_env.envs.config import validate_config
    from csgo_env.errors import EnvTimeout
    from csgo_env.game.event_feed import GSIFeed
    from csgo_env.game.gsi.events import EventTracker
    from csgo_env.game.gsi.receiver import GSIReceiver
    from csgo_env.game.session import GameSession
    from csgo_env.standin.gsi_sender import GSISender, PlayerCounters, build_payload

    session = GameSession(validate_config(game="replay"))
    session.receiver = GSIReceiver(port=0, token="t", tracker=EventTracker("own")).start()
    session.events = GSIFeed(session.receiver)
    sender = GSISender(session.receiver.url)
    try:
        with pytest.raises(GSISilent, match="gsi-config"):
            session.wait_ready(0.2)
        spectating = build_payload(PlayerCounters(), token="t")
        spectating["player"]["steamid"] = "76561190000000002"
        assert sender.post(spectating) == 200
        with pytest.raises(EnvTimeout, match="spectating"):
            session.wait_ready(0.2)
        assert sender.post(build_payload(PlayerCounters(health=0), token="t")) == 200
        with pytest.raises(EnvTimeout, match="health 0"):
            session.wait_ready(0.2)
        assert sender.post(build_payload(PlayerCounters(), token="t")) == 200
        assert session.wait_ready(0.2).health == 100
    finally:
        sender.close()
        session.close()
