"""A live run's trace: events, lives, rates per wall-clock or game minute, lateness."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csgo_env.actions import FIRE_INDEX
from csgo_env.errors import UsageError
from csgo_env.evaluation.live_loop import Budget
from csgo_env.evaluation.live_trace import RunTrace
from csgo_env.evaluation.outcomes import episode_lives
from csgo_env.game.memory.pose import Pose


def _pose(x: float, health: int = 100) -> Pose:
    return Pose((x, 2.0 * x, 0.0), (0.0, 0.0, 0.0), -1.5, 45.0, health, 90.0, 30)


def _info(k: int = 0, d: int = 0, s: int = 0, health: int | None = 100,
          pose: Pose | None = None, late: float = 0.0) -> dict:
    return {"step_kills": k, "step_deaths": d, "step_suicides": s, "health": health,
            "pose": pose, "tick_lateness_s": late, "overrun": late > 0.0625}


def _action(fire: bool) -> np.ndarray:
    a = np.zeros(15, np.int64)
    a[FIRE_INDEX] = int(fire)
    a[13], a[14] = 11, 7
    return a


def _scripted(paced: bool) -> RunTrace:
    """40 steps: kills at 5 and 12, deaths at 10 (killed) and 30 (suicide), dead 11-14 and
    31-33, fire on every even step, lateness 1 ms except 5 ms at step 3."""
    trace = RunTrace(fps=16.0, paced=paced)
    dead = set(range(11, 15)) | set(range(31, 34))
    for t in range(40):
        health = 0 if t in dead or t in (10, 30) else 100
        info = _info(k=int(t in (5, 12)), d=int(t in (10, 30)), s=int(t == 30),
                     health=health, pose=_pose(float(t), health),
                     late=0.005 if t == 3 else 0.001)
        trace.add(_action(t % 2 == 0), info, t_s=t / 16.0)
    return trace


def test_events_carry_step_time_position_and_view() -> None:
    trace = _scripted(paced=True)
    kinds = [(e["kind"], e["step"]) for e in trace.events]
    assert kinds == [("kill", 5), ("death", 10), ("kill", 12), ("suicide", 30)]
    kill = trace.events[0]
    assert kill["t_s"] == pytest.approx(5 / 16.0)
    assert kill["position"] == [5.0, 10.0, 0.0] and kill["yaw"] == 45.0
    assert kill["pitch"] == -1.5


def test_rates_per_wall_clock_minute_when_paced_and_per_game_minute_unpaced() -> None:
    paced = _scripted(paced=True).metrics(wall_s=30.0)  # slow wall clock: 0.5 min
    assert paced["kills_per_minute"] == pytest.approx(2 / 0.5)
    assert paced["deaths_per_minute"] == pytest.approx(2 / 0.5)
    unpaced = _scripted(paced=False).metrics(wall_s=30.0)  # 40 steps = 2.5 game seconds
    assert unpaced["kills_per_minute"] == pytest.approx(2 / (40 / 16 / 60))
    for m in (paced, unpaced):
        assert m["kd"] == 1.0 and m["counts/suicides"] == 1 and m["counts/shots"] == 20
        assert m["shots_per_kill"] == pytest.approx(20 / 2)  # the run's shots per kill
    summary = _scripted(paced=False).summary(30.0)
    assert summary["time_basis"] == "game" and summary["paced"] is False
    assert _scripted(paced=True).summary(30.0)["time_basis"] == "wall-clock"


def test_lives_follow_the_outcome_library() -> None:
    trace = _scripted(paced=True)
    lives = trace.lives()
    assert [(seg["start"], seg["end"], seg["complete"]) for seg in lives] == [
        (0, 10, False), (11, 30, True), (31, 39, False)]
    complete = lives[1]
    assert complete["kills"] == 1  # the kill at 12
    alive_ticks = sum(1 for t in range(11, 31) if not (11 <= t <= 14 or t == 30))
    assert complete["lifetime_s"] == pytest.approx(alive_ticks / 16.0)
    stats = trace.life_stats()
    ref = episode_lives(np.array(trace.kills) > 0, np.array(trace.deaths) > 0,
                        np.array(trace.fire, float), np.array(trace.alive) > 0)
    assert np.array_equal(stats.lifetime, ref.lifetime)
    assert trace.metrics(30.0)["lifetime_s"] == pytest.approx(alive_ticks / 16.0)


def test_lateness_statistics_and_budget_flag() -> None:
    trace = _scripted(paced=True)
    m = trace.metrics(30.0)
    assert m["lateness/max_ms"] == pytest.approx(5.0)
    assert m["lateness/p50_ms"] == pytest.approx(1.0)
    assert trace.summary(30.0)["lateness"]["over_budget"] is True  # p99 > 2 ms


def test_no_pose_no_health_and_no_kills() -> None:
    trace = RunTrace(paced=True)
    for _ in range(8):
        trace.add(_action(True), _info(health=None, pose=None), 0.0)
    m = trace.metrics(1.0)
    assert m["shots_per_kill"] is None and m["lifetime_s"] is None
    summary = trace.summary(1.0)
    assert summary["track"]["x"] is None and summary["track"]["alive"] == "-" * 8
    x, _ = trace.positions()
    assert np.isnan(x).all()


def test_an_episode_boundary_splits_lives() -> None:
    trace = RunTrace(paced=False)
    for t in range(20):
        if t == 10:
            trace.new_episode()
        trace.add(_action(False), _info(d=int(t in (2, 8, 12, 18))), 0.0)
    assert trace.episode_starts == [0, 10]
    assert [s["complete"] for s in trace.lives()].count(True) == 2  # 2..8 and 12..18


def test_budget_rules() -> None:
    assert Budget(steps=240).step_limit(paced=True, fps=16) == 240
    assert Budget(minutes=0.5).step_limit(paced=False, fps=16) == 480
    assert Budget(minutes=0.5).step_limit(paced=True, fps=16) is None
    assert Budget().unlimited
    for bad in ({"steps": 0}, {"minutes": -1.0}, {"steps": 5, "minutes": 1.0},
                {"minutes": math.inf}):
        with pytest.raises(UsageError, match="positive budget"):
            Budget(**bad)  # type: ignore[arg-type]
