"""Damaged recordings give errors naming file and frame; interrupted writes leave no file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.pearce.validate import validate_recording
from csgo_env.datasets.pearce.write import write_recording
from csgo_env.errors import DatasetNotFound, RecordingCorrupt


def test_truncated_file_names_the_file(small_file: Path) -> None:
    size = small_file.stat().st_size
    with open(small_file, "r+b") as fh:
        fh.truncate(size // 2)
    with pytest.raises(RecordingCorrupt) as info:
        Recording(small_file)
    assert str(small_file) in str(info.value) and info.value.path == str(small_file)
    report = validate_recording(small_file, expected_frames=60)
    assert not report.ok and str(small_file) in report.problems[0]


def test_not_hdf5_and_missing_file(tmp_path: Path) -> None:
    junk = tmp_path / "hdf5_dm_july2021_3.hdf5"
    junk.write_bytes(b"\x89HDF but not really" * 100)
    with pytest.raises(RecordingCorrupt, match="not a readable HDF5 file"):
        Recording(junk)
    with pytest.raises(DatasetNotFound):
        Recording(tmp_path / "absent.hdf5")
    empty = tmp_path / "empty.hdf5"
    h5py.File(empty, "w").close()
    with pytest.raises(RecordingCorrupt, match="no frames"):
        Recording(empty)


def test_missing_dataset_names_file_and_frame(full_file: Path, tmp_path: Path) -> None:
    path = Path(shutil.copy(full_file, tmp_path / full_file.name))
    with h5py.File(path, "r+") as f:
        del f["frame_537_y"]
    with Recording(path) as rec:
        assert rec.num_frames == 1000
        rec.actions(0, 537)  # frames before the gap read fine
        with pytest.raises(RecordingCorrupt) as info:
            rec.actions(500, 600)
    assert info.value.frame == 537 and "frame_537_y" in str(info.value)
    assert str(path) in str(info.value)
    report = validate_recording(path)
    assert not report.ok
    assert report.problems == ["frame 537: missing frame_537_y"]


def test_two_mouse_bins_names_the_frame(small_file: Path) -> None:
    with h5py.File(small_file, "r+") as f:
        y = f["frame_12_y"][()]
        y[13 + (int(np.argmax(y[13:36])) + 1) % 23] = 1.0  # a second mouse_x bin
        f["frame_12_y"][...] = y
        f["frame_30_helperarr"][...] = np.array([0.5, 0.0])
    with Recording(small_file) as rec:
        rec.actions(0, 12)
        with pytest.raises(RecordingCorrupt) as info:
            rec.actions(5, 20)
    assert info.value.frame == 12 and "frame 12" in str(info.value)
    report = validate_recording(small_file, expected_frames=60)
    assert not report.ok
    assert report.problems == [
        "frame 12: frame_12_y mouse_x block has 2 bins set, expected exactly 1",
        "frame 30: frame_30_helperarr is [0.5, 0.0], expected 0/1 flags"]


def test_structure_problems_are_all_listed(small_file: Path) -> None:
    with h5py.File(small_file, "r+") as f:
        del f["frame_5_x"]
        f.create_dataset("frame_5_x", data=np.zeros((150, 280, 4), np.uint8))
        f.create_dataset("frame_60_x", data=np.zeros((150, 280, 3), np.uint8))
        f.create_dataset("notes", data=np.zeros(3))
        del f["frame_7_xaux"]
        f.create_dataset("frame_7_xaux", data=np.zeros(54, np.float32))
    with Recording(small_file) as rec, pytest.raises(RecordingCorrupt) as info:
        rec.frames(0, 10)
    assert info.value.frame == 5 and "wrong shape" in str(info.value)
    problems = validate_recording(small_file, expected_frames=60).problems
    assert any(p.startswith("frame 5:") and "(150, 280, 4)" in p for p in problems)
    assert any(p.startswith("frame 7:") and "float32" in p for p in problems)
    assert any("extra dataset frame_60_x" in p for p in problems)
    assert any("unexpected key 'notes'" in p for p in problems)


def test_wrong_frame_count_is_a_problem(small_file: Path) -> None:
    report = validate_recording(small_file)  # expects 1000
    assert not report.ok and report.num_frames == 60
    assert report.problems == ["holds 60 contiguous frames, expected 1000",
                               "frame 60: frames 60..999 are missing (no datasets)"]


def test_error_inside_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           small_arrays) -> None:
    a = small_arrays
    calls = {"n": 0}
    real = h5py.Group.create_dataset

    def failing(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 50:
            raise OSError("disk full (simulated)")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", failing)
    target = tmp_path / "hdf5_dm_july2021_expert_1.hdf5"
    with pytest.raises(OSError, match="simulated"):
        write_recording(target, a.frames, a.action_vectors, a.xaux, a.helper)
    assert calls["n"] == 50
    assert sorted(p.name for p in tmp_path.iterdir()) == []


CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    from csgo_env.actions import NOOP
    from csgo_env.datasets.pearce.write import write_recording
    frames = np.full((1000, 150, 280, 3), 7, np.uint8)
    write_recording(sys.argv[1], frames, np.tile(NOOP.to_vector(), (1000, 1)))
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_killed_writer_leaves_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "hdf5_dm_july2021_expert_2.hdf5"
    target.write_bytes(b"previous content")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(target)])
    deadline = time.monotonic() + 60
    partial = []
    while time.monotonic() < deadline and child.poll() is None:
        partial = [p for p in tmp_path.glob(".*.tmp") if p.stat().st_size > 5_000_000]
        if partial:
            break
        time.sleep(0.01)
    assert partial, "the writer never got under way"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == b"previous content"
    assert [p.name for p in tmp_path.glob("*.hdf5")] == [target.name]


def test_long_problem_lists_are_capped(small_file: Path) -> None:
    with h5py.File(small_file, "r+") as f:
        for i in range(60):
            f[f"frame_{i}_y"][13:51] = 0.0  # both mouse blocks empty: 2 problems per frame
    problems = validate_recording(small_file, expected_frames=60).problems
    assert len(problems) == 41 and problems[-1] == "... and 80 more"
    assert problems[0] == "frame 0: frame_0_y mouse_x block has 0 bins set, expected exactly 1"
