"""The replay game process on its own: screen geometry, control channel, GSI, memory, input."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from csgo_env.datasets.pearce.reader import Recording
from csgo_env.errors import ArgumentError, GameError
from csgo_env.game.gsi.receiver import GSIReceiver
from csgo_env.game.input.backends import get_input_backend
from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import PoseReader
from csgo_env.game.memory.readers import open_process
from csgo_env.game.profiles import REPLAY
from csgo_env.standin.game_process import ReplayProcess
from csgo_env.standin.memory_image import write_replay_offsets
from csgo_env.standin.screen import ReplayScreen, exact_index_maps
from csgo_env.standin.window import read_log
from tests.support import standin as rs


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.synthetic_recording(tmp_path_factory)


@pytest.mark.parametrize("crop_w", [561, 600, 824, 1023])
@pytest.mark.parametrize("crop_h", [301, 498, 767])
def test_upscale_then_inter_linear_is_exact(crop_w: int, crop_h: int) -> None:
    frame = np.random.default_rng(crop_w * crop_h).integers(0, 256, (150, 280, 3), np.uint8)
    screen = ReplayScreen((1024, 768), (0, 0, crop_w, crop_h))
    screen.show(3, frame)
    crop = np.ascontiguousarray(screen.canvas[:crop_h, :crop_w])
    back = cv2.resize(crop, (280, 150), interpolation=cv2.INTER_LINEAR)
    np.testing.assert_array_equal(back, frame)
    assert screen.frame_at(0.0)[0] == 3


def test_default_geometry_matches_nearest_exact_and_rejects_small_crops() -> None:
    rows, cols = exact_index_maps((824, 498))
    frame = np.random.default_rng(0).integers(0, 256, (150, 280, 3), np.uint8)
    up = cv2.resize(frame, (824, 498), interpolation=cv2.INTER_NEAREST_EXACT)
    np.testing.assert_array_equal(frame[rows][:, cols], up)
    with pytest.raises(ArgumentError, match="pixel-exact"):
        exact_index_maps((560, 498))


def _start(recording: Path, tmp_path: Path, receiver: GSIReceiver | None, **kw: object
           ) -> ReplayProcess:
    offsets = write_replay_offsets(tmp_path / "offsets.json")
    proc = ReplayProcess([recording], input_log=tmp_path / "input.jsonl",
                         gsi_url=None if receiver is None else receiver.url,
                         token="secret-token", offsets=offsets, **kw)  # type: ignore[arg-type]
    proc.start()
    return proc


@pytest.mark.xvfb
def test_stdio_protocol_gsi_memory_and_input(xvfb_display: str, recording: Path,
                                             tmp_path: Path) -> None:
    start = rs.DEATH_FRAME - 2
    with Recording(recording) as rec:
        flags = rec.helper(start, start + 4)
    with GSIReceiver(port=0, token="secret-token") as receiver:
        game = _start(recording, tmp_path, receiver, start_frame=start)
        try:
            assert game.ready is not None and game.ready["frames"] == 1000
            assert game.ready["first"]["frame"] == start
            memory = open_process(game.pid)
            reader = PoseReader(memory, load_offsets(tmp_path / "offsets.json"), REPLAY)
            replies = [game.next() for _ in range(3)]
            assert [r["frame"] for r in replies] == [start + 1, start + 2, start + 3]
            assert [r["death"] for r in replies] == [int(f) for f in flags[1:4, 1]]
            assert [r["health"] for r in replies] == [100, 0, 100]  # death, then respawn
            assert all(r["gsi_status"] == 200 for r in replies)
            payload = receiver.latest
            assert payload is not None
            assert payload["provider"]["steamid"] == payload["player"]["steamid"]
            assert payload["auth"] == {"token": "secret-token"}
            assert payload["player"]["match_stats"]["deaths"] == 1
            assert payload["provider"]["replay_frame"] == start + 3
            assert receiver.tracker.totals.deaths == 1 and receiver.tracker.totals.respawns == 1

            reset = game.reset(10)
            assert reset["frame"] == 10 and reset["kill"] == reset["death"] == 0
            assert reader.read().yaw_deg == 0.0
            backend = get_input_backend("x11", profile=REPLAY)
            try:  # fire held drains the clip; the mouse turns the view; r reloads
                backend.button_down("left")
                backend.move_relative(200, -40)
                backend.flush()
                time.sleep(0.1)
                shown = [game.next() for _ in range(3)]
                pose = reader.read()
                assert [s["ammo"] for s in shown] == [29, 28, 27]
                assert pose.clip_ammo == 27 and pose.health == 100
                backend.button_up("left")
                backend.key_down("r")
                backend.key_up("r")
                backend.flush()
                time.sleep(0.1)
                assert game.next()["ammo"] == 30
            finally:
                backend.close()
            recorded = [rs.Action.from_multidiscrete(a) for a in
                        Recording(recording).actions(10, 14)]
            rec_dx = sum(a.mouse_dx for a in recorded)
            rec_dy = sum(a.mouse_dy for a in recorded)
            pose = reader.read()
            assert pose.yaw_deg == pytest.approx(((-(200 + rec_dx) * 0.055) + 180) % 360 - 180,
                                                 abs=1e-3)
            assert pose.pitch_deg == pytest.approx(np.clip((rec_dy - 40) * 0.055, -89, 89),
                                                   abs=1e-3)
            memory.close()
        finally:
            assert game.stop() == 0
    log = read_log(tmp_path / "input.jsonl")
    assert log[0]["type"] == "ready" and log[-1]["type"] == "quit"
    assert [r["dx"] for r in log if r["type"] == "motion"] == [200]


@pytest.mark.xvfb
def test_free_mode_runs_by_itself_and_quits(xvfb_display: str, recording: Path,
                                            tmp_path: Path) -> None:
    with GSIReceiver(port=0, token="secret-token") as receiver:
        game = _start(recording, tmp_path, receiver, control="free")
        try:
            receiver.wait_for_payload(5.0)
            first = receiver.latest["provider"]["replay_frame"]
            time.sleep(0.5)
            later = receiver.latest["provider"]["replay_frame"]
            assert 4 <= later - first <= 12  # ~16 frames/s
        finally:
            t = time.monotonic()
            assert game.stop() == 0
            assert time.monotonic() - t < 3.0  # it obeyed quit, no escalation


@pytest.mark.xvfb
def test_end_of_input_ends_the_game(xvfb_display: str, recording: Path, tmp_path: Path) -> None:
    game = _start(recording, tmp_path, None)
    assert game.next()["gsi_status"] is None  # no receiver configured: nothing posted
    assert game.proc is not None and game.proc.stdin is not None
    game.proc.stdin.close()  # as when the env process dies
    assert game.proc.wait(timeout=5) == 0


@pytest.mark.xvfb
def test_start_failure_says_why(xvfb_display: str, tmp_path: Path) -> None:
    bad = tmp_path / "missing.hdf5"
    with pytest.raises(GameError, match="does not exist"):
        ReplayProcess([bad], input_log=tmp_path / "log.jsonl").start(timeout_s=10)
