"""Synthetic sample recordings: deterministic, plausible, structured, labelled synthetic."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, MOUSE_X_BINS, MOUSE_Y_BINS, NOOP
from csgo_env.datasets.pearce.families import FAMILIES, get_family
from csgo_env.datasets.pearce.metadata import load_metadata
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.synthetic.frames import PX_PER_DEG
from csgo_env.datasets.synthetic.recordings import (
    SYNTHETIC_MARKER,
    SYNTHETIC_README,
    episode_arrays,
    generate_episode,
    generate_recording,
    is_synthetic,
    write_synthetic_recordings,
)
from csgo_env.datasets.synthetic.simulation import DEG_PER_COUNT, simulate

K = {name: i for i, name in enumerate(KEY_NAMES)}


@pytest.fixture(scope="module")
def episode():
    return generate_episode(3, num_frames=400)


def test_same_seed_same_arrays_other_seed_differs() -> None:
    a, b = generate_recording(11, num_frames=40), generate_recording(11, num_frames=40)
    c = generate_recording(12, num_frames=40)
    seq = np.random.SeedSequence([11, 2])
    np.testing.assert_array_equal(generate_recording(seq, num_frames=5).frames,
                                  generate_recording(seq, num_frames=5).frames)
    for name in ("frames", "action_vectors", "xaux", "helper"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.frames, c.frames)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_action_streams_follow_the_conventions(family: str) -> None:
    rates, deaths = [], []
    for seed in range(3):
        ep = simulate(np.random.default_rng(seed), 1000, get_family(family))
        act, helper = ep.actions, ep.helper
        np.testing.assert_array_equal(act[0], NOOP.to_multidiscrete())
        np.testing.assert_array_equal(helper[0], [0, 0])
        assert not np.any(helper.sum(axis=1) == 2)  # never both on one tick
        assert not np.any(act[:, K["w"]] & act[:, K["s"]])
        assert not np.any(act[:, K["a"]] & act[:, K["d"]])
        dead = ~ep.alive
        assert dead.any() and np.all(act[dead] == NOOP.to_multidiscrete())
        assert np.all(ep.health[dead] == 0)
        rates.append(helper[:, 0].sum() / 10)
        deaths.append(helper[:, 1].sum())
        still = act[ep.alive, 13] == 11
        assert 0.2 < still.mean() < 0.8  # mouse mostly near zero, not always
        assert np.any(np.abs(MOUSE_X_BINS[act[:, 13]]) >= 200)  # and some flicks
        assert 0.3 < act[ep.alive, K["w"]].mean() < 0.8  # w held in runs
        assert act[:, 11].any() and act[:, K["r"]].any()  # fire and reload
    assert 0.5 <= np.mean(rates) <= 3.5  # kills per 100 ticks
    assert all(1 <= d <= 3 for d in deaths)  # a death every 300-500 ticks


def test_xaux_describes_the_three_previous_frames(episode) -> None:
    arrays = episode_arrays(episode)
    y, xaux, act = arrays.action_vectors, arrays.xaux, episode.actions
    for i in (0, 1, 2, 3, 150, 399):
        for j in range(3):
            block = xaux[i, 18 * j:18 * (j + 1)]
            prev = i - 1 - j
            if prev < 0:
                assert not block.any()
                continue
            np.testing.assert_array_equal(block[:13], y[prev, :13])
            assert block[13] == MOUSE_X_BINS[act[prev, 13]] / 1000
            assert block[14] == MOUSE_Y_BINS[act[prev, 14]] / 200
            assert block[15] == episode.xaux_health[prev] / 100
            assert block[16] == episode.xaux_ammo[prev] / 30
            assert block[17] == episode.team_ct


def test_scene_turns_with_the_mouse(episode) -> None:
    frames = episode_arrays(episode).frames.astype(np.int16)
    visible = np.isfinite(episode.view.enemy_az)
    checked = 0
    for i in range(1, 399):
        shift = episode.mouse[i, 0] * DEG_PER_COUNT * PX_PER_DEG  # columns the scene slides
        calm = episode.alive[i] and episode.alive[i + 1] and not visible[i:i + 2].any()
        if not calm or not 4 <= abs(shift) <= 40 or abs(episode.mouse[i, 1]) > 2:
            continue
        band0, band1 = frames[i, 84:97, 50:230], frames[i + 1, 84:97, 50:230]
        errors = {s: np.abs(band1[:, 40:140] - band0[:, 40 + s:140 + s]).mean()
                  for s in range(-40, 41)}
        assert abs(min(errors, key=errors.get) - shift) <= 1.5, (i, shift)
        checked += 1
    assert checked >= 5


def test_enemy_is_drawn_before_each_kill_and_hud_shows_health(episode) -> None:
    frames = episode_arrays(episode).frames
    body = np.array((200, 170, 60) if episode.team_ct == 1 else (60, 90, 190), np.uint8)
    enemy_pixels = np.all(frames == body, axis=-1).sum(axis=(1, 2))
    kills = np.flatnonzero(episode.helper[:, 0])
    assert len(kills) >= 2
    for k in kills:
        assert enemy_pixels[k - 1] > 10, k
    quiet = ~np.isfinite(episode.view.enemy_az)
    assert np.all(enemy_pixels[quiet] == 0)
    red = np.all(frames[:, 143, 5:65] == (220, 60, 50), axis=-1).sum(axis=1)
    np.testing.assert_array_equal(red, np.round(episode.health * 0.6))
    neighbour = np.abs(np.diff(frames[:, :130].astype(np.int16), axis=2)).mean()
    assert neighbour < 10  # structured pictures, not noise


def test_write_synthetic_recordings_names_and_labels(tmp_path: Path) -> None:
    fam = get_family("aim-expert")
    paths = write_synthetic_recordings(tmp_path, family="aim-expert", files=3, seed=5,
                                    first_number=99, num_frames=6)
    assert [p.name for p in paths] == [fam.file_name(n) for n in (99, 100, 101)]
    assert {p.name for p in tmp_path.glob("currvarsv2_*")} == {
        "currvarsv2_aim_july2021_expert_99_to_100.npy",
        "currvarsv2_aim_july2021_expert_101_to_101.npy"}
    meta = load_metadata(tmp_path / "currvarsv2_aim_july2021_expert_99_to_100.npy")
    assert sorted({k.split("_frame_")[0] for k in meta}) == ["file_num100", "file_num99"]
    assert all(validate_recording(p, expected_frames=6).ok for p in paths)
    marker = json.loads((tmp_path / SYNTHETIC_MARKER).read_text())
    assert marker["synthetic"] is True and marker["family"] == "aim-expert"
    assert "SYNTHETIC DATA" in (tmp_path / SYNTHETIC_README).read_text()
    assert all(is_synthetic(p) for p in paths)
    write_synthetic_recordings(tmp_path, family="aim-expert", files=1, seed=5, first_number=7,
                            with_metadata=False, num_frames=6)
    assert len(json.loads((tmp_path / SYNTHETIC_MARKER).read_text())["files"]) == 4
    stranger = tmp_path / "hdf5_aim_july2021_expert_50.hdf5"
    stranger.write_bytes(b"")
    assert not is_synthetic(stranger)
    assert not is_synthetic(tmp_path / "elsewhere" / "x.hdf5")


def test_file_content_does_not_depend_on_the_batch(tmp_path: Path) -> None:
    one = write_synthetic_recordings(tmp_path / "a", files=2, seed=9, num_frames=5,
                                  with_metadata=False)[1]
    alone = write_synthetic_recordings(tmp_path / "b", files=1, seed=9, first_number=2,
                                    num_frames=5, with_metadata=False)[0]
    assert one.name == alone.name and one.read_bytes() == alone.read_bytes()


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="num_frames"):
        generate_recording(0, num_frames=0)
    with pytest.raises(Exception, match="unknown family"):
        generate_recording(0, family="dust3")
