"""``csgo-env doctor --game arena``: the doctor's checks pass on a free-running arena."""

from __future__ import annotations

from pathlib import Path

import pytest

from csgo_env.game.doctor.runner import DoctorOptions, run_doctor
from csgo_env.game.profiles import ARENA
from csgo_env.standin.game_process import ReplayProcess
from csgo_env.standin.memory_image import write_replay_offsets
from tests.support import standin as rs

pytestmark = pytest.mark.xvfb


def test_healthy_arena_passes(xvfb_display: str, tmp_path: Path) -> None:
    port = rs.free_port()
    offsets = write_replay_offsets(tmp_path / "offsets.json")
    # No opponents: nobody kills the player while the doctor turns the view.
    game = ReplayProcess([], input_log=tmp_path / "input.jsonl",
                         gsi_url=f"http://127.0.0.1:{port}/", token="tok", offsets=offsets,
                         control="free", title=ARENA.window_titles[0],
                         extra_args=["--mode", "arena", "--opponents", "0"])
    game.start()
    try:
        report = run_doctor(DoctorOptions(game="arena", gsi_port=port, gsi_token="tok",
                                          offsets_path=offsets, gsi_timeout_s=2.0,
                                          loop_ticks=16))
    finally:
        game.stop()
    statuses = {r.name: r.status for r in report.results}
    assert statuses.pop("loop_timing") in ("ok", "warn"), report.format()
    assert statuses == {"process": "ok", "window": "ok", "window_size": "ok",
                        "gsi_cfg": "skipped", "gsi_posts": "ok", "offsets": "ok",
                        "mouse_turn": "ok", "guardian": "ok"}, report.format()
    assert "-5.50 deg" in report.result("mouse_turn").detail
