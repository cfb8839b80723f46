"""``csgo-env demo`` end to end in a subprocess, on its own private Xvfb."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_demo_runs_every_stage(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    proc = subprocess.run(
        [sys.executable, "-m", "csgo_env.cli", "demo", "--work-dir", str(tmp_path / "demo"),
         "--files", "2", "--steps", "24"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "wrote 2 SYNTHETIC recordings" in out
    assert "2/2 files valid" in out
    assert "csgo/dust2-expert-test-v0: 1 episodes, 999 steps, identical to sources: True" in out
    assert "csgo/dust2-expert-train-v0: 1 episodes, 999 steps, identical to sources: True" in out
    assert "observations (4, 96, 150, 280, 3)" in out
    assert "24 steps" in out and "observation (150, 280, 3) uint8" in out
    assert "all stages passed" in out
    # a second run reuses everything and still passes
    again = subprocess.run(
        [sys.executable, "-m", "csgo_env.cli", "demo", "--work-dir", str(tmp_path / "demo"),
         "--files", "2", "--steps", "0"],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing 2 synthetic recordings" in again.stdout
    assert "2 already done" in again.stdout
