"""The action codec: the authors' mouse quantisation on every boundary, lossless round trips,
and clear refusals of malformed actions."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from csgo_env.actions import (
    KEY_NAMES,
    MOUSE_X_BINS,
    MOUSE_Y_BINS,
    NOOP,
    NVEC,
    VECTOR_SIZE,
    Action,
    action_space,
    check_multidiscrete,
    multidiscrete_to_vectors,
    quantize_mouse_x,
    quantize_mouse_y,
    vectors_to_multidiscrete,
)
from csgo_env.errors import InvalidAction

X_BINS = [-1000, -500, -300, -200, -100, -60, -30, -20, -10, -4, -2, 0,
          2, 4, 10, 20, 30, 60, 100, 200, 300, 500, 1000]
Y_BINS = [-200, -100, -50, -20, -10, -4, -2, 0, 2, 4, 10, 20, 50, 100, 200]


def reference_bin(value: float, bins: list[int]) -> int:
    """The authors' rule, written out: clip to the outer bins, nearest bin, first on a tie."""
    value = min(max(value, bins[0]), bins[-1])
    best = 0
    for k, centre in enumerate(bins):
        if abs(value - centre) < abs(value - bins[best]):
            best = k
    return best


def boundary_values(bins: list[int]) -> list[float]:
    """Every midpoint between adjacent bins, one ulp either side, bins and beyond the ends."""
    values: list[float] = []
    for lo, hi in itertools.pairwise(bins):
        mid = (lo + hi) / 2
        values += [mid, np.nextafter(mid, -np.inf), np.nextafter(mid, np.inf),
                   mid - 1e-9, mid + 1e-9]
    values += [float(b) for b in bins]
    values += [bins[0] - 0.5, bins[0] * 5, bins[-1] + 0.5, bins[-1] * 5, bins[0] - 1e9,
               bins[-1] + 1e9]
    return values


def test_bins_are_the_published_ones() -> None:
    assert MOUSE_X_BINS.tolist() == X_BINS and MOUSE_Y_BINS.tolist() == Y_BINS
    assert VECTOR_SIZE == 51 and NVEC == (2,) * 13 + (23, 15)


@pytest.mark.parametrize(("quantize", "bins"), [(quantize_mouse_x, X_BINS),
                                                (quantize_mouse_y, Y_BINS)])
def test_quantisation_on_every_boundary(quantize, bins: list[int]) -> None:
    values = boundary_values(bins)
    expected = [reference_bin(v, bins) for v in values]
    assert quantize(np.array(values)).tolist() == expected  # vectorised
    assert [int(quantize(v)) for v in values] == expected  # scalar
    for k, (lo, hi) in enumerate(itertools.pairwise(bins)):
        mid = (lo + hi) / 2
        assert int(quantize(mid)) == k  # a tie goes to the more negative bin
        assert int(quantize(np.nextafter(mid, np.inf))) == k + 1
        assert int(quantize(np.nextafter(mid, -np.inf))) == k


def test_named_examples() -> None:
    assert MOUSE_X_BINS[quantize_mouse_x(3.0)] == 2
    assert MOUSE_X_BINS[quantize_mouse_x(-3.0)] == -4
    assert MOUSE_X_BINS[quantize_mouse_x(1e6)] == 1000
    assert MOUSE_X_BINS[quantize_mouse_x(-1000.1)] == -1000
    assert MOUSE_Y_BINS[quantize_mouse_y(250)] == 200
    assert MOUSE_Y_BINS[quantize_mouse_y(-3.0)] == -4
    assert MOUSE_Y_BINS[quantize_mouse_y(0.9)] == 0
    with pytest.raises(InvalidAction, match="finite"):
        quantize_mouse_x(np.nan)
    with pytest.raises(InvalidAction, match="finite"):
        quantize_mouse_y([0.0, np.inf])


def random_actions(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.stack([rng.integers(0, k, n) for k in NVEC], axis=1).astype(np.int64)


def test_lossless_round_trips() -> None:
    factored = random_actions(5000, 0)
    vectors = multidiscrete_to_vectors(factored)
    assert vectors.shape == (5000, 51) and vectors.dtype == np.float64
    assert set(np.unique(vectors)) == {0.0, 1.0}
    np.testing.assert_array_equal(vectors[:, 13:36].sum(1), 1)
    np.testing.assert_array_equal(vectors[:, 36:51].sum(1), 1)
    np.testing.assert_array_equal(vectors_to_multidiscrete(vectors), factored)
    for row, vector in zip(factored[:1000], vectors[:1000], strict=True):
        action = Action.from_multidiscrete(row)
        np.testing.assert_array_equal(action.to_multidiscrete(), row)
        np.testing.assert_array_equal(action.to_vector(), vector)
        assert Action.from_vector(vector) == action
        infer_a = action.to_infer_a()
        assert Action.from_infer_a(infer_a) == action
        assert infer_a[1] == MOUSE_X_BINS[row[13]] and infer_a[2] == MOUSE_Y_BINS[row[14]]
        assert infer_a[0] == [k for k, flag in zip(KEY_NAMES, row[:11], strict=True) if flag]
    batch = factored[:24].reshape(2, 3, 4, 15)  # any leading shape
    np.testing.assert_array_equal(vectors_to_multidiscrete(multidiscrete_to_vectors(batch)),
                                  batch)


def test_unquantised_infer_a_is_binned() -> None:
    action = Action.from_infer_a([["w", "a"], 9.239227094280192, -3.079778486194072, 0, 0])
    assert action.keys == {"w", "a"} and action.mouse_dx == 10 and action.mouse_dy == -4
    assert NOOP.to_infer_a() == [[], 0.0, 0.0, 0, 0]
    np.testing.assert_array_equal(NOOP.to_vector()[[24, 43]], [1, 1])
    assert NOOP.to_vector().sum() == 2


def test_invalid_vectors_are_refused() -> None:
    good = NOOP.to_vector()
    with pytest.raises(InvalidAction, match="wrong shape"):
        vectors_to_multidiscrete(good[:50])
    with pytest.raises(InvalidAction, match="wrong shape"):
        vectors_to_multidiscrete(np.append(good, 0))
    two_bins = good.copy()
    two_bins[13] = 1
    with pytest.raises(InvalidAction, match=r"mouse_x block must be one-hot.*2 bins"):
        vectors_to_multidiscrete(two_bins)
    no_y = good.copy()
    no_y[43] = 0
    with pytest.raises(InvalidAction, match=r"mouse_y block must be one-hot.*0 bins"):
        vectors_to_multidiscrete(no_y)
    half = good.copy()
    half[0] = 0.5
    with pytest.raises(InvalidAction, match="not 0 or 1"):
        Action.from_vector(half)
    batch = np.tile(good, (5, 1))
    batch[3, 30] = 1
    with pytest.raises(InvalidAction, match=r"row \(3,\)"):
        vectors_to_multidiscrete(batch)


def test_invalid_factored_actions_and_fields_are_refused() -> None:
    row = NOOP.to_multidiscrete()
    for index, value in ((13, 23), (14, 15), (13, -1), (0, 2)):
        bad = row.copy()
        bad[index] = value
        with pytest.raises(InvalidAction, match="out of range"):
            check_multidiscrete(bad)
    with pytest.raises(InvalidAction, match="wrong shape"):
        Action.from_multidiscrete(row[:14])
    with pytest.raises(InvalidAction, match="integers"):
        check_multidiscrete(row.astype(float) + 0.5)
    with pytest.raises(InvalidAction, match="out of range"):
        Action(mouse_x_bin=23)
    with pytest.raises(InvalidAction, match="integer"):
        Action(mouse_y_bin=True)
    with pytest.raises(InvalidAction, match="unknown key"):
        Action(keys=frozenset({"q"}))
    with pytest.raises(InvalidAction, match="5 items"):
        Action.from_infer_a([["w"], 1.0, 2.0])
    with pytest.raises(InvalidAction, match="0 or 1"):
        Action.from_infer_a([["w"], 1.0, 2.0, 2, 0])


def test_action_space_matches_the_codec() -> None:
    space = action_space(seed=3)
    assert space.nvec.tolist() == list(NVEC) and space.dtype == np.int64
    for _ in range(200):
        sample = space.sample()
        np.testing.assert_array_equal(
            vectors_to_multidiscrete(multidiscrete_to_vectors(sample)), sample)
        assert space.contains(Action.from_multidiscrete(sample).to_multidiscrete())
