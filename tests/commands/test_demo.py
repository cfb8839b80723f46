"""``csgo-env demo`` end to end in a subprocess, on its own private Xvfb, started as the
console script starts it from a folder that holds a decoy ``csgo_env`` package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import csgo_env

CONSOLE_SCRIPT = "import sys; del sys.path[0]; from csgo_env.cli import main; sys.exit(main())"
"""What the installed ``csgo-env`` script does: its own folder, not the current directory,
is first on ``sys.path``."""


def _demo(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(csgo_env.__file__).resolve().parents[1]),
                                         env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", CONSOLE_SCRIPT, "demo", *args],
                          capture_output=True, text=True, timeout=300, env=env, cwd=cwd)


def test_demo_runs_every_stage_from_a_folder_with_a_decoy(tmp_path: Path) -> None:
    cwd = tmp_path / "parent_of_a_clone"
    (cwd / "csgo_env").mkdir(parents=True)
    (cwd / "csgo_env" / "__init__.py").write_text("raise RuntimeError('decoy imported')\n")
    home = Path(os.environ["CSGO_ENV_HOME"])  # a fresh folder per test (conftest)
    proc = _demo("--files", "2", "--steps", "24", cwd=cwd)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "decoy" not in proc.stderr
    assert "wrote 2 SYNTHETIC recordings" in out
    assert "2/2 files valid" in out
    assert "csgo/dust2-expert-test-v0: 1 episodes, 999 steps, identical to sources: True" in out
    assert "csgo/dust2-expert-train-v0: 1 episodes, 999 steps, identical to sources: True" in out
    assert "observations (4, 96, 150, 280, 3)" in out
    assert "24 steps" in out and "observation (150, 280, 3) uint8" in out
    assert "all stages passed" in out
    # Everything under the data home, nothing in the current directory.
    work = (home / "demo").resolve()
    assert sorted(p.name for p in cwd.iterdir()) == ["csgo_env"]
    assert len(list((work / "recordings").glob("*.hdf5"))) == 2
    assert (work / "minari" / "csgo" / "dust2-expert-train-v0" / "data").is_dir()
    # The closing summary: what, where, how to load it, what next.
    summary = out[out.index("What the demo made"):]
    assert f"in {work}), all of it SYNTHETIC" in summary
    assert f"recordings (2 files, public layout): {work / 'recordings'}" in summary
    assert "csgo/dust2-expert-test-v0, csgo/dust2-expert-train-v0" in summary
    assert f"MINARI_DATASETS_PATH={work / 'minari'} {sys.executable} -c" in summary
    assert "minari.load_dataset('csgo/dust2-expert-test-v0')" in summary
    assert "Next steps:" in summary and "csgo-env convert" in summary
    assert f"rm -r {work}" in summary
    # a second run, given the folder, reuses everything and still passes
    again = _demo("--work-dir", str(work), "--files", "2", "--steps", "0", cwd=cwd)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reusing 2 synthetic recordings" in again.stdout
    assert "2 already done" in again.stdout
