"""Resampling a pose stream to 16 Hz frames and the OpenArena inference settings."""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.datasets.openarena.catalog import TEST_ID, TRAIN_ID, get_info, split_of_recording
from csgo_env.datasets.openarena.game_constants import OPENARENA
from csgo_env.datasets.openarena.pose_frames import curr_vars, frame_times, to_frames
from csgo_env.datasets.openarena.poses import DemoPose, Obituary
from csgo_env.datasets.pearce.infer_actions import infer_actions
from csgo_env.errors import DatasetError, DatasetNotFound, RecordingCorrupt


def pose(t: int, x: float, yaw: float, *, dead: bool = False, vx: float = 0.0) -> DemoPose:
    return DemoPose(server_time=t, client_num=0, origin=(x, 0.0, 0.0), pitch=0.0, yaw=yaw,
                    velocity=(vx, 0.0, 0.0), pm_type=3 if dead else 0, dead=dead,
                    health=0 if dead else 100, weapon=2, following=True, ammo=50)


def test_frame_times_stop_before_the_last_snapshot() -> None:
    assert len(frame_times(0, 8000)) == 128  # as rendered: 8.0 s -> 128 frames
    assert len(frame_times(1000, 31150)) == 483
    assert frame_times(0, 250).tolist() == [0.0, 62.5, 125.0, 187.5]


def test_positions_interpolate_and_yaw_takes_the_short_way() -> None:
    poses = [pose(50 * k, 10.0 * k, 170.0 + 5.0 * k) for k in range(6)]  # yaw wraps at 180
    frames = to_frames(poses)
    assert frames.origin[1, 0] == pytest.approx(12.5)  # 62.5 ms
    assert frames.yaw[1] == pytest.approx(176.25)
    assert frames.yaw[3] == pytest.approx(-171.25)  # 188.75 wrapped, not through 0
    assert not frames.jump.any() and not frames.dead.any()


def test_respawn_jumps_are_held_and_marked() -> None:
    poses = [pose(0, 0, 0), pose(50, 0, 0, dead=True), pose(100, 0, 0, dead=True),
             pose(150, 900.0, 90.0), pose(200, 905.0, 90.0), pose(250, 910.0, 90.0)]
    frames = to_frames(poses)
    # frame times 0, 62.5, 125, 187.5: 125 lies between a dead and a live snapshot
    assert frames.jump.tolist() == [False, True, True, False]
    assert frames.origin[2, 0] == 0.0 and frames.yaw[2] == 0.0  # held, not 600 units
    assert frames.dead.tolist() == [False, True, True, False]
    assert frames.origin[3, 0] == pytest.approx(903.75)


def test_too_short_or_unordered_demos_are_refused() -> None:
    with pytest.raises(RecordingCorrupt):
        to_frames([pose(0, 0, 0)])
    with pytest.raises(RecordingCorrupt):
        to_frames([pose(50, 0, 0), pose(0, 0, 0)])


def test_inference_runs_with_openarena_constants() -> None:
    # Running straight along +x facing +x at 320 u/s: forward key, no shift.
    poses = [pose(50 * k, 16.0 * k, 0.0, vx=320.0) for k in range(40)]
    frames = to_frames(poses)
    meta = curr_vars(frames, [Obituary(1000, 3, 0, 2)], 0)
    assert meta[-1]["gsi_kills"] == 1 and meta[0]["gsi_kills"] == 0
    actions = infer_actions(meta, settings=OPENARENA.inference_settings())
    assert actions.keys[1:, 0].all() and not actions.keys[:, 1:4].any()
    assert not actions.keys[:, 6].any()  # shift: 320 is running, not walking
    s = OPENARENA.inference_settings()
    assert s.steady_dv == pytest.approx(60.0) and s.yaw_rad_per_count == pytest.approx(
        np.radians(0.022 * 2.5))


def test_split_rule_and_ids() -> None:
    assert [split_of_recording(r) for r in (1, 4, 5, 10)] == [TRAIN_ID, TRAIN_ID, TEST_ID,
                                                               TEST_ID]
    with pytest.raises(DatasetError):
        split_of_recording(0)
    with pytest.raises(DatasetNotFound):
        get_info("openarena/dm1-bots-val-v0")
    assert get_info(TEST_ID).card.endswith("openarena-dm1-bots-test-v0.md")
