"""Offline metrics of a model's per-head probabilities against recorded factored actions.

Arrays (N frames):

* ``actions``: int (N, 15), the recorded factored actions of :mod:`csgo_env.actions`:
  columns 0-12 binary heads (11 keys, fire, scope), column 13 the mouse-x bin in [0, 23),
  column 14 the mouse-y bin in [0, 15);
* :class:`HeadProbs`: ``binary`` (N, 13) P(head = 1), ``mouse_x`` (N, 23) and ``mouse_y``
  (N, 15) categorical probabilities (rows sum to 1).

Metrics (:func:`offline_scores`), each a float:

* ``nll_bits``: mean over frames of -log2 P(recorded action), the sum over the 15 heads
  (factored: heads independent given the frame); probabilities are floored at
  :data:`PROB_FLOOR` so a confident miss costs ~40 bits, not infinity; ``nll_bits/<head>``
  per head;
* ``f1/<head>`` for the 13 binary heads with the prediction p >= 0.5; NaN when the head is
  never set and never predicted; ``macro_f1_keys``: mean over the 11 keys of the defined
  F1s; ``fire_f1``: F1 of the fire head;
* ``mouse_x_top1``, ``mouse_y_top1``: accuracy of the argmax bin; ``mouse_x_mae``,
  ``mouse_y_mae``: mean |centre(argmax bin) - centre(recorded bin)| in mouse counts per
  tick (bin centres :data:`~csgo_env.actions.MOUSE_X_BINS`, ``MOUSE_Y_BINS``).

:func:`normalised_scores` gives ``(model - reference) / (perfect - reference)`` per metric
(1 = perfect, 0 = as good as the reference, < 0 worse), perfect values in :data:`PERFECT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from csgo_env.actions import (
    BUTTON_NAMES,
    KEY_NAMES,
    MOUSE_X_BINS,
    MOUSE_Y_BINS,
    N_BINARY,
    N_KEYS,
    N_MOUSE_X,
    N_MOUSE_Y,
    check_multidiscrete,
)
from csgo_env.errors import EvaluationError, explain

HEAD_NAMES: tuple[str, ...] = (*KEY_NAMES, *BUTTON_NAMES, "mouse_x", "mouse_y")
"""The 15 heads in action-column order."""
BINARY_NAMES: tuple[str, ...] = (*KEY_NAMES, *BUTTON_NAMES)
PROB_FLOOR = 1e-12
"""Smallest probability used in the NLL (-log2 1e-12 = 39.9 bits)."""
THRESHOLD = 0.5
"""A binary head is predicted set when its probability is >= this."""
_ROW_TOL = 1e-4


@dataclass(frozen=True)
class HeadProbs:
    """Per-head probabilities of N frames (float64): ``binary`` (N, 13), ``mouse_x`` (N, 23),
    ``mouse_y`` (N, 15); validated on construction."""

    binary: np.ndarray
    mouse_x: np.ndarray
    mouse_y: np.ndarray

    def __post_init__(self) -> None:
        arrays = {}
        for name, width in (("binary", N_BINARY), ("mouse_x", N_MOUSE_X),
                            ("mouse_y", N_MOUSE_Y)):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] != width:
                raise EvaluationError(explain(f"{name} probabilities have the wrong shape",
                                              expected=f"(N, {width})", got=str(arr.shape)))
            if not np.all(np.isfinite(arr)) or arr.min(initial=0) < 0 or arr.max(initial=0) > 1:
                raise EvaluationError(explain(f"{name} must hold probabilities in [0, 1]",
                                              fix="apply sigmoid / softmax to the logits"))
            arrays[name] = arr
            object.__setattr__(self, name, arr)
        n = {a.shape[0] for a in arrays.values()}
        if len(n) != 1:
            raise EvaluationError(explain("heads disagree on the number of frames",
                                          got=str(sorted(n))))
        for name in ("mouse_x", "mouse_y"):
            sums = arrays[name].sum(axis=1)
            if sums.size and np.max(np.abs(sums - 1.0)) > _ROW_TOL:
                raise EvaluationError(explain(f"{name} rows must sum to 1",
                                              got=f"sums in [{sums.min():.4f}, {sums.max():.4f}]",
                                              fix="apply softmax over the bins"))

    def __len__(self) -> int:
        return int(self.binary.shape[0])

    def take(self, index: np.ndarray | slice) -> HeadProbs:
        """The frames ``index`` of each head."""
        return HeadProbs(self.binary[index], self.mouse_x[index], self.mouse_y[index])

    @staticmethod
    def concat(parts: Sequence[HeadProbs]) -> HeadProbs:
        """Frames of several predictions one after the other."""
        if not parts:
            return HeadProbs(np.zeros((0, N_BINARY)), np.zeros((0, N_MOUSE_X)),
                             np.zeros((0, N_MOUSE_Y)))
        return HeadProbs(np.concatenate([p.binary for p in parts]),
                         np.concatenate([p.mouse_x for p in parts]),
                         np.concatenate([p.mouse_y for p in parts]))


def _check(actions: np.ndarray, probs: HeadProbs) -> np.ndarray:
    arr = check_multidiscrete(actions)
    if arr.ndim != 2 or arr.shape[0] != len(probs):
        raise EvaluationError(explain("actions and probabilities disagree on the frames",
                                      expected=f"actions (N, 15) with N = {len(probs)}",
                                      got=str(arr.shape)))
    if arr.shape[0] == 0:
        raise EvaluationError(explain("no frames to score", fix="check the dataset split"))
    return arr


def nll_bits_per_head(actions: np.ndarray, probs: HeadProbs) -> np.ndarray:
    """(N, 15) float64: -log2 of the probability each head gave its recorded value."""
    arr = _check(actions, probs)
    p_bin = np.where(arr[:, :N_BINARY] == 1, probs.binary, 1.0 - probs.binary)
    rows = np.arange(arr.shape[0])
    p_x = probs.mouse_x[rows, arr[:, N_BINARY]]
    p_y = probs.mouse_y[rows, arr[:, N_BINARY + 1]]
    p = np.concatenate([p_bin, p_x[:, None], p_y[:, None]], axis=1)
    return -np.log2(np.maximum(p, PROB_FLOOR))


def f1_score(truth: np.ndarray, predicted: np.ndarray) -> float:
    """F1 of boolean arrays: 2 TP / (2 TP + FP + FN); NaN when both are all False."""
    t, p = np.asarray(truth, bool), np.asarray(predicted, bool)
    tp = float(np.sum(t & p))
    denominator = 2.0 * tp + float(np.sum(~t & p)) + float(np.sum(t & ~p))
    return 2.0 * tp / denominator if denominator > 0 else float("nan")


def offline_scores(actions: np.ndarray, probs: HeadProbs) -> dict[str, float]:
    """All metrics of the module docstring for one prediction of N frames."""
    arr = _check(actions, probs)
    nll = nll_bits_per_head(arr, probs)
    out: dict[str, float] = {"nll_bits": float(nll.sum(axis=1).mean())}
    for j, name in enumerate(HEAD_NAMES):
        out[f"nll_bits/{name}"] = float(nll[:, j].mean())
    predicted = probs.binary >= THRESHOLD
    f1s = [f1_score(arr[:, j] == 1, predicted[:, j]) for j in range(N_BINARY)]
    for name, value in zip(BINARY_NAMES, f1s, strict=True):
        out[f"f1/{name}"] = value
    keys = np.array(f1s[:N_KEYS])
    out["macro_f1_keys"] = float(np.nanmean(keys)) if np.isfinite(keys).any() else float("nan")
    out["fire_f1"] = f1s[N_KEYS]
    for name, p, col, centres in (("mouse_x", probs.mouse_x, N_BINARY, MOUSE_X_BINS),
                                  ("mouse_y", probs.mouse_y, N_BINARY + 1, MOUSE_Y_BINS)):
        best = np.argmax(p, axis=1)
        out[f"{name}_top1"] = float(np.mean(best == arr[:, col]))
        out[f"{name}_mae"] = float(np.mean(np.abs(centres[best] - centres[arr[:, col]])))
    return out


def perfect_value(metric: str) -> float:
    """The score of a perfect predictor on ``metric`` (0 for NLL and MAE, 1 otherwise)."""
    return 0.0 if metric.startswith("nll_bits") or metric.endswith("_mae") else 1.0


PERFECT: Mapping[str, float] = {m: perfect_value(m) for m in (
    "nll_bits", "macro_f1_keys", "fire_f1", "mouse_x_top1", "mouse_y_top1", "mouse_x_mae",
    "mouse_y_mae")}
"""Perfect values of the headline metrics (see :func:`perfect_value` for any metric)."""


def normalised_scores(model: Mapping[str, float], reference: Mapping[str, float]
                      ) -> dict[str, float]:
    """``(model - reference) / (perfect - reference)`` for every metric both have; NaN where
    the reference is already perfect or a value is NaN."""
    out = {}
    for metric in model:
        if metric not in reference:
            continue
        perfect = perfect_value(metric)
        denominator = perfect - reference[metric]
        value = (model[metric] - reference[metric]) / denominator if denominator else np.nan
        out[metric] = float(value)
    return out


__all__ = ["BINARY_NAMES", "HEAD_NAMES", "PERFECT", "PROB_FLOOR", "THRESHOLD", "HeadProbs",
           "f1_score", "nll_bits_per_head", "normalised_scores", "offline_scores",
           "perfect_value"]
