"""Networks and per-head operations: shapes, the Q decomposition, step = sequence."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from csgo_env.actions import NVEC
from csgo_env.baselines import heads
from csgo_env.baselines.encoders import ENCODER_PRESETS, augment_brightness_contrast, build_encoder
from csgo_env.baselines.networks import FactoredNet, ModelConfig
from csgo_env.errors import TrainConfigError


def _obs(b: int, steps: int, k: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    shape = (b, steps, k, 150, 280, 3) if k > 1 else (b, steps, 150, 280, 3)
    return torch.randint(0, 256, shape, dtype=torch.uint8, generator=g)


@pytest.mark.parametrize("k,core", [(1, "none"), (3, "none"), (2, "gru")])
def test_output_shapes(k: int, core: str) -> None:
    net = FactoredNet(ModelConfig(encoder="impala-tiny", frame_stack=k, core=core,
                                  core_size=16), heads=("logits", "q", "v"))
    out, state = net(_obs(2, 5, k))
    assert out["logits"].shape == (2, 5, 64) and out["q"].shape == (2, 5, 64)
    assert out["v"].shape == (2, 5)
    assert (state is None) == (core == "none")
    if state is not None:
        assert state.shape == (2, 16)


def test_recurrent_steps_equal_the_sequence_forward() -> None:
    torch.manual_seed(0)
    net = FactoredNet(ModelConfig(encoder="impala-tiny", frame_stack=2, core="gru",
                                  core_size=16)).eval()
    obs = _obs(1, 6, 2, seed=1)
    with torch.no_grad():
        seq, last = net(obs)
        state = None
        for t in range(6):
            out, state = net.step(obs[:, t], state)
            torch.testing.assert_close(out["logits"], seq["logits"][:, t], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(state, last, rtol=1e-4, atol=1e-5)


def test_per_head_operations_match_a_direct_computation() -> None:
    g = torch.Generator().manual_seed(0)
    q = torch.randn(7, 64, generator=g)
    actions = torch.stack([torch.randint(0, n, (7,), generator=g) for n in NVEC], dim=1)
    offsets = np.cumsum((0, *NVEC))
    rows = torch.arange(7)
    direct = sum(q[rows, offsets[i] + actions[:, i]] for i in range(15))
    torch.testing.assert_close(heads.action_values(q, actions), direct)
    lse = torch.stack([torch.logsumexp(q[:, offsets[i]:offsets[i + 1]], -1) for i in range(15)], 1)
    torch.testing.assert_close(heads.head_logsumexp(q), lse)
    nll = torch.stack([-torch.log_softmax(q[:, offsets[i]:offsets[i + 1]], -1)
                       .gather(1, actions[:, i:i + 1])[:, 0] for i in range(15)], 1)
    torch.testing.assert_close(heads.nll(q, actions), nll)
    best = heads.greedy(q)
    torch.testing.assert_close(heads.action_values(q, best), heads.head_max(q))
    # the greedy action beats every action differing in up to two heads
    for i, j in itertools.combinations(range(15), 2):
        for ai, aj in ((0, 1), (1, 0), (NVEC[i] - 1, 0)):
            other = best.clone()
            other[:, i], other[:, j] = ai % NVEC[i], aj % NVEC[j]
            assert bool((heads.action_values(q, other) <= heads.head_max(q) + 1e-6).all())


def test_presets_and_overrides() -> None:
    for name, spec in ENCODER_PRESETS.items():
        enc = build_encoder(name, 1)
        x = torch.rand(2, 3, 150, 280)
        assert enc(x).shape == (2, spec.features)
    enc = build_encoder("impala-tiny", 4, [("channels", [4]), ("features", 8)])
    assert enc(torch.rand(1, 12, 150, 280)).shape == (1, 8)
    with pytest.raises(TrainConfigError, match="unknown encoder"):
        build_encoder("resnet", 1)
    with pytest.raises(TrainConfigError, match="frame stack"):
        FactoredNet(ModelConfig(encoder="impala-tiny", frame_stack=2))(_obs(1, 2, 3))


def test_augmentation_stays_in_range_and_changes_images() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 3, 8, 8, generator=g)
    y = augment_brightness_contrast(x, generator=g)
    assert float(y.min()) >= 0.0 and float(y.max()) <= 1.0
    changed = (y - x).abs().flatten(1).amax(1) > 1e-6
    assert 0.5 < float(changed.float().mean()) < 0.95  # 1 - 0.5 * 0.5 = 75% expected
    same = augment_brightness_contrast(x, p=0.0)
    torch.testing.assert_close(same, x)
