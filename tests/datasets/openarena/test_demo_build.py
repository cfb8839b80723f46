"""A real bot demo through the whole pipeline: poses at 16 Hz, inferred actions, offline
frames, public-layout files, quality rows and a Minari dataset (~80 s: recording 20 s of
play plus rendering 320 frames at 1024x768)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from csgo_env.datasets.openarena.build import BuiltDemo, build_demo, to_minari
from tests.datasets.openarena.record_demo import openarena_missing, record

pytestmark = pytest.mark.skipif(openarena_missing() is not None,
                                reason=openarena_missing() or "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltDemo:
    pytest.importorskip("q3huff2", reason="reading demos needs csgo-env[openarena]")
    pytest.importorskip("cv2", reason="reading the rendered video needs OpenCV")
    folder = tmp_path_factory.mktemp("oa_build")
    rec = record(folder / "rec", seconds=20.0)
    return build_demo(rec.demo, folder / "out", 5)


def test_movement_keys_follow_the_velocity(built: BuiltDemo) -> None:
    # Independently of the rules' clockwise conventions: the velocity in the bot's own
    # frame (yaw counter-clockwise from +x) against the direction the keys push.
    a = built.actions
    c = a.columns
    meta_yaw = np.radians(np.array([-v if v < 0 else 360 - v for v in
                                    np.degrees(c.xy_rad)]))  # back to counter-clockwise
    prev = np.r_[meta_yaw[0], meta_yaw[:-1]]
    vx, vy = c.vel[:, 0], c.vel[:, 1]
    forward = vx * np.cos(prev) + vy * np.sin(prev)
    right = vx * np.sin(prev) - vy * np.cos(prev)
    k = a.keys[:, :4].astype(int)  # w, a, s, d
    push_right, push_forward = k[:, 3] - k[:, 1], k[:, 0] - k[:, 2]
    off = np.abs((np.arctan2(right, forward) - np.arctan2(push_right, push_forward)
                  + np.pi) % (2 * np.pi) - np.pi)
    agree = ((push_right != 0) | (push_forward != 0)) & (off <= np.pi / 4 + 1e-9)
    moving = ~a.skipped & (c.vel_mag > 50.0)
    assert moving.sum() >= 100
    assert agree[moving].mean() >= 0.9, agree[moving].mean()


def test_frames_and_poses_line_up_at_respawns(built: BuiltDemo) -> None:
    dead = built.actions.columns.gsi_health == 0
    respawns = [i for i in range(1, len(dead)) if dead[i - 1] and not dead[i]]
    if not respawns:
        pytest.skip("the followed bot did not die and respawn in these 20 s")
    x = built.frames.astype(np.float32)
    change = np.abs(np.diff(x, axis=0)).mean(axis=(1, 2, 3))  # change[j]: frame j -> j+1
    # The death view is nearly still; the respawn cuts to a new place. The cut must land
    # on frame r itself: no jump into the frames before it, a jump into frame r (a frame
    # late would leave change[r - 1] as still as the death view; a frame early would jump
    # into r - 1). After the cut the bot moves, so later frames may change as much.
    for r in respawns:
        if r < 5:
            continue
        still = float(change[r - 5:r - 1].max())  # into frames r-4 .. r-1
        assert change[r - 1] > 4.0 * still + 1.0, (r, change[r - 5:r + 3])


def test_files_are_public_layout_and_load_in_minari(built: BuiltDemo, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.pearce.validate import validate_recording

    for path in built.files:
        with Recording(path) as rec:
            n = rec.num_frames
        report = validate_recording(path, expected_frames=n)
        assert report.ok, report
    assert all(q.ok for q in built.quality), [q.to_dict() for q in built.quality]
    to_minari(built.files, "openarena/dm1-bots-test-v0", tmp_path)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    minari = pytest.importorskip("minari")
    ds = minari.load_dataset("openarena/dm1-bots-test-v0")
    episode = next(ds.iterate_episodes())
    assert episode.observations.shape == (built.frames.shape[0], 150, 280, 3)
    assert np.array_equal(episode.observations[10], built.frames[10])
    assert os.path.exists(built.metadata)
