"""The recorder's status line and its warnings; ``csgo-env record`` refusing bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from csgo_env.game.memory.pose import Pose
from csgo_env.recording.status import RecordStatus

POSE = Pose((1.0, 2.0, 3.0), (0.0, 0.0, 0.0), 0.0, 0.0, 100, 90.0, 30)


def _tick(status: RecordStatus, now: float, **kw: object) -> None:
    args: dict = {"lateness_s": 0.0004, "gsi_age_s": 0.05, "pose": POSE, "pose_error": None,
                  "alive": True, "kills": 2, "deaths": 1, "file_number": 3,
                  "frame_in_file": 17, "written": 2, "now": now}
    args.update(kw)
    status.update(**args)


def test_status_line_and_stale_warnings() -> None:
    status = RecordStatus(frames_per_file=1000, gsi_stale_s=15.0, memory_stale_s=2.0)
    for k in range(33):
        _tick(status, 100.0 + k / 16, pose=POSE if k % 2 else None, pose_error="x")
    line = status.line()
    assert "file 3: 17/1000" in line and "16.0 Hz" in line and "late p99  0.40 ms" in line
    assert "kills 2 deaths 1" in line and "written 2" in line and "STALE" not in line
    _tick(status, 103.0, gsi_age_s=16.0, pose=None, pose_error="OffsetsOutdated: stale")
    _tick(status, 103.1, gsi_age_s=16.1, pose=None, pose_error="OffsetsOutdated: stale")
    assert "GSI STALE (16 s old)" in status.line()
    assert "MEMORY STALE (OffsetsOutdated: stale)" not in status.line()  # 1.1 s only
    _tick(status, 105.2, gsi_age_s=None, pose=None, pose_error="OffsetsOutdated: stale")
    assert "GSI STALE (no payload)" in status.line()
    assert "MEMORY STALE (OffsetsOutdated: stale)" in status.line()
    frozen = RecordStatus(frames_per_file=1000, memory_stale_s=2.0)
    for k in range(40):  # the same pose bit for bit while alive: a frozen reading
        _tick(frozen, 200.0 + k / 16)
    assert "MEMORY STALE (unchanged for 2 s)" in frozen.line()
    _tick(frozen, 202.6, alive=False)
    assert "MEMORY" not in frozen.line()  # a dead player's pose may well stand still
    _tick(frozen, 202.7, writer_problem="file 4: OSError: disk full")
    assert "WRITER: file 4: OSError: disk full" in frozen.line()


def test_record_refuses_bad_input_before_starting(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "csgo_env.cli", "record", *args],
                              capture_output=True, text=True, timeout=120)

    bad = run("--game", "replay", "--out", str(tmp_path), "--files", "0")
    assert bad.returncode == 2 and "nothing to record" in bad.stderr
    bad = run("--game", "replay", "--out", str(tmp_path), "--mode", "spectate",
              "--policy", "random")
    assert bad.returncode == 2 and "policy can only drive own play" in bad.stderr
    bad = run("--game", "replay", "--out", str(tmp_path), "--keys", "sent")
    assert bad.returncode == 2 and "no policy" in bad.stderr
    bad = run("--game", "replay", "--out", str(tmp_path), "--recording",
              str(tmp_path / "missing.hdf5"))
    assert bad.returncode == 2 and "missing.hdf5" in bad.stderr
    bad = run("--game", "csgo", "--out", str(tmp_path), "--unpaced")
    assert bad.returncode == 2 and "paced" in bad.stderr
    assert not list(tmp_path.iterdir())
