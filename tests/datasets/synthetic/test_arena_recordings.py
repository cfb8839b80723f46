"""Arena demonstrations in the public layout: valid, labelled, closed loop, learnable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from csgo_env.actions import MOUSE_X_BINS, Action, multidiscrete_to_vectors
from csgo_env.datasets.minari.export import build_episode
from csgo_env.datasets.pearce.metadata import load_npy
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.synthetic.arena_recordings import write_arena_recordings
from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER, is_synthetic
from csgo_env.standin.arena_local import LocalArena
from csgo_env.standin.arena_render import BODY, WIDTH
from csgo_env.standin.arena_world import ArenaConfig

FRAMES = 240


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("arena_demos")
    write_arena_recordings(out, files=2, seed=5, num_frames=FRAMES)
    return out


def _read(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames RGB (n, 150, 280, 3), factored actions (n, 15), helper (n, 2)."""
    with Recording(path) as rec:
        return rec.frames(0, FRAMES), rec.actions(0, FRAMES), rec.helper(0, FRAMES)


def test_files_are_valid_public_layout_and_labelled_synthetic(folder: Path) -> None:
    files = sorted(folder.glob("hdf5_aim_july2021_expert_*.hdf5"))
    assert [f.name for f in files] == ["hdf5_aim_july2021_expert_1.hdf5",
                                       "hdf5_aim_july2021_expert_2.hdf5"]
    for path in files:
        report = validate_recording(path, expected_frames=FRAMES)
        assert report.ok, report
        assert is_synthetic(path)
    marker = json.loads((folder / SYNTHETIC_MARKER).read_text())
    assert marker["synthetic"] is True and marker["source"] == "arena"
    assert "SYNTHETIC DATA" in (folder / "SYNTHETIC_README.txt").read_text()
    frames = [_read(p)[0] for p in files]
    assert not np.array_equal(frames[0], frames[1])  # one world per file


def test_frames_are_what_the_recorded_actions_make_of_the_world(folder: Path) -> None:
    path = folder / "hdf5_aim_july2021_expert_1.hdf5"
    frames, actions, helper = _read(path)
    meta = load_npy(folder / "currvarsv2_aim_july2021_expert_1_to_2.npy").item()
    seed = meta["file_num1_frame_0"][0]["arena_seed"]
    twin = LocalArena(ArenaConfig(seed=seed))
    np.testing.assert_array_equal(frames[0], twin.observe())
    for i, row in enumerate(actions[:-1]):
        result = twin.step(Action.from_multidiscrete(row))
        np.testing.assert_array_equal(frames[i + 1], twin.observe(), err_msg=f"frame {i + 1}")
        assert tuple(helper[i + 1]) == (result.kill, result.death)
        cv = meta[f"file_num1_frame_{i + 1}"][0]
        snap = twin.snapshot()
        assert (cv["localpos1"], cv["localpos2"]) == pytest.approx(snap.position[:2])
        assert cv["viewangle_xy"] == pytest.approx(snap.yaw_deg) and cv["synthetic"] is True
    assert helper[:, 0].sum() >= 3  # the expert kills within 15 s


def test_demonstrations_fire_on_opponents_and_convert_to_episodes(folder: Path) -> None:
    """Frame i is seen before action i, whose turn comes before its shot: at every shot an
    opponent is on screen, on the side the shot's own turn goes to."""
    frames, actions, helper = _read(folder / "hdf5_aim_july2021_expert_1.hdf5")
    fire = np.flatnonzero(actions[:, 11] == 1)
    assert len(fire) >= 3
    sides = []
    for i in fire:
        columns = np.flatnonzero((frames[i] == BODY).all(axis=-1).any(axis=0))
        assert len(columns), f"shot at frame {i} with no opponent on screen"
        offset = columns.mean() + 0.5 - WIDTH / 2  # + right of the crosshair
        turn = MOUSE_X_BINS[actions[i, 13]]  # + turns right
        if abs(turn) >= 10 and abs(offset) > 2:
            sides.append(np.sign(turn) == np.sign(offset))
    assert len(sides) >= 3 and np.mean(sides) > 0.9
    episode = build_episode(frames, multidiscrete_to_vectors(actions), helper)
    kills, deaths = helper[1:, 0].sum(), helper[1:, 1].sum()
    shots = (actions[:-1, 11] == 1).sum()
    assert np.asarray(episode.rewards).sum() == pytest.approx(kills - 0.5 * deaths - 0.02 * shots)
