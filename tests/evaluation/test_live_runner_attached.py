"""The live runner's csgo / cs2 path: attach to a running game, paced, wall-clock minutes.

No Counter-Strike runs here, so this path is NOT executed against the real games: the game
is the stand-in's free-running arena (it ticks at 16 Hz by itself, as a real game runs on
its own), started by the test in the game's place, under the game's window title, POSTing
GSI to the fixed port with the cfg's token. Everything else is the real csgo / cs2 path of
the env: the attach launcher (nothing started, nothing advanced or restarted by the env),
window lookup by the profile's title, capture, XTest input with the profile's keys, the GSI
receiver, the 16 Hz clock. No offsets are given, so no pose is read (the real games need
their own dumps) and the game's process is never looked up by its name (csgo_linux64 /
cs2, which the stand-in's process does not have).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from csgo_env.evaluation.live_agents import AgentSpec
from csgo_env.evaluation.live_loop import Budget
from csgo_env.evaluation.live_runner import LiveEvaluation, run_live
from csgo_env.game.profiles import get_profile
from csgo_env.standin.game_process import ReplayProcess
from tests.support import standin as rs

pytestmark = [pytest.mark.xvfb, pytest.mark.real_game_replaced]
TOKEN = "attached-token"


@pytest.fixture(params=["csgo", "cs2"])
def running_game(request: pytest.FixtureRequest, xvfb_display: str,
                 tmp_path: Path) -> Iterator[tuple[str, int, Path]]:
    """(game, GSI port, input log) of a free-running arena under that game's title."""
    game, port = str(request.param), rs.free_port()
    log = tmp_path / "input.jsonl"
    proc = ReplayProcess([], input_log=log, gsi_url=f"http://127.0.0.1:{port}/",
                         token=TOKEN, title=get_profile(game).window_titles[0],
                         control="free", extra_args=["--mode", "arena", "--seed", "5"])
    proc.start()
    try:
        yield game, port, log
    finally:
        proc.stop()


def test_runs_last_their_wall_clock_minutes_at_16_hz(running_game: tuple[str, int, Path],
                                                     tmp_path: Path) -> None:
    game, port, log = running_game
    evaluation = LiveEvaluation(
        agents=[AgentSpec("random", ("random",))], out=tmp_path / "live",
        budget=Budget(minutes=0.05), runs=2,
        env_kwargs={"game": game, "gsi_port": port, "gsi_token": TOKEN})
    lines: list[str] = []
    records = run_live(evaluation, say=lines.append)
    assert [(r["agent"], r["seed"]) for r in records] == [("random", 0), ("random", 1)]
    for r in records:
        assert r["env"]["game"] == game and r["paced"] is True
        assert r["time_basis"] == "wall-clock" and "paced (per wall-clock minute)" in r["setting"]
        assert 2.9 <= r["wall_s"] <= 3.6, r["wall_s"]  # 0.05 wall-clock minutes
        assert 38 <= r["steps"] <= 50, r["steps"]  # 16 Hz real time
        minutes = r["wall_s"] / 60.0
        assert r["metrics"]["kills_per_minute"] == pytest.approx(
            r["metrics"]["counts/kills"] / minutes, rel=1e-3)
        assert r["metrics"]["lateness/p99_ms"] is not None
        assert r["track"]["x"] is None  # no offsets: the game gave no pose
        assert r["synthetic"] is False  # an attached game is not the stand-in's profile
        assert r["env"]["settings"]["gsi_port"] == port
    events = rs.logged_events(log)
    assert any(e[0] == "key_down" for e in events)  # the input reached the game's window
    assert rs.held_at_end(events) == set()  # and was released when the runner closed
    assert any("2 to play" in line for line in lines)
