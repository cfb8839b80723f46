"""The live runner on OpenArena-Deathmatch-v0: a real game nobody here wrote, paced, with
kills and deaths from the server's log and the pose from the client's memory.

Skipped only when OpenArena is not installed (``bash scripts/setup_openarena.sh``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.evaluation.live_agents import AgentSpec
from csgo_env.evaluation.live_loop import Budget
from csgo_env.evaluation.live_runner import LiveEvaluation, run_live
from csgo_env.game.openarena.install import installed

pytestmark = [
    pytest.mark.xvfb, pytest.mark.slow,
    pytest.mark.skipif(not installed(), reason="OpenArena is not installed: run "
                       "bash scripts/setup_openarena.sh"),
]
QUICK_DEATHS = {"openarena_map": "am_lavaarena", "openarena_bots": 5,
                "openarena_bot_skill": 5.0,
                "openarena_server_args": ("+set", "g_instantgib", "1"),
                "startup_timeout_s": 120.0}


def test_two_wall_clock_runs_on_the_real_game(xvfb_display: str, tmp_path: Path) -> None:
    evaluation = LiveEvaluation(agents=[AgentSpec("random", ("random",))],
                                out=tmp_path / "live", budget=Budget(minutes=0.2), runs=2,
                                env_id="OpenArena-Deathmatch-v0", env_kwargs=QUICK_DEATHS)
    records = run_live(evaluation, say=lambda _: None)
    assert [r["seed"] for r in records] == [0, 1]
    for r in records:
        assert r["env"]["id"] == "OpenArena-Deathmatch-v0" and r["paced"] is True
        assert r["synthetic"] is False and r["time_basis"] == "wall-clock"
        assert 11.5 <= r["wall_s"] <= 13.5 and 170 <= r["steps"] <= 200  # 12 s at 16 Hz
        assert r["track"]["x"] is not None and len(r["track"]["x"]) == r["steps"]
        deaths = [e for e in r["events"] if e["kind"] in ("death", "suicide")]
        assert len(deaths) == r["metrics"]["counts/deaths"]
        assert all(e["position"] is not None for e in r["events"])
        assert r["lateness"]["p99_ms"] is not None
    assert sum(r["metrics"]["counts/deaths"] for r in records) >= 1  # instagib lava arena
