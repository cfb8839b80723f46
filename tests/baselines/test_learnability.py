"""Learning claims on SYNTHETIC tasks (tests/baselines/learn_tasks.py), over seeds.

Each run trains through the real path (converted Minari dataset -> sequence loader ->
trainer -> checkpoint -> exported policy file) and is scored by playing the exported
policy on frames of a recording that was never written to the dataset.

- BC reads the mouse bins drawn in the frame: >= 95% top-1 on mouse x and on mouse y.
- Kill-or-not: the data turn towards the enemy (and kill) or away (no kill) equally
  often in every state, so imitation is a coin flip (~50%); CQL's greedy policy and IQL's
  sampled policy must turn towards it clearly more often.

The numbers are printed (``pytest -s``) with the label SYNTHETIC.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from csgo_env.baselines.config import from_dict
from csgo_env.baselines.trainer import train
from csgo_env.policy import ExportedPolicy
from tests.support.baselines import held_out_frames, tiny_config, toward_bins, toward_share

SEEDS = (0, 1, 2)
HELD_OUT = 9  # a recording number never written
FRAMES = 300
_cache: dict[tuple[str, int], Path] = {}


def _policy(algo: str, root: Path, out: Path, seed: int, steps: int, **params: float) -> Path:
    result = train(from_dict(tiny_config(algo, root, out, steps=steps, seed=seed,
                                         algo_params=params)))
    assert result.synthetic and result.policy is not None
    return result.policy


def _toward_rates(policy: Path) -> dict[str, float]:
    frames, _, _ = held_out_frames("kill_or_not", HELD_OUT)
    toward = toward_bins(HELD_OUT)[:FRAMES]
    rates = {}
    for mode in ("greedy", "sample"):
        pol = ExportedPolicy(policy, sampling=mode, seed=0)
        picks = np.array([pol.act(f)[13] for f in frames[:FRAMES]])
        rates[mode] = float((picks == toward).mean())
    return rates


def _bc_rates(kill_task: Path, tmp: Path, seed: int) -> dict[str, float]:
    key = ("bc", seed)
    if key not in _cache:
        _cache[key] = _policy("bc", kill_task, tmp / f"bc{seed}", seed, steps=150)
    return _toward_rates(_cache[key])


def test_bc_reads_the_mouse_bin_drawn_in_the_frame(mouse_task: Path, tmp_path: Path) -> None:
    frames, actions, _ = held_out_frames("mouse_in_frame", HELD_OUT)
    for seed in SEEDS[:2]:
        policy = _policy("bc", mouse_task, tmp_path / f"bc{seed}", seed, steps=200)
        pol = ExportedPolicy(policy, sampling="greedy")
        picks = np.array([pol.act(f) for f in frames[:FRAMES]])
        acc_x = float((picks[:, 13] == actions[:FRAMES, 13]).mean())
        acc_y = float((picks[:, 14] == actions[:FRAMES, 14]).mean())
        print(f"SYNTHETIC mouse-in-frame, BC seed {seed}: held-out mouse_x top-1 {acc_x:.3f}, "
              f"mouse_y top-1 {acc_y:.3f}")
        assert acc_x >= 0.95 and acc_y >= 0.95


@pytest.mark.parametrize("algo,mode,params", [
    ("cql", "greedy", {"gamma": 0.5, "alpha": 1.0}),
    ("iql", "sample", {"gamma": 0.5, "temperature": 0.1}),
])
def test_offline_rl_prefers_the_rewarded_behaviour(kill_task: Path, tmp_path_factory:
                                                    pytest.TempPathFactory, algo: str,
                                                    mode: str, params: dict) -> None:
    tmp = tmp_path_factory.mktemp(algo)
    data = toward_share([1, 2, 3])
    assert 0.45 < data < 0.55
    print(f"SYNTHETIC kill-or-not: the training data turn towards the enemy on {data:.3f} "
          "of steps")
    for seed in SEEDS:
        bc = _bc_rates(kill_task, tmp_path_factory.getbasetemp(), seed)
        rl = _toward_rates(_policy(algo, kill_task, tmp / f"s{seed}", seed, steps=300, **params))
        print(f"SYNTHETIC kill-or-not seed {seed}: rewarded choice BC sampled {bc['sample']:.3f} "
              f"(greedy {bc['greedy']:.3f}); {algo.upper()} {mode} {rl[mode]:.3f} "
              f"(greedy {rl['greedy']:.3f}, sampled {rl['sample']:.3f})")
        assert 0.35 <= bc["sample"] <= 0.65
        assert rl[mode] >= 0.8 and rl[mode] >= bc["sample"] + 0.25
