"""d3rlpy interop: a dataset subset as an ``MDPDataset`` over a joint-action vocabulary.

d3rlpy's discrete algorithms take one integer action, and the joint space of
``MultiDiscrete([2]*13 + [23, 15])`` has 2,826,240 actions, so the subset's actions are
mapped onto a vocabulary: the K most frequent joint actions of the subset (ties broken by
the action's lexicographic order); any other action maps to the nearest entry under
``d(a, b) = sum over the 13 binary heads of [a_i != b_i] + |mouse_x bin difference| +
|mouse_y bin difference|`` (the first entry, i.e. the most frequent, on ties). The report
gives the vocabulary size, the share of steps whose action is in it exactly (coverage) and
the mean / max distance of the mapped ones.

Observations are area-resized to ``size`` (default 60 x 112, the default encoder's input)
and stored channel-first, uint8 (N, 3, h, w), as d3rlpy's pixel encoders expect; rewards
come from the config's reward spec; each episode ends in a timeout. Only train episodes
under the config's seeded hold-out rule are used, the first ``max_episodes`` of them.

d3rlpy pins gymnasium 1.0.0: install it in an environment of its own
(``pip install "csgo-env[d3rlpy]"``). Nothing here imports d3rlpy until it is needed.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from csgo_env._atomic import atomic_write_bytes, atomic_write_text
from csgo_env.actions import N_BINARY
from csgo_env.baselines.config import TrainConfig
from csgo_env.errors import TrainConfigError, explain

D3RLPY_ALGOS = ("DiscreteBC", "DiscreteCQL")


@dataclass
class VocabularyReport:
    """How well a joint-action vocabulary covers a dataset subset."""

    size: int
    steps: int
    coverage: float
    """share of steps whose action is in the vocabulary exactly"""
    mean_distance: float
    """mean distance of the steps mapped to another action (0 when none)"""
    max_distance: int
    episodes: int


def joint_vocabulary(actions: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` most frequent rows of int64 (N, 15) ``actions``: (min(k, unique), 15)."""
    unique, counts = np.unique(actions, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")  # unique rows are sorted: ties lexicographic
    return unique[order[:k]]


def action_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """d(a, b) of the module docstring, broadcast over leading axes: (..., 15) -> (...)."""
    binary = (a[..., :N_BINARY] != b[..., :N_BINARY]).sum(-1)
    return binary + np.abs(a[..., N_BINARY:] - b[..., N_BINARY:]).sum(-1)


def map_to_vocabulary(actions: np.ndarray, vocab: np.ndarray, chunk: int = 2048
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(index into ``vocab`` (N,) int64, distance (N,) int64) of the nearest entry."""
    unique, inverse = np.unique(actions, axis=0, return_inverse=True)
    index = np.empty(len(unique), dtype=np.int64)
    dist = np.empty(len(unique), dtype=np.int64)
    for lo in range(0, len(unique), chunk):
        d = action_distance(unique[lo:lo + chunk, None, :], vocab[None, :, :])
        index[lo:lo + chunk] = d.argmin(1)
        dist[lo:lo + chunk] = d.min(1)
    inverse = inverse.reshape(-1)
    return index[inverse], dist[inverse]


def export_arrays(cfg: TrainConfig, vocab_size: int = 1024, max_episodes: int = 20,
                  size: tuple[int, int] = (60, 112)) -> tuple[dict[str, np.ndarray],
                                                              np.ndarray, VocabularyReport]:
    """The subset as MDPDataset arrays (observations, actions, rewards, terminals, timeouts),
    the vocabulary (K, 15) and its report."""
    from csgo_env.baselines.data import open_sequences, split_episodes
    from csgo_env.datasets.sequence_store import SequenceReader
    from csgo_env.rewards import RewardSpec

    base = open_sequences(cfg.data, 1)
    train, _ = split_episodes([Path(r.source).name for r in base.episodes],
                              cfg.data.val_fraction, cfg.data.val_seed)
    refs = [base.episodes[i] for i in train[:max_episodes]]
    reward = RewardSpec.parse(cfg.data.reward)
    reader = SequenceReader()
    obs, acts, rews, timeouts = [], [], [], []
    for ref in refs:
        raw = reader.read(ref, 0, ref.steps)
        frames = torch.from_numpy(raw["observations"]).permute(0, 3, 1, 2).float()
        small = F.interpolate(frames, size=size, mode="area").round_().to(torch.uint8)
        obs.append(small.numpy())
        acts.append(raw["actions"])
        rews.append(reward(raw["kill"], raw["death"], raw["actions"][:, 11]).astype(np.float32))
        end = np.zeros(ref.steps, dtype=np.float32)
        end[-1] = 1.0
        timeouts.append(end)
    reader.close()
    actions = np.concatenate(acts)
    vocab = joint_vocabulary(actions, vocab_size)
    index, dist = map_to_vocabulary(actions, vocab)
    off = dist > 0
    report = VocabularyReport(len(vocab), len(actions), float(1.0 - off.mean()),
                              float(dist[off].mean()) if off.any() else 0.0,
                              int(dist.max()), len(refs))
    arrays = {"observations": np.concatenate(obs), "actions": index,
              "rewards": np.concatenate(rews), "terminals": np.zeros(len(actions), np.float32),
              "timeouts": np.concatenate(timeouts)}
    return arrays, vocab, report


def make_d3rlpy_algo(name: str, cfg: TrainConfig, device: str) -> Any:
    """d3rlpy's ``name`` algorithm with the config's learning rate, gamma and alpha and a
    batch of batch_size x seq_len transitions (as many samples as our step)."""
    from csgo_env._optional import require

    d3rlpy = require("d3rlpy", extra="d3rlpy", purpose="the d3rlpy interop")
    batch = cfg.data.batch_size * cfg.data.seq_len
    scaler = d3rlpy.preprocessing.PixelObservationScaler()
    params = asdict(cfg.algo_config)
    if name == "DiscreteCQL":
        return d3rlpy.algos.DiscreteCQLConfig(
            learning_rate=params["lr"], batch_size=batch, gamma=params.get("gamma", 0.99),
            alpha=params.get("alpha", 1.0), observation_scaler=scaler).create(device=device)
    return d3rlpy.algos.DiscreteBCConfig(learning_rate=params["lr"], batch_size=batch,
                                         observation_scaler=scaler).create(device=device)


def run_d3rlpy(cfg: TrainConfig, spec: str, vocab_size: int = 1024,
               max_episodes: int = 20) -> int:
    """``csgo-env train --algo d3rlpy:NAME``: export, train with d3rlpy, save the model,
    the vocabulary (``vocabulary.npy``) and the report (``d3rlpy_report.json``)."""
    prefix, _, name = spec.partition(":")
    if prefix != "d3rlpy" or name not in D3RLPY_ALGOS:
        names = " or ".join(f"d3rlpy:{n}" for n in D3RLPY_ALGOS)
        raise TrainConfigError(explain("unknown --algo", expected=names, got=repr(spec),
                                       fix="omit --algo to train the config's own algorithm"))
    from csgo_env._optional import require

    d3rlpy = require("d3rlpy", extra="d3rlpy", purpose="the d3rlpy interop")
    out = Path(cfg.train.out_dir)
    if (out / f"d3rlpy_{name}.d3").exists():
        raise TrainConfigError(explain("the run folder already holds a d3rlpy run", got=str(out),
                                       fix="choose another train.out_dir"))
    arrays, vocab, report = export_arrays(cfg, vocab_size, max_episodes)
    from csgo_env.baselines.data import open_sequences
    from csgo_env.baselines.trainer import sources_synthetic

    synthetic = sources_synthetic(open_sequences(cfg.data, 1))
    dataset = d3rlpy.dataset.MDPDataset(
        arrays["observations"], arrays["actions"], arrays["rewards"], arrays["terminals"],
        timeouts=arrays["timeouts"], action_space=d3rlpy.constants.ActionSpace.DISCRETE,
        action_size=len(vocab))
    device = "cuda:0" if torch.cuda.is_available() and cfg.train.device != "cpu" else "cpu:0"
    d3rlpy.seed(cfg.seed)
    algo = make_d3rlpy_algo(name, cfg, device)
    out.mkdir(parents=True, exist_ok=True)
    import io

    buffer = io.BytesIO()
    np.save(buffer, vocab)
    atomic_write_bytes(out / "vocabulary.npy", buffer.getvalue())
    atomic_write_text(out / "d3rlpy_report.json", json.dumps(
        {"algo": spec, "synthetic": synthetic, "vocabulary": asdict(report),
         "config": cfg.to_dict()}, indent=1))
    label = " (SYNTHETIC data)" if synthetic else ""
    print(f"d3rlpy {name}{label}: {report.episodes} episodes, {report.steps} steps, vocabulary "
          f"{report.size} joint actions covering {100 * report.coverage:.1f}% of steps "
          f"exactly (mapped ones off by {report.mean_distance:.2f} on average)")
    algo.fit(dataset, n_steps=cfg.train.steps,
             n_steps_per_epoch=max(1, min(cfg.train.steps, cfg.train.checkpoint_every)),
             experiment_name=f"d3rlpy_{name}", with_timestamp=False,
             logger_adapter=d3rlpy.logging.FileAdapterFactory(root_dir=str(out / "d3rlpy_logs")),
             show_progress=cfg.train.progress)
    algo.save(str(out / f"d3rlpy_{name}.d3"))
    print(f"saved {out / f'd3rlpy_{name}.d3'}")
    return 0
