"""``csgo-env infer-actions``, ``quality`` and ``view`` on real files in the public layout.

Recordings come from the kinematic simulator (synthetic, marked so): unlabelled files as a
recorder writes them, with their ``currvarsv2`` metadata.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from csgo_env.cli import main
from csgo_env.datasets.pearce.infer_actions import infer_actions
from csgo_env.datasets.pearce.metadata import load_metadata, write_metadata
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.synthetic.kinematics_files import write_kinematic_recording
from csgo_env.datasets.synthetic.kinematics_play import random_play
from csgo_env.datasets.synthetic.recordings import is_synthetic

FRAMES = 200
REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's csgo_env in child processes
NAME = "hdf5_dm_kinematic_{}.hdf5"
META = "currvarsv2_dm_kinematic_{0}_to_{0}.npy"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two unlabelled 200-frame recordings (#1, #2) with metadata; #2 has 11 frames seen
    from the third person (a quality flag). Do not modify: copy it first."""
    out = tmp_path_factory.mktemp("recorded")
    for number in (1, 2):
        write_kinematic_recording(out, random_play(np.random.default_rng(number), FRAMES),
                                  number=number)
    meta = load_metadata(out / META.format(2))
    for j in range(50, 61):
        meta[f"file_num2_frame_{j}"][0]["obs_mode"] = 5
    write_metadata(out / META.format(2), meta)
    return out


@pytest.fixture
def work(recorded: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(recorded, tmp_path / "in"))


def cli(*args: object) -> int:
    return main([str(a) for a in args])


def test_infer_actions_writes_labelled_copies(work: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "csgo_env.cli", "infer-actions", str(work),
                           "--out", str(out)], capture_output=True, text=True, env=ENV,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "2 of 2 recordings labelled" in done.stdout
    for number in (1, 2):
        src, dst = work / NAME.format(number), out / NAME.format(number)
        curr_vars = [load_metadata(work / META.format(number))[f"file_num{number}_frame_{j}"][0]
                     for j in range(FRAMES)]
        expected = infer_actions(curr_vars)
        y, xaux, helper = expected.targets()
        with Recording(src) as a, Recording(dst) as b:
            np.testing.assert_array_equal(a.frames_bgr(), b.frames_bgr())
            np.testing.assert_array_equal(b.action_vectors(), y)
            np.testing.assert_array_equal(b.xaux(), xaux)
            np.testing.assert_array_equal(b.helper(), helper)
        assert validate_recording(dst, expected_frames=FRAMES).ok
        assert dst.stat().st_size == src.stat().st_size
        meta = load_metadata(out / META.format(number))
        assert meta[f"file_num{number}_frame_7"][1] == expected.infer_a()[7]
        assert is_synthetic(dst)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary files


def test_metadata_of_other_file_numbers_is_reported_and_not_used(work: Path,
                                                                 tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]
                                                                 ) -> None:
    (work / META.format(1)).unlink()
    shutil.copy(work / META.format(2), work / META.format(1))  # named for 1, holds file 2
    out = tmp_path / "out"
    assert cli("infer-actions", work, "--out", out) == 1
    text = capsys.readouterr().out
    assert f"{NAME.format(1)}: NOT inferred" in text and META.format(1) in text
    assert "holds no frames of file number 1" in text
    assert not (out / NAME.format(1)).exists() and (out / NAME.format(2)).exists()
    assert cli("infer-actions", work / NAME.format(1), "--metadata", work / META.format(1),
               "--out", tmp_path / "o2") == 1
    assert "none of the metadata files given" in capsys.readouterr().out
    assert cli("quality", work / NAME.format(1)) == 1  # not checked against the wrong file
    text = capsys.readouterr().out
    assert f"error: {work / NAME.format(1)}:" in text and META.format(1) in text
    assert "0 files" in text


def test_metadata_with_another_frame_count_is_reported(work: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    meta = load_metadata(work / META.format(1))
    for j in range(150, FRAMES):
        del meta[f"file_num1_frame_{j}"]
    write_metadata(work / META.format(1), meta)
    assert cli("infer-actions", work / NAME.format(1), "--out", tmp_path / "out") == 1
    text = capsys.readouterr().out
    assert "expected 200 frames (the recording's), got 150 frames" in text
    assert META.format(1) in text and not (tmp_path / "out" / NAME.format(1)).exists()


def test_in_place_needs_asking(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):  # neither --out nor --in-place
        cli("infer-actions", work)
    assert cli("infer-actions", work, "--out", work) == 2
    assert "would overwrite" in capsys.readouterr().err
    before = Recording(work / NAME.format(1)).read_all()
    assert cli("infer-actions", work / NAME.format(1), "--in-place") == 0
    with Recording(work / NAME.format(1)) as rec:
        after = rec.read_all()
    np.testing.assert_array_equal(before.frames, after.frames)
    assert (after.actions()[:, :13].any(axis=1)).sum() > 50  # labelled now
    assert load_metadata(work / META.format(1))["file_num1_frame_5"][1] != [[], 0.0, 0.0, 0, 0]


def test_quality_reports_and_sets_flagged_files_aside(work: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("quality", work, "--json") == 1
    report = json.loads(capsys.readouterr().out)
    rows = {r["name"]: r for r in report["files"]}
    assert rows[NAME.format(1)]["ok"] and rows[NAME.format(1)]["synthetic"]
    assert rows[NAME.format(2)]["not_first_person"] == 11
    assert rows[NAME.format(2)]["flags"] == ["not_first_person"]
    aside = tmp_path / "aside"
    assert cli("quality", work, "--move-flagged", aside) == 1
    text = capsys.readouterr().out
    assert "not_first_person" in text and "(synthetic)" in text and "1 set aside" in text
    assert (aside / NAME.format(2)).is_file() and not (work / NAME.format(2)).exists()
    moved = load_metadata(aside / META.format(2))
    assert len(moved) == FRAMES and moved["file_num2_frame_55"][0]["obs_mode"] == 5
    assert not (work / META.format(2)).exists()  # held only file 2
    assert (work / NAME.format(1)).is_file() and (work / META.format(1)).is_file()
    assert is_synthetic(aside / NAME.format(2))
    assert cli("quality", aside / META.format(2)) == 1  # metadata files work as input
    assert "hdf5_dm_kinematic_2.hdf5" in capsys.readouterr().out


def test_quality_never_overwrites_in_the_destination(work: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    aside = tmp_path / "aside"
    aside.mkdir()
    (aside / NAME.format(2)).write_bytes(b"older file")
    assert cli("quality", work, "--move-flagged", aside) == 1
    assert "NOT moved" in capsys.readouterr().out
    assert (aside / NAME.format(2)).read_bytes() == b"older file"
    assert (work / NAME.format(2)).is_file() and (work / META.format(2)).is_file()


def test_view_renders_overlays_and_figures(work: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    gif = tmp_path / "clip.gif"
    done = subprocess.run([sys.executable, "-m", "csgo_env.cli", "view",
                           str(work / NAME.format(1)), "--frames", "10:30", "--out", str(gif)],
                          capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    with Image.open(gif) as im:
        assert im.n_frames == 20 and im.size == (560, 372)
    assert cli("view", work / NAME.format(1), "--frames", ":50", "--scale", "1",
               "--columns", "5", "--rows", "5", "--out", tmp_path / "s.png") == 0
    assert sorted(p.name for p in tmp_path.glob("s_*.png")) == ["s_000.png", "s_001.png"]
    assert cli("view", work, "--stats", "--out", tmp_path / "figs") == 0
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "actions.png", "trajectories.png", "weapons.png"]
    capsys.readouterr()
    assert cli("view", work / NAME.format(1), "--frames", "300:400", "--out",
               tmp_path / "x.mp4") == 2
    assert "--frames" in capsys.readouterr().err
    assert cli("view", work / NAME.format(1), "--out", tmp_path / "x.avi") == 2
    assert "unknown output format" in capsys.readouterr().err


def test_the_commands_import_nothing_heavy() -> None:
    code = ("import sys, csgo_env.cli, csgo_env.commands.view_cmd, "
            "csgo_env.commands.quality_cmd, csgo_env.commands.infer_actions_cmd, "
            "csgo_env.datasets.view.overlay, csgo_env.datasets.view.output, "
            "csgo_env.datasets.view.figures, csgo_env.datasets.pearce.infer_actions\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'cv2', 'matplotlib', 'PIL', 'torch', 'minari'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=ENV)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
