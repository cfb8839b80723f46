"""An exported policy file as the offline evaluator's predictor.

:func:`policy_predict_fn` wraps a ``.pt2`` policy (:class:`csgo_env.policy.ExportedPolicy`)
as the ``predict_fn`` of :func:`csgo_env.evaluation.offline_eval.evaluate_offline`: for
one sequence of L frames (uint8 (L, 150, 280, 3), frame stack 1 in the loader) it resets
the policy (its own frame stack and recurrent state start afresh, as every sequence is
predicted independently), feeds the frames in order and turns each step's 64 logits into
per-head probabilities: the softmax of each head, the "on" probability for the 13 binary
heads. The policy file scores exactly what it would play from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.actions import N_BINARY
from csgo_env.evaluation.offline_eval import PredictFn
from csgo_env.evaluation.offline_metrics import HeadProbs


def logits_to_probs(logits: np.ndarray) -> HeadProbs:
    """(L, 64) logits in :data:`csgo_env.actions.NVEC` order -> :class:`HeadProbs`."""
    from csgo_env.policy import head_probabilities

    heads = [head_probabilities(row) for row in np.asarray(logits, np.float64)]
    binary = np.array([[h[i][1] for i in range(N_BINARY)] for h in heads], np.float64)
    mouse_x = np.array([h[N_BINARY] for h in heads], np.float64)
    mouse_y = np.array([h[N_BINARY + 1] for h in heads], np.float64)
    return HeadProbs(binary, mouse_x, mouse_y)


def policy_predict_fn(path: str | Path) -> PredictFn:
    """The ``predict_fn`` of one policy file (module docstring)."""
    from csgo_env.policy import ExportedPolicy

    policy = ExportedPolicy(path)

    def predict(batch: dict[str, Any]) -> HeadProbs:
        policy.reset()
        frames = np.asarray(batch["observations"])
        return logits_to_probs(np.stack([policy.logits(f) for f in frames]))

    return predict


__all__ = ["logits_to_probs", "policy_predict_fn"]
