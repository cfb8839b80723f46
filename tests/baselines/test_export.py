"""Checkpoint -> policy file: the exported program equals the network, keeps its frame stack
and recurrent state across steps, resets them, and plays the replay game via the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from csgo_env import _provenance
from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.config import from_dict
from csgo_env.baselines.export import algorithm_from_checkpoint, export_policy
from csgo_env.baselines.registry import algorithm_class
from csgo_env.policy import ExportedPolicy, load_policy
from tests.support.baselines import tiny_config

REPO = Path(__file__).resolve().parents[2]


def _checkpoint(tmp: Path, algo: str, model: dict, params: dict | None = None) -> Path:
    """A checkpoint of an untrained (randomly initialised) algorithm."""
    cfg = from_dict(tiny_config(algo, tmp, tmp / "run", steps=1, model=model,
                                algo_params=params))
    torch.manual_seed(3)
    impl = algorithm_class(algo)(cfg.algo_config, cfg.model, torch.device("cpu"))
    path = tmp / f"{algo}.pt"
    ck.save_checkpoint(path, {"algo": algo, "config": cfg.to_dict(), "step": 0,
                              "state": impl.state_dict(), "rng": ck.rng_state(),
                              "synthetic": True, "commit": _provenance.git_commit()})
    return path


def _frames(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (n, 150, 280, 3), dtype=np.uint8)


def test_stateful_policy_equals_the_network_over_a_sequence(tmp_path: Path) -> None:
    k = 3
    path = _checkpoint(tmp_path, "bc", {"frame_stack": k, "core": "gru", "core_size": 16})
    out = export_policy(path, tmp_path / "policy.pt2", sampling="greedy")
    policy = load_policy(str(out))
    assert isinstance(policy, ExportedPolicy)
    assert (policy.frame_stack, policy.state_size, policy.sampling) == (k, 16, "greedy")
    assert policy.meta["synthetic"] is True and policy.meta["algo"] == "bc"
    frames = _frames(6)
    # what the loader would give: frames t-k+1..t, the first frame repeating before t = 0
    index = np.clip(np.arange(6)[:, None] + np.arange(-k + 1, 1)[None, :], 0, None)
    net = algorithm_from_checkpoint(ck.load_checkpoint(path)).nets["policy"]
    with torch.no_grad():
        expected = net(torch.from_numpy(frames[index])[None])[0]["logits"][0].numpy()
    got = np.stack([policy.logits(f) for f in frames])
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    policy.reset()
    np.testing.assert_allclose(policy.logits(frames[0]), expected[0], rtol=1e-4, atol=1e-4)
    assert not np.allclose(policy.logits(frames[0]), expected[1], atol=1e-3)
    assert policy.act(frames[1]).shape == (15,)


def test_cql_policy_plays_its_q_values(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, "cql", {}, {"policy_temperature": 0.5})
    policy = ExportedPolicy(export_policy(path, tmp_path / "q.pt2"), sampling="greedy")
    assert policy.sampling == "greedy" and policy.meta["sampling"] == "authors"
    frame = _frames(1, seed=2)[0]
    net = algorithm_from_checkpoint(ck.load_checkpoint(path)).nets["q"]
    with torch.no_grad():
        q = net(torch.from_numpy(frame)[None, None])[0]["q"][0, 0].numpy()
    np.testing.assert_allclose(policy.logits(frame), q / 0.5, rtol=1e-4, atol=1e-4)
    assert ExportedPolicy(tmp_path / "q.pt2").sampling == "authors"


def test_export_refuses_bad_targets(tmp_path: Path) -> None:
    path = _checkpoint(tmp_path, "bc", {})
    from csgo_env.errors import PolicyError, PolicyFileError

    with pytest.raises(PolicyFileError, match=r"\.pt2"):
        export_policy(path, tmp_path / "policy.pt")
    with pytest.raises(PolicyError, match="sampling"):
        export_policy(path, tmp_path / "policy.pt2", sampling="boltzmann")


@pytest.mark.xvfb
def test_play_runs_an_exported_checkpoint(xvfb_display: str, tmp_path: Path,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.support import standin as rs

    recording = rs.synthetic_recording(tmp_path_factory)
    path = _checkpoint(tmp_path, "bc", {"frame_stack": 2, "core": "gru", "core_size": 8})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    policy = tmp_path / "policy.pt2"
    done = subprocess.run([sys.executable, "-m", "csgo_env.cli", "export-policy", str(path),
                           "--out", str(policy)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    log = tmp_path / "input.jsonl"
    proc = subprocess.run([sys.executable, "-m", "csgo_env.cli", "play", "--policy",
                           str(policy), "--sampling", "sample", "--game", "replay",
                           "--steps", "12", "--recording", str(recording),
                           "--replay-input-log", str(log)], capture_output=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert "played 12 steps" in proc.stdout.decode()
    events = rs.logged_events(log)
    assert events and rs.held_at_end(events) == set()  # an untrained policy presses keys
