"""The trainer: resume continues the same run, seeded validation hold-out, run-folder files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
import torch

from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.config import from_dict
from csgo_env.baselines.data import EpisodeSequences, open_sequences, split_episodes
from csgo_env.baselines.trainer import train
from tests.support.baselines import tiny_config

CASES = {
    "bc-gru-augment": ("bc", {"frame_stack": 2, "core": "gru", "core_size": 16,
                              "augment": True}, {}),
    "cql-augment": ("cql", {"augment": True}, {"tau": 0.5}),
    "iql": ("iql", {}, {}),
}


def _cfg(algo: str, root: Path, out: Path, steps: int, model: dict, params: dict) -> dict:
    return tiny_config(algo, root, out, steps=steps, model=model, algo_params=params,
                       data={"seq_len": 4, "batch_size": 2, "val_fraction": 0.34,
                             "val_sequences": 2},
                       train={"checkpoint_every": 3, "val_every": 3, "log_every": 1,
                              "deterministic": True, "threads": 1, "burn_in": 1})


@pytest.mark.parametrize("case", sorted(CASES))
def test_resume_gives_the_losses_of_the_uninterrupted_run(kill_task: Path, tmp_path: Path,
                                                          case: str) -> None:
    algo, model, params = CASES[case]
    whole = train(from_dict(_cfg(algo, kill_task, tmp_path / "whole", 8, model, params)))
    first = train(from_dict(_cfg(algo, kill_task, tmp_path / "split", 3, model, params)))
    raw = _cfg(algo, kill_task, tmp_path / "split", 8, model, params)
    raw["train"]["resume"] = True
    rest = train(from_dict(raw))
    assert len(whole.losses) == 8 and rest.start_step == 3 and len(rest.losses) == 5
    assert first.losses == whole.losses[:3]
    assert rest.losses == whole.losses[3:]  # exact: same batches, draws and weights
    a = ck.load_checkpoint(tmp_path / "whole" / "last.pt")["state"]["nets"]
    b = ck.load_checkpoint(tmp_path / "split" / "last.pt")["state"]["nets"]
    for net in a:
        for key in a[net]:
            assert torch.equal(a[net][key], b[net][key]), (net, key)
    with (tmp_path / "split" / "metrics.csv").open() as fh:
        steps = [int(r["step"]) for r in csv.DictReader(fh) if r.get("train/loss")]
    assert steps == list(range(1, 9))


def test_validation_files_are_held_out_by_a_seeded_rule(kill_task: Path) -> None:
    names = [f"hdf5_dm_july2021_expert_{n}.hdf5" for n in range(1, 400) if n % 10]
    train_a, val_a = split_episodes(names, 0.1, 0)
    assert split_episodes(names, 0.1, 0) == (train_a, val_a)
    assert 0.06 < len(val_a) / len(names) < 0.14 and not set(train_a) & set(val_a)
    # a file's side does not depend on the other files
    sub = [names[i] for i in range(0, len(names), 3)]
    _, val_sub = split_episodes(sub, 0.1, 0)
    assert {sub[i] for i in val_sub} == {names[i] for i in val_a} & set(sub)
    assert split_episodes(names, 0.1, 1)[1] != val_a
    # the training stream never yields a held-out episode
    cfg = from_dict(tiny_config("bc", kill_task, Path("unused"), steps=1,
                                data={"val_fraction": 0.34}))
    base = open_sequences(cfg.data, 1)
    tr, va = split_episodes([Path(e.source).name for e in base.episodes], 0.34, 0)
    assert len(va) == 1 and len(tr) == 2
    stream = EpisodeSequences(base, tr, seed=0)
    seen = {stream.locate(i)[0] for i in range(500)}
    assert seen == set(tr)


def test_run_folder_holds_config_logs_checkpoints_and_policy(kill_task: Path,
                                                             tmp_path: Path) -> None:
    raw = _cfg("cql", kill_task, tmp_path / "run", 6, {}, {})
    result = train(from_dict(raw))
    out = tmp_path / "run"
    assert "SYNTHETIC" in (out / "config.yaml").read_text()
    last = ck.load_checkpoint(out / "last.pt")
    assert last["algo"] == "cql" and last["step"] == 6 and last["synthetic"] is True
    assert last["config"]["cql"]["gamma"] == 0.99 and last["commit"] != ""
    assert {"nets", "targets", "optimizer"} <= set(last["state"])
    assert {"torch", "numpy", "python"} <= set(last["rng"])
    best = ck.load_checkpoint(out / "best.pt")
    assert best["step"] in (3, 6) and result.best is not None
    assert (out / "policy.pt2").is_file() and result.policy == out / "policy.pt2"
    with (out / "metrics.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    train_rows = [r for r in rows if r["train/loss"]]
    assert [int(r["step"]) for r in train_rows] == list(range(1, 7))
    assert all(float(r["samples_per_s"]) > 0 for r in train_rows)
    assert all(0 <= float(r["data_wait_fraction"]) < 1 for r in train_rows)
    assert all(r["synthetic"] == "1" for r in rows)
    val_rows = [r for r in rows if r["val/loss"]]
    assert [int(r["step"]) for r in val_rows] == [3, 6]
    assert np.isfinite([float(r["val/nll"]) for r in val_rows]).all()
