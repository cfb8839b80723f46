"""Fixtures of the baseline tests: SYNTHETIC task datasets converted once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from learn_tasks import write_task


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    """Tests run on one torch thread (the machine is shared; numbers stay comparable)."""
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def mouse_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Minari root with the SYNTHETIC mouse-in-frame task, recordings 1-3."""
    return write_task("mouse_in_frame", tmp_path_factory.mktemp("mouse_task"), [1, 2, 3])


@pytest.fixture(scope="session")
def kill_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Minari root with the SYNTHETIC kill-or-not task, recordings 1-3."""
    return write_task("kill_or_not", tmp_path_factory.mktemp("kill_task"), [1, 2, 3])


def tiny_config(algo: str, root: Path, out: Path, *, steps: int, seed: int = 0,
                model: dict | None = None, algo_params: dict | None = None,
                data: dict | None = None, train: dict | None = None) -> dict:
    """A raw config mapping for a small CPU run on a task root."""
    return {"algo": algo, "seed": seed,
            "data": {"dataset": ["csgo/dust2-expert-train-v0"], "root": str(root),
                     "seq_len": 8, "batch_size": 4, "val_fraction": 0.0, **(data or {})},
            "model": {"encoder": "impala-tiny", **(model or {})},
            "train": {"steps": steps, "out_dir": str(out), "log_every": 25,
                      "checkpoint_every": 10_000, "device": "cpu", "progress": False,
                      **(train or {})},
            algo: {"lr": 2e-3, **(algo_params or {})}}
