"""``csgo-env train`` end to end in a subprocess, and every shipped config parses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.config import load_config
from csgo_env.policy import ExportedPolicy

REPO = Path(__file__).resolve().parents[2]
CONFIGS = sorted((REPO / "baselines").glob("*/*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(REPO / "baselines")))
def test_shipped_configs_parse(path: Path) -> None:
    cfg = load_config(path)
    # baselines/<algo>/<dataset>.yaml, one per table cell; baselines/quick/<algo>.yaml and
    # baselines/openarena/<algo>.yaml are the cells of the quick (synthetic) and the
    # OpenArena benchmarks.
    folder = path.parent.name
    assert folder == cfg.algo or (folder in ("quick", "openarena") and path.stem == cfg.algo)
    assert all("-test-" not in d for d in cfg.data.dataset)


def test_train_the_tiny_synthetic_config(kill_task: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-m", "csgo_env.cli", "train", "--config",
                           str(REPO / "baselines/bc/synthetic-tiny.yaml"), "--out-dir", str(out),
                           "--set", f"data.root={kill_task}"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "trained bc (SYNTHETIC data): steps 0..6" in proc.stdout
    assert ck.load_checkpoint(out / "last.pt")["step"] == 6
    policy = ExportedPolicy(out / "policy.pt2")
    assert policy.frame_stack == 2 and policy.state_size == 32 and policy.sampling == "authors"


def test_import_csgo_env_stays_free_of_torch() -> None:
    code = ("import sys, csgo_env, csgo_env.cli, csgo_env.policy; "
            "csgo_env.cli.build_parser(); print('torch' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)
    assert proc.stdout.strip() == "False", proc.stderr
