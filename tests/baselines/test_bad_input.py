"""Bad input is refused before any training step, with a message naming the fix; a run
killed with SIGKILL resumes from ``last.pt``."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.config import from_dict, load_config
from csgo_env.baselines.trainer import train
from csgo_env.errors import CheckpointError, DatasetError, DatasetNotFound, TrainConfigError
from tests.support.baselines import tiny_config

REPO = Path(__file__).resolve().parents[2]


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.glob("*")}


def _refused(raw: dict, error: type[Exception], *words: str) -> str:
    """Train ``raw`` and check it fails with ``error`` before a single step, leaving the
    run folder as it was."""
    out = Path(raw["train"]["out_dir"])
    before = _files(out)
    steps: list[int] = []
    with pytest.raises(error) as info:
        train(from_dict(raw), on_step=lambda step, _: steps.append(step))
    message = str(info.value)
    assert steps == [] and "Fix:" in message
    for word in words:
        assert word in message, message
    assert _files(out) == before
    return message


def test_unknown_config_keys_name_the_close_match(kill_task: Path, tmp_path: Path) -> None:
    raw = tiny_config("bc", kill_task, tmp_path / "r", steps=2)
    raw["model"]["frame_stak"] = 2
    with pytest.raises(TrainConfigError, match=r"did you mean model\.frame_stack"):
        from_dict(raw)
    raw = tiny_config("cql", kill_task, tmp_path / "r", steps=2, algo_params={"gama": 0.9})
    with pytest.raises(TrainConfigError, match=r"did you mean cql\.gamma"):
        from_dict(raw)
    raw = tiny_config("bc", kill_task, tmp_path / "r", steps=2)
    raw["trian"] = {}
    with pytest.raises(TrainConfigError, match="did you mean train"):
        from_dict(raw)
    raw = tiny_config("bc", kill_task, tmp_path / "r", steps=2, data={"seq_len": "long"})
    with pytest.raises(TrainConfigError, match="wrong type"):
        from_dict(raw)
    with pytest.raises(TrainConfigError, match="unknown algorithm"):
        from_dict({**raw, "algo": "ppo"})


def test_cli_reports_a_bad_key_and_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "csgo_env.cli", "train", "--config",
                           str(REPO / "baselines/bc/synthetic-tiny.yaml"), "--set",
                           "train.stpes=3", "--out-dir", str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=120, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 2
    assert "unknown config key train.stpes" in proc.stderr and "train.steps" in proc.stderr
    assert not (tmp_path / "r").exists()


def test_dataset_ids_that_are_unknown_missing_or_test(kill_task: Path, tmp_path: Path) -> None:
    raw = tiny_config("bc", kill_task, tmp_path / "r", steps=2,
                      data={"dataset": ["csgo/dust2-expertt-train-v0"]})
    _refused(raw, DatasetNotFound, "did you mean 'csgo/dust2-expert-train-v0'")
    raw["data"]["dataset"] = ["csgo/aim-expert-train-v0"]
    _refused(raw, DatasetNotFound, "not converted", "csgo-env convert")
    raw["data"]["dataset"] = ["csgo/dust2-expert-test-v0"]
    _refused(raw, DatasetError, "test split", "csgo/dust2-expert-train-v0")


def test_empty_dataset(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    raw = tiny_config("bc", tmp_path, tmp_path / "r", steps=2, data={"dataset": [str(empty)]})
    _refused(raw, DatasetError, "empty")


def test_checkpoints_of_another_algorithm_or_action_space(kill_task: Path,
                                                          tmp_path: Path) -> None:
    bc_run = tmp_path / "bc"
    train(from_dict(tiny_config("bc", kill_task, bc_run, steps=2)))
    raw = tiny_config("cql", kill_task, tmp_path / "cql", steps=2,
                      train={"init_from": str(bc_run / "last.pt")})
    _refused(raw, CheckpointError, "another algorithm", "algo: bc")
    resume = tiny_config("cql", kill_task, bc_run, steps=4, train={"resume": True})
    _refused(resume, CheckpointError, "another algorithm")
    again = tiny_config("bc", kill_task, bc_run, steps=4)
    _refused(again, TrainConfigError, "already holds a run", "--resume")
    other = tiny_config("bc", kill_task, bc_run, steps=4, model={"frame_stack": 3},
                        train={"resume": True})
    _refused(other, CheckpointError, "network differs")
    ckpt = torch.load(bc_run / "last.pt", weights_only=True)
    ckpt["action_nvec"] = [2] * 13 + [21, 15]
    foreign = tmp_path / "foreign.pt"
    torch.save(ckpt, foreign)
    raw = tiny_config("bc", kill_task, tmp_path / "bc2", steps=2,
                      train={"init_from": str(foreign)})
    _refused(raw, CheckpointError, "another action space")
    foreign.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="cannot read the checkpoint"):
        ck.load_checkpoint(foreign)


def test_a_killed_run_resumes_from_last(kill_task: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "csgo_env.cli", "train", "--config",
           str(REPO / "baselines/bc/synthetic-tiny.yaml"), "--out-dir", str(out),
           "--set", f"data.root={kill_task}", "--set", "train.steps=400",
           "--set", "train.checkpoint_every=2", "--set", "train.val_every=1000"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:
            last = out / "last.pt"
            if last.is_file() and ck.load_checkpoint(last)["step"] >= 6:
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        else:
            pytest.fail("no checkpoint at step >= 6 in time")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    killed_at = ck.load_checkpoint(out / "last.pt")["step"]  # complete: atomic writes
    assert 6 <= killed_at < 400
    cfg = load_config(REPO / "baselines/bc/synthetic-tiny.yaml",
                      [f"data.root={kill_task}", f"train.out_dir={out}", "train.steps=12",
                       "train.checkpoint_every=2", "train.resume=true"])
    if killed_at >= 12:
        cfg.train.steps = killed_at + 4
    result = train(cfg)
    assert result.start_step == killed_at and result.steps == cfg.train.steps
    assert ck.load_checkpoint(out / "last.pt")["step"] == cfg.train.steps
    with (out / "metrics.csv").open() as fh:
        steps = [int(r["step"]) for r in csv.DictReader(fh) if r.get("train/loss")]
    assert steps == sorted(set(steps)) and steps[-1] == cfg.train.steps
