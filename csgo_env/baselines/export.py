"""Checkpoint -> policy file: a ``torch.export`` program that ``csgo-env play`` runs.

The program maps one observation, uint8 (1, 150, 280, 3), plus — when the network has
them — the k - 1 previous frames, uint8 (1, k-1, 150, 280, 3), and the GRU state, float32
(1, G), to the acting head's 64 logits, float32 (1, 64), followed by the updated frames
and state, in that order. The JSON description the loader reads
(:data:`csgo_env.policy.POLICY_META_KEY`) holds format, frame_stack,
state_size, the default sampling mode, algorithm, config, commit, step and whether the
training data were synthetic. The file is written atomically.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import torch
from torch import nn

from csgo_env._atomic import atomic_write_bytes
from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines.algorithm import Algorithm
from csgo_env.baselines.config import from_dict
from csgo_env.baselines.networks import FactoredNet
from csgo_env.baselines.registry import algorithm_class
from csgo_env.errors import PolicyError, PolicyFileError, explain
from csgo_env.policy import POLICY_FORMAT, POLICY_META_KEY, SAMPLING_MODES

OBS_SHAPE = (150, 280, 3)


class PolicyStep(nn.Module):
    """One acting step of ``algo``'s acting network (module docstring for the signature)."""

    def __init__(self, algo: Algorithm) -> None:
        super().__init__()
        net = algo.unwrapped(algo.acting_net_name)
        if not isinstance(net, FactoredNet):
            raise TypeError("the acting network must be a FactoredNet")
        self.net = net.eval()
        self._logits = algo.acting_logits
        self.k = net.frame_stack
        self.g = net.state_size

    def forward(self, obs: torch.Tensor, *rest: torch.Tensor) -> tuple[torch.Tensor, ...]:
        items = list(rest)
        frames = obs[:, None]
        if self.k > 1:
            history = items.pop(0)
            frames = torch.cat([history, frames], dim=1)
        hidden = items.pop(0) if self.g else None
        out, new_hidden = self.net.step(frames, hidden)
        result = [self._logits(out).float()]
        if self.k > 1:
            result.append(frames[:, 1:])
        if new_hidden is not None:
            result.append(new_hidden)
        return tuple(result)


def example_inputs(k: int, g: int) -> tuple[torch.Tensor, ...]:
    """Zero inputs of the program's signature for frame stack ``k`` and state size ``g``."""
    inputs = [torch.zeros(1, *OBS_SHAPE, dtype=torch.uint8)]
    if k > 1:
        inputs.append(torch.zeros(1, k - 1, *OBS_SHAPE, dtype=torch.uint8))
    if g:
        inputs.append(torch.zeros(1, g))
    return tuple(inputs)


def algorithm_from_checkpoint(ckpt: dict[str, Any]) -> Algorithm:
    """The algorithm of a checkpoint with its weights, on the CPU."""
    cfg = from_dict(ckpt["config"])
    algo = algorithm_class(cfg.algo)(cfg.algo_config, cfg.model, torch.device("cpu"))
    algo.load_state_dict(ckpt["state"], optimizer=False)
    algo.train(False)
    return algo


def export_policy(checkpoint: str | os.PathLike[str], out: str | os.PathLike[str], *,
                  sampling: str = "authors") -> Path:
    """Write the policy file of ``checkpoint`` to ``out`` (a ``.pt2`` path)."""
    if sampling not in SAMPLING_MODES:
        raise PolicyError(explain("unknown sampling mode", expected=str(SAMPLING_MODES),
                                  got=repr(sampling)))
    out = Path(out)
    if out.suffix != ".pt2":
        raise PolicyFileError(explain("policy files end in .pt2", got=str(out),
                                      fix="name the output FILE.pt2"))
    ckpt = ck.load_checkpoint(checkpoint)
    algo = algorithm_from_checkpoint(ckpt)
    step = PolicyStep(algo)
    with torch.no_grad():
        program = torch.export.export(step, example_inputs(step.k, step.g))
    meta = {"format": POLICY_FORMAT, "frame_stack": step.k, "state_size": step.g,
            "sampling": sampling, "algo": ckpt["algo"], "step": ckpt["step"],
            "commit": ckpt.get("commit"), "synthetic": bool(ckpt.get("synthetic")),
            "datasets": ckpt.get("datasets"), "config": ckpt["config"],
            "checkpoint": str(Path(checkpoint).resolve())}
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    torch.export.save(program, buffer, extra_files={POLICY_META_KEY: json.dumps(meta)})
    return atomic_write_bytes(out, buffer.getvalue())
