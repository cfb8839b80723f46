"""A training checkpoint as an offline predictor for :mod:`csgo_env.evaluation.offline_eval`.

``predictor(batch)`` takes one sequence from the sequence loader (``observations`` uint8
(L, H, W, 3), or (L, k, H, W, 3) with the network's frame stack k) and returns the acting
policy's per-head probabilities for its L steps as
:class:`csgo_env.evaluation.offline_metrics.HeadProbs` (binary heads: probability of "on";
mouse heads: softmax over the bins). A recurrent network starts each sequence from zero
state, as it was trained.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import torch

from csgo_env.baselines import checkpoint as ck
from csgo_env.baselines import heads
from csgo_env.baselines.export import algorithm_from_checkpoint


def checkpoint_predictor(path: str | os.PathLike[str], device: str = "cpu"
                         ) -> tuple[Callable[[dict[str, Any]], Any], int]:
    """(predict_fn, frame_stack) of the checkpoint at ``path``."""
    from csgo_env.evaluation.offline_metrics import HeadProbs

    algo = algorithm_from_checkpoint(ck.load_checkpoint(path))
    net = algo.unwrapped(algo.acting_net_name).to(device).eval()
    frame_stack = int(algo.model.frame_stack)

    def predict(batch: dict[str, Any]) -> HeadProbs:
        obs = torch.as_tensor(batch["observations"]).to(device)[None]
        with torch.inference_mode():
            out, _ = net(obs)
            probs = heads.log_probs(algo.acting_logits(out)[0]).exp().double().cpu().numpy()
        return HeadProbs(binary=probs[:, :13, 1], mouse_x=probs[:, 13, :23],
                         mouse_y=probs[:, 14, :15])

    return predict, frame_stack
