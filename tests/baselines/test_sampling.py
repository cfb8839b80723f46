"""Sampling modes: greedy, full sampling and the dataset authors' play-time rule."""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.actions import KEY_NAMES, MOUSE_X_BINS, MOUSE_X_ZERO_BIN, MOUSE_Y_ZERO_BIN, NVEC
from csgo_env.errors import PolicyError
from csgo_env.policy import IDLE_STEPS, ActionSelector, head_probabilities

OFFSETS = np.cumsum((0, *NVEC))
K = {n: i for i, n in enumerate(KEY_NAMES)}


def _logits(p_on: dict[int, float], mouse_x: int = MOUSE_X_ZERO_BIN,
            mouse_y: int = MOUSE_Y_ZERO_BIN, sharp: float = 8.0) -> np.ndarray:
    z = np.zeros(64)
    for head in range(13):
        p = p_on.get(head, 0.01)
        z[2 * head + 1] = np.log(p / (1 - p))
    z[OFFSETS[13] + mouse_x] = sharp
    z[OFFSETS[14] + mouse_y] = sharp
    return z


def test_probabilities_are_per_head_softmax() -> None:
    probs = head_probabilities(_logits({0: 0.7}))
    assert [len(p) for p in probs] == list(NVEC)
    assert np.isclose(probs[0][1], 0.7) and all(np.isclose(p.sum(), 1) for p in probs)
    with pytest.raises(PolicyError):
        head_probabilities(np.zeros(63))


def test_greedy_and_sample() -> None:
    z = _logits({0: 0.6, 11: 0.4}, mouse_x=15)
    a = ActionSelector("greedy")(z)
    assert a[0] == 1 and a[11] == 0 and a[13] == 15
    sel = ActionSelector("sample", seed=1)
    draws = np.array([sel(z) for _ in range(4000)])
    assert abs(draws[:, 0].mean() - 0.6) < 0.03 and abs(draws[:, 11].mean() - 0.4) < 0.03
    with pytest.raises(PolicyError, match="sampling"):
        ActionSelector("boltzmann")


def test_authors_rule_thresholds_keys_samples_clicks_and_clips_mouse() -> None:
    z = _logits({K["w"]: 0.6, K["ctrl"]: 0.4, K["space"]: 0.3, K["r"]: 0.2, 11: 0.7, 12: 0.1},
                mouse_x=int(np.flatnonzero(MOUSE_X_BINS == 1000)[0]))
    sel = ActionSelector("authors", seed=2)
    draws = np.array([sel(z) for _ in range(4000)])
    assert draws[:, K["w"]].all() and not draws[:, K["ctrl"]].any()  # thresholded at 0.5
    for head, p in ((K["space"], 0.3), (K["r"], 0.2), (11, 0.7), (12, 0.1)):
        assert abs(draws[:, head].mean() - p) < 0.03, head  # sampled
    assert set(MOUSE_X_BINS[draws[:, 13]]) == {300.0}  # argmax 1000 clipped to +300


def test_authors_rule_samples_the_mouse_only_after_idling() -> None:
    z = _logits({}, sharp=1.0)  # greedy: no key, mouse still; mouse softmax broad
    sel = ActionSelector("authors", seed=3)
    actions = np.array([sel(z) for _ in range(IDLE_STEPS + 40)])
    still = (actions[:, 13] == MOUSE_X_ZERO_BIN) & (actions[:, 14] == MOUSE_Y_ZERO_BIN)
    assert still[:IDLE_STEPS].all()
    assert not still[IDLE_STEPS:].all()
    sel.reset()
    assert sel.idle == 0
    assert (sel(z)[13:] == (MOUSE_X_ZERO_BIN, MOUSE_Y_ZERO_BIN)).all()
