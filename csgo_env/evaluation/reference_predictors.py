"""The two reference predictors of the offline protocol, as :class:`HeadProbs`.

Both mix their point guess with the uniform distribution over each head's values, with
weight :data:`REFERENCE_EPSILON` (documented so that every NLL is finite and reproducible):

    P(head = value) = (1 - eps) * q(value) + eps / K        (K = 2, 23 or 15 values)

* **training marginal**: q = the frequency of each value of each head over the training
  split's recorded actions (the same prediction for every frame);
* **repeat previous action**: q = one-hot of the action recorded at the previous step of the
  same episode; the first step of an episode repeats the no-op action (no keys, no clicks,
  zero mouse bins), which is what frame 0 of every recording carries.

With eps = 0.01 the repeat predictor gives its guess 0.995 (binary) / 0.99043 (23 bins) /
0.99067 (15 bins), so its thresholded keys and argmax bins are the previous action's.
"""

from __future__ import annotations

import numpy as np

from csgo_env.actions import N_BINARY, N_MOUSE_X, N_MOUSE_Y, NOOP, check_multidiscrete
from csgo_env.errors import EvaluationError, explain
from csgo_env.evaluation.offline_metrics import HeadProbs

REFERENCE_EPSILON = 0.01
"""Weight of the uniform distribution mixed into both reference predictors."""


def _mix(q: np.ndarray, k: int, eps: float) -> np.ndarray:
    return (1.0 - eps) * q + eps / k


def marginal_probs(train_actions: np.ndarray, n_frames: int, *,
                   eps: float = REFERENCE_EPSILON) -> HeadProbs:
    """The training marginal for ``n_frames`` frames, from training actions (M, 15)."""
    arr = check_multidiscrete(train_actions).reshape(-1, N_BINARY + 2)
    if arr.shape[0] == 0:
        raise EvaluationError(explain("the training split has no actions",
                                      fix="convert the training split first"))
    p_bin = arr[:, :N_BINARY].mean(axis=0)
    p_x = np.bincount(arr[:, N_BINARY], minlength=N_MOUSE_X) / arr.shape[0]
    p_y = np.bincount(arr[:, N_BINARY + 1], minlength=N_MOUSE_Y) / arr.shape[0]
    ones = np.ones((int(n_frames), 1))
    return HeadProbs(ones * _mix(p_bin, 2, eps), ones * _mix(p_x, N_MOUSE_X, eps),
                     ones * _mix(p_y, N_MOUSE_Y, eps))


def previous_actions(actions: np.ndarray, episode_start: np.ndarray) -> np.ndarray:
    """(N, 15) int64: the action of the previous step, the no-op where ``episode_start``
    (N,) bool marks the first step of an episode (row 0 always counts as one)."""
    arr = check_multidiscrete(actions)
    starts = np.asarray(episode_start, dtype=bool).copy()
    if starts.shape != (arr.shape[0],):
        raise EvaluationError(explain("episode_start must have one flag per frame",
                                      expected=f"({arr.shape[0]},)", got=str(starts.shape)))
    if starts.size:
        starts[0] = True
    prev = np.empty_like(arr)
    prev[1:] = arr[:-1]
    prev[starts] = NOOP.to_multidiscrete()
    return prev


def repeat_previous_probs(actions: np.ndarray, episode_start: np.ndarray, *,
                          eps: float = REFERENCE_EPSILON) -> HeadProbs:
    """The repeat-previous-action predictor for recorded ``actions`` (N, 15) in episode
    order; ``episode_start`` (N,) marks each episode's first step."""
    return guess_probs(previous_actions(actions, episode_start), eps=eps)


def guess_probs(guess: np.ndarray, *, eps: float = REFERENCE_EPSILON) -> HeadProbs:
    """Per-frame point guesses (N, 15) as probabilities: (1 - eps) on the guess + eps/K."""
    prev = check_multidiscrete(guess).reshape(-1, N_BINARY + 2)
    n = prev.shape[0]
    q_x = np.zeros((n, N_MOUSE_X))
    q_x[np.arange(n), prev[:, N_BINARY]] = 1.0
    q_y = np.zeros((n, N_MOUSE_Y))
    q_y[np.arange(n), prev[:, N_BINARY + 1]] = 1.0
    return HeadProbs(_mix(prev[:, :N_BINARY].astype(np.float64), 2, eps),
                     _mix(q_x, N_MOUSE_X, eps), _mix(q_y, N_MOUSE_Y, eps))


__all__ = ["REFERENCE_EPSILON", "guess_probs", "marginal_probs", "previous_actions",
           "repeat_previous_probs"]
