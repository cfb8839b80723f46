"""Offline metrics and the reference predictors on tiny cases worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from csgo_env.actions import MOUSE_X_ZERO_BIN, MOUSE_Y_ZERO_BIN
from csgo_env.errors import EvaluationError
from csgo_env.evaluation.offline_metrics import (
    HeadProbs,
    f1_score,
    nll_bits_per_head,
    normalised_scores,
    offline_scores,
)
from csgo_env.evaluation.reference_predictors import (
    REFERENCE_EPSILON,
    marginal_probs,
    previous_actions,
    repeat_previous_probs,
)


def noop_actions(n: int) -> np.ndarray:
    a = np.zeros((n, 15), dtype=np.int64)
    a[:, 13], a[:, 14] = MOUSE_X_ZERO_BIN, MOUSE_Y_ZERO_BIN
    return a


def uniform(n: int) -> HeadProbs:
    return HeadProbs(np.full((n, 13), 0.5), np.full((n, 23), 1 / 23), np.full((n, 15), 1 / 15))


def test_f1_by_hand() -> None:
    truth = np.array([1, 1, 0, 0, 1, 0], bool)
    pred = np.array([1, 0, 1, 0, 1, 0], bool)  # TP 2, FP 1, FN 1 -> 4 / 6
    assert f1_score(truth, pred) == pytest.approx(2 / 3)
    assert math.isnan(f1_score(np.zeros(4, bool), np.zeros(4, bool)))
    assert f1_score(np.zeros(4, bool), np.ones(4, bool)) == 0.0


def test_uniform_predictor_nll_is_the_log_of_the_space() -> None:
    scores = offline_scores(noop_actions(5), uniform(5))
    # 13 binary heads at 1 bit each + log2(23) + log2(15): log2 of 2^13 * 23 * 15 actions
    assert scores["nll_bits"] == pytest.approx(math.log2(2 ** 13 * 23 * 15))
    assert scores["nll_bits/w"] == pytest.approx(1.0)
    assert scores["nll_bits/mouse_x"] == pytest.approx(math.log2(23))


def test_tiny_known_case() -> None:
    actions = noop_actions(4)
    actions[:, 0] = [1, 1, 0, 0]          # w
    actions[:, 11] = [1, 0, 0, 1]         # fire
    actions[:, 13] = [11, 11, 12, 0]      # mouse x bins (centres 0, 0, 2, -1000)
    binary = np.full((4, 13), 0.1)
    binary[:, 0] = [0.9, 0.4, 0.2, 0.6]   # w predicted 1, 0, 0, 1 -> TP 1 FP 1 FN 1
    binary[:, 11] = [0.8, 0.8, 0.1, 0.1]  # fire predicted 1, 1, 0, 0 -> TP 1 FP 1 FN 1
    mx = np.full((4, 23), 0.5 / 22)
    mx[np.arange(4), [11, 12, 12, 1]] = 0.5  # argmax 11, 12, 12, 1
    my = np.zeros((4, 15))
    my[:, MOUSE_Y_ZERO_BIN] = 1.0
    probs = HeadProbs(binary, mx, my)
    s = offline_scores(actions, probs)
    assert s["f1/w"] == pytest.approx(0.5)
    assert s["fire_f1"] == pytest.approx(0.5)
    assert math.isnan(s["f1/a"])  # never pressed, never predicted
    assert s["macro_f1_keys"] == pytest.approx(0.5)  # the only defined key F1
    assert s["mouse_x_top1"] == pytest.approx(2 / 4)
    # |0-0| + |2-0| + |2-2| + |-500-(-1000)| = 502 over 4 frames
    assert s["mouse_x_mae"] == pytest.approx(502 / 4)
    assert s["mouse_y_top1"] == 1.0 and s["mouse_y_mae"] == 0.0
    w_bits = -np.log2([0.9, 0.4, 0.8, 0.4])
    assert s["nll_bits/w"] == pytest.approx(w_bits.mean())
    x_bits = -np.log2([0.5, 0.5 / 22, 0.5, 0.5 / 22])
    assert s["nll_bits/mouse_x"] == pytest.approx(x_bits.mean())
    per_frame = nll_bits_per_head(actions, probs).sum(axis=1)
    assert s["nll_bits"] == pytest.approx(per_frame.mean())


def test_perfect_predictor_and_normalisation() -> None:
    actions = noop_actions(3)
    actions[1, 2] = 1
    onehot_x = np.eye(23)[actions[:, 13]]
    onehot_y = np.eye(15)[actions[:, 14]]
    perfect = offline_scores(actions, HeadProbs(actions[:, :13].astype(float), onehot_x,
                                                onehot_y))
    assert perfect["nll_bits"] == 0.0 and perfect["f1/s"] == 1.0
    ref = offline_scores(actions, uniform(3))
    norm = normalised_scores(perfect, ref)
    assert norm["nll_bits"] == pytest.approx(1.0) and norm["mouse_x_top1"] == pytest.approx(1.0)
    assert normalised_scores(ref, ref)["nll_bits"] == pytest.approx(0.0)


def test_bad_probabilities_are_refused() -> None:
    with pytest.raises(EvaluationError, match="wrong shape"):
        HeadProbs(np.zeros((2, 12)), np.full((2, 23), 1 / 23), np.full((2, 15), 1 / 15))
    with pytest.raises(EvaluationError, match="sum to 1"):
        HeadProbs(np.zeros((2, 13)), np.full((2, 23), 0.5), np.full((2, 15), 1 / 15))
    with pytest.raises(EvaluationError, match=r"\[0, 1\]"):
        HeadProbs(np.full((2, 13), 2.0), np.full((2, 23), 1 / 23), np.full((2, 15), 1 / 15))
    with pytest.raises(EvaluationError, match="disagree on the frames"):
        offline_scores(noop_actions(3), uniform(2))


def constructed_dataset() -> tuple[np.ndarray, np.ndarray]:
    """Two episodes of 3 and 2 steps; only ``w`` and mouse x change."""
    actions = noop_actions(5)
    actions[:, 0] = [1, 1, 0, 1, 1]
    actions[:, 13] = [11, 11, 11, 5, 11]
    starts = np.array([True, False, False, True, False])
    return actions, starts


def test_repeat_previous_by_hand() -> None:
    actions, starts = constructed_dataset()
    prev = previous_actions(actions, starts)
    assert prev[:, 0].tolist() == [0, 1, 1, 0, 1]  # episode starts repeat the no-op
    assert prev[:, 13].tolist() == [11, 11, 11, 11, 5]
    s = offline_scores(actions, repeat_previous_probs(actions, starts))
    eps = REFERENCE_EPSILON
    hit2, miss2 = 1 - eps + eps / 2, eps / 2
    hit23, miss23 = 1 - eps + eps / 23, eps / 23
    hit15 = 1 - eps + eps / 15
    # w: misses at steps 0, 2, 3 (0 vs 1, 1 vs 0, 0 vs 1); mouse x: misses at 3 and 4
    w_bits = (3 * -math.log2(miss2) + 2 * -math.log2(hit2)) / 5
    x_bits = (2 * -math.log2(miss23) + 3 * -math.log2(hit23)) / 5
    other = 12 * -math.log2(hit2) - math.log2(hit15)  # 12 binary heads + mouse y, all hits
    assert s["nll_bits/w"] == pytest.approx(w_bits)
    assert s["nll_bits/mouse_x"] == pytest.approx(x_bits)
    assert s["nll_bits"] == pytest.approx(w_bits + x_bits + other)
    assert s["f1/w"] == pytest.approx(4 / 7)  # TP steps 1, 4; FP step 2; FN steps 0, 3
    assert s["mouse_x_top1"] == pytest.approx(3 / 5)
    assert s["mouse_x_mae"] == pytest.approx((60 + 60) / 5)  # bin 5 is -60 counts


def test_training_marginal_by_hand() -> None:
    actions, _ = constructed_dataset()
    probs = marginal_probs(actions, 5)
    eps = REFERENCE_EPSILON
    p_w = (1 - eps) * 0.8 + eps / 2
    assert probs.binary[0, 0] == pytest.approx(p_w)
    assert probs.mouse_x[0, 11] == pytest.approx((1 - eps) * 0.8 + eps / 23)
    assert probs.mouse_x[0, 0] == pytest.approx(eps / 23)  # never seen, still finite
    s = offline_scores(actions, probs)
    assert s["f1/w"] == pytest.approx(2 * 4 / (2 * 4 + 1))  # always predicts w: FP 1
    assert s["mouse_x_top1"] == pytest.approx(4 / 5)
    assert s["nll_bits/w"] == pytest.approx((4 * -math.log2(p_w) + -math.log2(1 - p_w)) / 5)
