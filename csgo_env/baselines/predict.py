"""A training checkpoint as the offline evaluator's predictor, a whole sequence per call.

:func:`checkpoint_predictor` loads a checkpoint (``last.pt`` / ``best.pt``) and returns the
``predict_fn`` of :func:`csgo_env.evaluation.offline_eval.evaluate_offline` and the frame
stack to ask the loader for. Each call runs the algorithm's acting network over one
sequence at once (uint8 (L, [k,] 150, 280, 3), from the zero recurrent state, as every
sequence is predicted independently) and turns the acting logits (BC and IQL: the policy
head; CQL: Q / policy temperature, what its policy file plays) into per-head probabilities.
It scores the same network the exported ``policy.pt2`` runs, ~20x faster than stepping the
exported program frame by frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from csgo_env.actions import N_BINARY, NVEC
from csgo_env.evaluation.offline_eval import PredictFn
from csgo_env.evaluation.offline_metrics import HeadProbs


def logits_to_probs(logits: torch.Tensor) -> HeadProbs:
    """(L, 64) logits in :data:`csgo_env.actions.NVEC` order -> :class:`HeadProbs`
    (softmax per head; the "on" probability of each binary head)."""
    parts = [torch.softmax(h.double(), dim=-1) for h in torch.split(logits, list(NVEC), -1)]
    binary = torch.stack([p[:, 1] for p in parts[:N_BINARY]], dim=1)
    return HeadProbs(binary.numpy(), parts[N_BINARY].numpy(), parts[N_BINARY + 1].numpy())


def checkpoint_predictor(checkpoint: str | Path, *, threads: int | None = 1
                         ) -> tuple[PredictFn, int]:
    """``(predict_fn, frame_stack)`` of a checkpoint (module docstring); ``threads`` sets
    torch's CPU threads (1: small networks run fastest on one, even on an idle machine)."""
    from csgo_env.baselines import checkpoint as ck
    from csgo_env.baselines.export import algorithm_from_checkpoint
    from csgo_env.baselines.networks import FactoredNet

    if threads:
        torch.set_num_threads(int(threads))
    algo = algorithm_from_checkpoint(ck.load_checkpoint(checkpoint))
    net = algo.unwrapped(algo.acting_net_name)
    assert isinstance(net, FactoredNet)
    net.eval()

    def predict(batch: dict[str, Any]) -> HeadProbs:
        obs = torch.from_numpy(np.ascontiguousarray(batch["observations"]))[None]
        with torch.inference_mode():
            out, _ = net(net.pixels(obs, augment=False))
            return logits_to_probs(algo.acting_logits(out).float()[0])

    return predict, int(net.frame_stack)


__all__ = ["checkpoint_predictor", "logits_to_probs"]
