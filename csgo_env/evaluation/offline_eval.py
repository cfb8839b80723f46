"""Offline evaluation driver: stream a test split through the sequence loader into a predictor.

``predict_fn`` is any callable ``predict_fn(batch) -> HeadProbs`` for one sequence of L
steps, where ``batch`` holds NumPy arrays from :class:`csgo_env.datasets.loader.SequenceDataset`:
``observations`` (L, H, W, 3) uint8 RGB (or (L, k, H, W, 3) with ``frame_stack`` k, or
channels first), ``episode`` and ``start`` (ints), ``first`` (bool: the sequence starts the
episode). Recorded actions, rewards and flags are *not* given to the predictor.

Every step of every episode is scored exactly once: an episode of T steps is cut into
sequences starting at 0, L, 2L, ...; when L does not divide T, the last sequence is aligned
to the episode's end (start T - L) and only its steps not scored before count. Each
sequence is predicted independently, so a recurrent predictor starts from its initial state
at each sequence (``first`` tells it when a new episode begins).

The report holds the model's scores, those of the two reference predictors
(:mod:`csgo_env.evaluation.reference_predictors`: the training split's marginal, and repeat
previous action) and the normalised scores against each, plus the datasets' ids, versions
and synthetic flags.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from csgo_env.errors import EvaluationError, explain
from csgo_env.evaluation.dataset_arrays import iter_episodes, open_dataset
from csgo_env.evaluation.offline_metrics import HeadProbs, normalised_scores, offline_scores
from csgo_env.evaluation.reference_predictors import guess_probs, marginal_probs, previous_actions

PredictFn = Callable[[dict[str, Any]], HeadProbs]


def sequence_starts(steps: int, seq_len: int) -> list[tuple[int, int]]:
    """``(start, first scored offset)`` of the sequences that cover ``steps`` steps once."""
    if steps < seq_len:
        raise EvaluationError(explain("episode shorter than the sequence length",
                                      expected=f"seq_len <= {steps}", got=str(seq_len)))
    out = [(s, 0) for s in range(0, steps - seq_len + 1, seq_len)]
    covered = out[-1][0] + seq_len
    if covered < steps:
        out.append((steps - seq_len, covered - (steps - seq_len)))
    return out


def train_id_for(test_id: str) -> str:
    """The training split id of a test split id (``-test-`` -> ``-train-``)."""
    if "-test-" not in test_id:
        raise EvaluationError(explain("cannot tell the training split of this id",
                                      expected="an id containing '-test-'", got=test_id,
                                      fix="pass train_ids explicitly"))
    return test_id.replace("-test-", "-train-")


def _predict_dataset(predict_fn: PredictFn, dataset_id: str, root: Any, seq_len: int,
                     frame_stack: int, resize: tuple[int, int] | None,
                     channels_first: bool) -> tuple[HeadProbs, int]:
    from csgo_env.datasets.loader import SequenceDataset

    ds = SequenceDataset(dataset_id, root=root, seq_len=seq_len, frame_stack=frame_stack,
                       resize=resize, channels_first=channels_first)
    history = frame_stack - 1
    parts: list[HeadProbs] = []
    total = 0
    try:
        for episode, ref in enumerate(ds.episodes):
            usable = ref.steps - history
            for start, skip in sequence_starts(usable, seq_len):
                item = ds.sequence_at(episode, start + history)
                batch = {"observations": item["observations"].numpy(), "episode": episode,
                         "start": start + history, "first": start == 0}
                probs = predict_fn(batch)
                if not isinstance(probs, HeadProbs) or len(probs) != seq_len:
                    size = len(probs) if isinstance(probs, HeadProbs) else "?"
                    raise EvaluationError(explain(
                        "predict_fn must return HeadProbs for every step of the sequence",
                        expected=f"HeadProbs of {seq_len} frames",
                        got=f"{type(probs).__name__} of {size} frames"))
                parts.append(probs.take(slice(skip, None)))
            total += usable
    finally:
        ds.close()
    return HeadProbs.concat(parts), total


def evaluate_offline(predict_fn: PredictFn, dataset_ids: str | Sequence[str], *,
                     train_ids: Sequence[str] | None = None,
                     root: str | os.PathLike[str] | None = None, seq_len: int = 32,
                     frame_stack: int = 1, resize: tuple[int, int] | None = None,
                     channels_first: bool = False) -> dict[str, Any]:
    """Score ``predict_fn`` on the test split(s) ``dataset_ids`` (see the module docstring).

    With ``frame_stack`` k > 1 the first k - 1 steps of each episode have no full stack and
    are not scored (by the model or the references). The training marginal comes from
    ``train_ids`` (default: each test id with ``-test-`` replaced by ``-train-``).
    """
    ids = [dataset_ids] if isinstance(dataset_ids, str) else list(dataset_ids)
    if not ids:
        raise EvaluationError(explain("no dataset ids given"))
    train = list(train_ids) if train_ids is not None else [train_id_for(i) for i in ids]
    infos = [open_dataset(i, root) for i in ids]
    train_infos = [open_dataset(i, root) for i in train]
    history = frame_stack - 1
    actions, previous, parts = [], [], []
    for did, info in zip(ids, infos, strict=True):
        probs, _ = _predict_dataset(predict_fn, did, root, seq_len, frame_stack, resize,
                                    channels_first)
        parts.append(probs)
        for ep in iter_episodes(info):
            first = np.zeros(len(ep.actions), dtype=bool)
            first[0] = True
            actions.append(ep.actions[history:])
            previous.append(previous_actions(ep.actions, first)[history:])
    recorded = np.concatenate(actions)
    model_probs = HeadProbs.concat(parts)
    if len(model_probs) != len(recorded):
        raise EvaluationError(explain("internal: predictions and actions disagree",
                                      expected=str(len(recorded)), got=str(len(model_probs))))
    train_actions = np.concatenate([ep.actions for info in train_infos
                                    for ep in iter_episodes(info)])
    scores = offline_scores(recorded, model_probs)
    marginal = offline_scores(recorded, marginal_probs(train_actions, len(recorded)))
    repeat = offline_scores(recorded, guess_probs(np.concatenate(previous)))
    return {
        "frames": len(recorded), "seq_len": seq_len, "frame_stack": frame_stack,
        "datasets": [{"id": i.dataset_id, "version": i.version, "synthetic": i.synthetic}
                     for i in infos],
        "train_datasets": [{"id": i.dataset_id, "version": i.version} for i in train_infos],
        "synthetic": any(i.synthetic for i in (*infos, *train_infos)),
        "model": scores,
        "reference": {"marginal": marginal, "repeat_previous": repeat},
        "normalised": {"vs_marginal": normalised_scores(scores, marginal),
                       "vs_repeat_previous": normalised_scores(scores, repeat)},
    }


__all__ = ["PredictFn", "evaluate_offline", "sequence_starts", "train_id_for"]
