"""The arena process on its own: control protocol, input fence, GSI and clean exits."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from csgo_env.errors import GameError
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.standin.arena_game import INPUT_WAIT_S
from csgo_env.standin.game_process import ReplayProcess
from csgo_env.standin.window import read_log

pytestmark = pytest.mark.xvfb


def _arena(tmp_path: Path, receiver: GSIReceiver | None = None) -> ReplayProcess:
    proc = ReplayProcess([], input_log=tmp_path / "input.jsonl",
                         gsi_url=None if receiver is None else receiver.url, token="tok",
                         extra_args=["--mode", "arena", "--seed", "4", "--opponents", "2"])
    proc.start()
    return proc


def test_protocol_seeds_ticks_and_posts_real_counters(xvfb_display: str, tmp_path: Path) -> None:
    with GSIReceiver(port=0, token="tok") as receiver:
        game = _arena(tmp_path, receiver)
        try:
            first = game.ready["first"] if game.ready else {}
            assert game.ready and game.ready["mode"] == "arena"
            assert first["arena"]["seed"] == 4 and len(first["arena"]["opponents"]) == 2
            replies = [game.command("next events=0") for _ in range(3)]
            assert [r["frame"] for r in replies] == [1, 2, 3]
            assert all(r["gsi_status"] == 200 and not r["input_late"] for r in replies)
            assert receiver.tracker.state is not None and receiver.tracker.state.alive
            fresh = game.command("reset seed=9")
            assert fresh["frame"] == 0 and fresh["arena"]["seed"] == 9
            kept = game.command("reset")
            assert kept["arena"]["seed"] == 9
            with pytest.raises(GameError, match="unknown command"):
                game.command("next seed=3")
            with pytest.raises(GameError, match="unknown command"):
                game.command("jump")
        finally:
            assert game.stop() == 0


def test_missing_input_delays_one_tick_then_the_game_goes_on(xvfb_display: str,
                                                             tmp_path: Path) -> None:
    game = _arena(tmp_path)
    try:
        late = game.command("next events=5", timeout_s=INPUT_WAIT_S + 5)
        assert late["input_late"]  # nothing was sent: the wait ran out
        assert not game.command("next events=5")["input_late"]  # counted as lost
    finally:
        game.stop()
    assert "did not arrive" in (tmp_path / "input.jsonl.stderr").read_text()


def test_sigterm_ends_the_arena_cleanly(xvfb_display: str, tmp_path: Path) -> None:
    game = _arena(tmp_path)
    assert game.proc is not None
    game.proc.send_signal(signal.SIGTERM)
    assert game.proc.wait(10) == 0
    assert read_log(tmp_path / "input.jsonl")[-1]["type"] == "quit"
    game.stop()


def test_replay_mode_still_needs_a_recording(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "csgo_env.standin", "--input-log",
                           str(tmp_path / "log.jsonl")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "needs at least one --recording" in done.stderr


def test_free_mode_ticks_by_itself(xvfb_display: str, tmp_path: Path) -> None:
    with GSIReceiver(port=0, token="tok") as receiver:
        game = ReplayProcess([], input_log=tmp_path / "input.jsonl", gsi_url=receiver.url,
                             token="tok", control="free", extra_args=["--mode", "arena"])
        game.start()
        try:
            receiver.wait_for_payload(5.0)
            first = (receiver.latest or {})["provider"]["replay_frame"]
            receiver.wait_for_payload(5.0, newer_than=receiver.latest_t)
            time.sleep(0.5)  # ~8 ticks at 16 per second
            later = (receiver.latest or {})["provider"]
            assert later["replay_frame"] > first and later["synthetic"] is True
        finally:
            assert game.stop() == 0
