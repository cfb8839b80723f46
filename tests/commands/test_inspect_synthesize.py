"""`csgo-env synthesize` and `csgo-env inspect` end to end in subprocesses; imports stay light."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np

HEAVY = ("torch", "mss", "cv2", "minari", "Xlib", "win32api", "win32con", "win32gui",
         "pywintypes")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csgo_env.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_synthesize_then_inspect(tmp_path: Path) -> None:
    out = tmp_path / "recordings"
    made = cli("synthesize", str(out), "--family", "nuke-expert", "--files", "2", "--seed", "4",
               "--frames", "40")
    assert made.returncode == 0, made.stderr
    names = ["hdf5_dm_nuke_expert_1.hdf5", "hdf5_dm_nuke_expert_2.hdf5"]
    assert [Path(line).name for line in made.stdout.splitlines()[:2]] == names
    assert "synthetic" in made.stdout
    assert (out / "SYNTHETIC").is_file()
    assert (out / "currvarsv2_dm_nuke_expert_1_to_2.npy").is_file()

    shown = cli("inspect", str(out), "--expected-frames", "40", "--json")
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    assert report["summary"] == {"files": 2, "valid": 2, "invalid": 0, "synthetic": 2}
    first = report["files"][0]
    assert Path(first["path"]).name == names[0] and first["family"] == "nuke-expert"
    assert first["frames"] == 40 and first["valid"] and first["synthetic"]
    with h5py.File(out / names[0], "r") as f:
        y = np.stack([f[f"frame_{i}_y"][()] for i in range(40)])
        helper = np.stack([f[f"frame_{i}_helperarr"][()] for i in range(40)])
    stats = first["stats"]
    assert stats["press_rate"]["w"] == y[:, 0].mean() and stats["fire_rate"] == y[:, 11].mean()
    assert stats["kills"] == helper[:, 0].sum() and stats["deaths"] == helper[:, 1].sum()
    assert stats["mouse_x"]["histogram"] == y[:, 13:36].sum(0).astype(int).tolist()

    text = cli("inspect", str(out / names[1]), "--expected-frames", "40")
    assert text.returncode == 0
    assert "[nuke-expert #2, synthetic]" in text.stdout and "press rates: w " in text.stdout


def test_inspect_reports_invalid_files_with_exit_status_1(tmp_path: Path) -> None:
    out = tmp_path / "r"
    # the old command name still works (hidden alias for one release)
    assert cli("sample", str(out), "--files", "1", "--frames", "30",
               "--no-metadata").returncode == 0
    path = out / "hdf5_dm_july2021_expert_1.hdf5"
    with h5py.File(path, "r+") as f:
        f["frame_12_y"][36:51] = 0.0  # no mouse_y bin
    shown = cli("inspect", str(path), "--expected-frames", "30")
    assert shown.returncode == 1
    assert "INVALID" in shown.stdout
    assert "frame 12: frame_12_y mouse_y block has 0 bins set" in shown.stdout
    assert "malformed actions 1" in shown.stdout
    assert cli("inspect", str(path)).returncode == 1  # expects 1000 frames
    missing = cli("inspect", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_import_stays_light() -> None:
    code = ("import sys, csgo_env, csgo_env.datasets.pearce.reader, "
            "csgo_env.datasets.pearce.metadata, csgo_env.datasets.synthetic.recordings, "
            "csgo_env.commands.inspect_cmd, "
            "csgo_env.commands.synthesize_cmd, csgo_env.cli\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
