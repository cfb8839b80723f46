"""d3rlpy interop: joint-action vocabulary, nearest mapping, coverage, and (where d3rlpy is
installed, in its own environment) DiscreteCQL / DiscreteBC trained from the same data."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from csgo_env.baselines.config import from_dict
from csgo_env.baselines.d3rlpy_interop import (
    action_distance,
    export_arrays,
    joint_vocabulary,
    map_to_vocabulary,
    run_d3rlpy,
)
from csgo_env.errors import TrainConfigError
from tests.support.baselines import tiny_config


def _act(**heads: int) -> np.ndarray:
    a = np.zeros(15, dtype=np.int64)
    a[13], a[14] = 11, 7
    for k, v in heads.items():
        a[int(k[1:])] = v
    return a


def test_vocabulary_keeps_the_most_frequent_and_maps_to_the_nearest() -> None:
    common, second, rare = _act(), _act(h0=1), _act(h0=1, h11=1, h13=12)
    actions = np.stack([common] * 5 + [second] * 3 + [rare])
    vocab = joint_vocabulary(actions, 2)
    assert vocab.tolist() == [common.tolist(), second.tolist()]
    index, dist = map_to_vocabulary(actions, vocab)
    assert index.tolist() == [0] * 5 + [1] * 4
    assert dist.tolist() == [0] * 8 + [2]  # fire differs (1) + one mouse_x bin (1)
    assert int(action_distance(_act(h13=0), _act(h13=22))) == 22


def test_export_reports_coverage_on_a_dataset(kill_task: Path, tmp_path: Path) -> None:
    cfg = from_dict(tiny_config("cql", kill_task, tmp_path / "r", steps=1))
    arrays, vocab, report = export_arrays(cfg, vocab_size=64, max_episodes=2)
    assert arrays["observations"].shape == (2 * 999, 3, 60, 112)
    assert arrays["observations"].dtype == np.uint8
    assert arrays["actions"].max() < len(vocab) == 64 and arrays["timeouts"].sum() == 2
    assert report.steps == 1998 and 0 < report.coverage < 1 and report.max_distance >= 1
    np.testing.assert_allclose(arrays["rewards"].sum(), 1.0 * 998 - 0.02 * 1998, atol=60)


def test_unknown_d3rlpy_algorithm_is_refused(kill_task: Path, tmp_path: Path) -> None:
    cfg = from_dict(tiny_config("cql", kill_task, tmp_path / "r", steps=1))
    with pytest.raises(TrainConfigError, match="d3rlpy:DiscreteCQL"):
        run_d3rlpy(cfg, "d3rlpy:IQL")


@pytest.mark.parametrize("name", ["DiscreteCQL", "DiscreteBC"])
def test_d3rlpy_trains_on_the_exported_subset(kill_task: Path, tmp_path: Path,
                                               name: str) -> None:
    pytest.importorskip("d3rlpy", reason="d3rlpy lives in its own environment (gymnasium 1.0)")
    raw = tiny_config("cql", kill_task, tmp_path / "r", steps=3,
                      data={"seq_len": 4, "batch_size": 2})
    assert run_d3rlpy(from_dict(raw), f"d3rlpy:{name}", vocab_size=32, max_episodes=1) == 0
    out = tmp_path / "r"
    assert (out / f"d3rlpy_{name}.d3").is_file() and np.load(out / "vocabulary.npy").shape[1] == 15
    report = json.loads((out / "d3rlpy_report.json").read_text())
    assert report["vocabulary"]["size"] == 32 and report["algo"] == f"d3rlpy:{name}"
    assert report["synthetic"] is True
