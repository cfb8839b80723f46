"""A real bot demo through the whole pipeline: poses at 16 Hz, inferred actions, offline
frames, public-layout files, quality rows and a Minari dataset (the package's shared 20 s
demo, conftest.py; rendering its 320 frames at 1024x768 takes ~15 s), and the inferred
mouse replayed into a client of our own."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import DEG_PER_COUNT, MOUSE_X_BINS, MOUSE_Y_BINS
from csgo_env.datasets.openarena.build import BuiltDemo, build_demo, to_minari
from tests.datasets.openarena.record_demo import RecordedDemo, openarena_missing

pytestmark = pytest.mark.skipif(openarena_missing() is not None,
                                reason=openarena_missing() or "")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, recorded_demo: RecordedDemo) -> BuiltDemo:
    pytest.importorskip("q3huff2", reason="reading demos needs csgo-env[openarena]")
    pytest.importorskip("cv2", reason="reading the rendered video needs OpenCV")
    folder = tmp_path_factory.mktemp("oa_build")
    return build_demo(_with_a_respawn(recorded_demo), folder / "out", 5)


def _with_a_respawn(rec: RecordedDemo) -> Path:
    """The first followed bot's demo in which it dies and respawns (the respawn check
    needs one), else bot 0's."""
    from csgo_env.datasets.openarena.poses import read_poses

    for demo in rec.demos:
        dead = [p.dead for p in read_poses(demo).poses if p.following]
        if any(a and not b for a, b in itertools.pairwise(dead)):
            return demo
    return rec.demo


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
        assert change[r - 1] > 2.5 * still + 1.0, (r, change[r - 5:r + 3])


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


REPLAY_STEPS = 96
MIN_REPLAY_STEPS = 40


def _steady_stretch(built: BuiltDemo) -> slice:
    """The longest run (at most :data:`REPLAY_STEPS`) of frames where the bot is alive and
    its actions were inferred (not skipped)."""
    a = built.actions
    ok = ~a.skipped & ~a.dead
    ok[0] = False  # frame 0 has no change
    best, run = slice(0, 0), 0
    for i, good in enumerate(ok):
        run = run + 1 if good else 0
        if run > best.stop - best.start:
            best = slice(i - run + 1, i + 1)
        if run == REPLAY_STEPS:
            break
    if best.stop - best.start < MIN_REPLAY_STEPS:
        pytest.skip(f"no {MIN_REPLAY_STEPS} live frames in a row in this demo")
    return best


def test_inferred_mouse_replayed_into_a_client_reproduces_the_yaw_track(
        built: BuiltDemo, xvfb_display: str) -> None:
    """Replay the inferred mouse bins of a stretch of the demo into our own client (no bots,
    so nothing kills it) and compare the client's yaw, read from its memory, with the bot's
    recorded yaw: the client turns by exactly the bins sent (the input path), and the
    recorded track is reproduced to within each step's quantisation (the inference)."""
    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env ids

    part = _steady_stretch(built)
    factored = built.actions.factored()[part]
    recorded = built.actions.mouse[part, 0]  # counts, unquantised: the bot's own turn
    sent = MOUSE_X_BINS[factored[:, 13]]
    gaps = np.diff(MOUSE_X_BINS)
    half_gap = np.maximum(np.r_[gaps[0], gaps][factored[:, 13]],
                          np.r_[gaps, gaps[-1]][factored[:, 13]]) / 2.0
    in_range = np.abs(recorded) <= MOUSE_X_BINS[-1]  # beyond: clipped to the last bin
    assert (np.abs(sent - recorded)[in_range] <= half_gap[in_range] + 1e-6).all()  # the quantiser
    replay = np.zeros_like(factored)
    replay[:, 13:] = factored[:, 13:]  # the view only: our player is elsewhere on the map
    replay[:, 13 + 1] = np.where(np.abs(np.cumsum(MOUSE_Y_BINS[factored[:, 14]])) < 800,
                                 factored[:, 14], 7)  # never into the pitch clamp
    env = gym.make("OpenArena-Deathmatch-v0", openarena_bots=0, startup_timeout_s=120.0)
    try:
        _, info = env.reset(seed=0)
        for _ in range(3):
            _, _, _, _, info = env.step(np.r_[np.zeros(13, np.int64), 11, 7])
        start = info["pose"].yaw_deg
        yaw = []
        for action in replay:
            _, _, _, _, info = env.step(action)
            yaw.append(info["pose"].yaw_deg)
        for _ in range(3):  # the last move shows at the client's next frame
            _, _, _, _, info = env.step(np.r_[np.zeros(13, np.int64), 11, 7])
            yaw.append(info["pose"].yaw_deg)
    finally:
        env.close()
    wrap = lambda d: (np.asarray(d) + 180.0) % 360.0 - 180.0  # noqa: E731
    # Unwrapped clockwise turn since the start, in counts (+right), after each step.
    turned = -np.cumsum(wrap(np.diff(np.r_[start, yaw]))) / DEG_PER_COUNT
    client, total_client = turned[:len(replay)], float(turned[-1])
    # The input path: the client turned by the bins sent, overall and step by step (a
    # move may show one step late: the pose is read before the client's next frame).
    assert total_client == pytest.approx(sent.sum(), abs=0.1 / DEG_PER_COUNT)
    predicted = np.cumsum(sent)
    lagged = np.r_[0.0, predicted[:-1]]
    slack = 0.1 / DEG_PER_COUNT
    inside = ((client >= np.minimum(predicted, lagged) - slack)
              & (client <= np.maximum(predicted, lagged) + slack))
    assert inside.mean() >= 0.95, inside.mean()
    # The inference: in degrees, the client's turn is the bot's recorded turn (its
    # clockwise yaw in the demo) plus exactly the quantisation error of the bins sent so
    # far, sum(sent - recorded) counts (a mouse scale in the inference other than the
    # client's would leave a drift growing with the turn), at every step to within the
    # one-step lag above, and at the end to within 0.1 degrees.
    bot = np.degrees(np.cumsum(wrap_rad(np.diff(built.actions.columns.xy_rad[
        part.start - 1:part.stop]))))
    quantised = bot + np.cumsum(sent - recorded) * DEG_PER_COUNT
    client_deg = client * DEG_PER_COUNT
    lag = np.abs(sent) * DEG_PER_COUNT + 0.1
    assert (np.abs(client_deg - quantised) <= lag).mean() >= 0.95
    assert abs(total_client * DEG_PER_COUNT - quantised[-1]) <= 0.1
    # ... and each step's error is within its bin's half-width (above, for turns inside
    # the bins' range; a faster turn is clipped, and its error counted exactly above): the
    # track is reproduced within the quantisation.
    assert np.median(np.abs(sent - recorded)) <= np.median(half_gap)


def wrap_rad(d: np.ndarray) -> np.ndarray:
    """Angle differences wrapped into [-pi, pi)."""
    return (np.asarray(d) + np.pi) % (2 * np.pi) - np.pi
