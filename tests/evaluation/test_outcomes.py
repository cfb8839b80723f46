"""Lives, kills per life, shots per kill from per-tick flags, and the two-sample comparison."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from csgo_env.errors import EvaluationError
from csgo_env.evaluation.outcomes import (
    compare,
    compare_outcomes,
    episode_lives,
    pooled,
    samples_for_plot,
)


def flags(n: int, at: list[int]) -> np.ndarray:
    out = np.zeros(n, bool)
    out[at] = True
    return out


def test_lives_by_hand() -> None:
    n = 100
    death = flags(n, [10, 42, 90])       # two complete lives: steps 11..42 and 43..90
    kill = flags(n, [5, 20, 30, 41, 60])  # kill 5 is before the first death (censored)
    fire = flags(n, [3, 15, 16, 17, 25, 55, 56, 58])
    alive = np.ones(n, bool)
    alive[11:20] = False                 # 9 respawn ticks in the first life
    s = episode_lives(kill, death, fire.astype(float), alive)
    assert s.kills_per_life.tolist() == [3.0, 1.0]
    assert s.lifetime.tolist() == [(32 - 9) / 16, 48 / 16]
    # marks (kill | death): 5 10 20 30 41 42 60 90; kills with a previous mark:
    # 20 (after death 10: fire 15,16,17 -> 3), 30 (after 20: 25 -> 1), 41 (-> 0), 60 (55,56,58)
    assert s.shots_per_kill.tolist() == [3.0, 1.0, 0.0, 3.0]
    no_alive = episode_lives(kill, death, fire)
    assert no_alive.lifetime.tolist() == [32 / 16, 48 / 16]
    assert "respawn" in no_alive.lifetime_method


def test_pooling_refuses_mixed_lifetime_methods() -> None:
    n = 50
    a = episode_lives(flags(n, [20]), flags(n, [5, 30]), alive=np.ones(n, bool))
    b = episode_lives(flags(n, [20]), flags(n, [5, 30]))
    assert pooled([a, a]).lifetime.size == 2
    with pytest.raises(EvaluationError, match="differently"):
        pooled([a, b])


def test_compare_is_scipy_wasserstein_and_mann_whitney() -> None:
    rng = np.random.default_rng(0)
    a, h = rng.exponential(20, 200), rng.exponential(30, 300)
    out = compare(a, h)
    assert out["wasserstein"] == pytest.approx(stats.wasserstein_distance(a, h))
    assert out["p_value"] == pytest.approx(stats.mannwhitneyu(a, h).pvalue)
    assert "Mann-Whitney" in str(out["test"]) and out["n_agent"] == 200
    same = compare(h[:150], h[150:])
    assert same["p_value"] > 0.01
    ks = compare(a, h, test="ks")
    assert ks["p_value"] == pytest.approx(stats.ks_2samp(a, h).pvalue)
    empty = compare(np.zeros(0), h)
    assert np.isnan(empty["wasserstein"]) and np.isnan(empty["p_value"])


def test_compare_outcomes_and_plot(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from csgo_env.evaluation.figures import plot_distributions

    rng = np.random.default_rng(1)
    n = 4000
    human = episode_lives(rng.random(n) < 0.02, rng.random(n) < 0.01, rng.random(n) < 0.2)
    agent = episode_lives(rng.random(n) < 0.01, rng.random(n) < 0.01, rng.random(n) < 0.4)
    out = compare_outcomes(agent, human)
    assert set(out) == {"lifetime", "kills_per_life", "shots_per_kill"}
    assert out["shots_per_kill"]["unit"] == "shots" and out["lifetime"]["unit"] == "s"
    assert out["shots_per_kill"]["p_value"] < 0.05  # agent fires twice as often per kill
    path = plot_distributions(samples_for_plot({"agent": agent, "human": human}),
                              tmp_path / "outcomes.png", synthetic=True)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
