"""A checkpoint scored by the offline evaluation driver on a test split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from csgo_env.baselines.config import from_dict
from csgo_env.baselines.predict import checkpoint_predictor
from csgo_env.baselines.trainer import train
from csgo_env.evaluation.offline_eval import evaluate_offline
from tests.support.baselines import tiny_config, write_task


@pytest.fixture(scope="module")
def split_task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_task("mouse_in_frame", tmp_path_factory.mktemp("split"), [1, 2],
                      test_numbers=(10,))


def test_trained_bc_beats_the_references_offline(split_task: Path, tmp_path: Path) -> None:
    result = train(from_dict(tiny_config("bc", split_task, tmp_path / "bc", steps=120,
                                         model={"frame_stack": 2})))
    predict, k = checkpoint_predictor(result.out_dir / "last.pt")
    seq = {"observations": np.zeros((4, 2, 150, 280, 3), np.uint8)}
    probs = predict(seq)
    assert len(probs) == 4 and np.allclose(probs.mouse_x.sum(1), 1)
    torch.set_num_threads(1)
    report = evaluate_offline(predict, "csgo/dust2-expert-test-v0", root=split_task,
                              seq_len=50, frame_stack=k)
    assert report["synthetic"] and report["frames"] == 999 - 1
    model, marginal = report["model"], report["reference"]["marginal"]
    print(f"SYNTHETIC mouse-in-frame test split, BC 120 steps: NLL {model['nll_bits']:.2f} bits "
          f"(marginal {marginal['nll_bits']:.2f}), mouse_x top-1 {model['mouse_x_top1']:.3f} "
          f"(marginal {marginal['mouse_x_top1']:.3f})")
    assert model["nll_bits"] < marginal["nll_bits"]
    assert model["mouse_x_top1"] > 0.9 > marginal["mouse_x_top1"]
