"""Spatial EMD: hand-checked values, agreement of the three exact methods, POT's trap."""

from __future__ import annotations

import numpy as np
import pytest

from csgo_env.errors import EvaluationError
from csgo_env.evaluation import emd_multiscale
from csgo_env.evaluation.emd import check_result, spatial_emd
from csgo_env.evaluation.maps import get_map

DUST2_CELL = get_map("de_dust2").cell_size(120)  # 37.547 world units


def blobs(seed: int, size: int = 120, n: int = 6, margin: int = 12) -> np.ndarray:
    """A few Gaussian blobs clipped to a sparse support, away from the borders."""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices((size, size))
    grid = np.zeros((size, size))
    for _ in range(n):
        r, c = rng.integers(margin, size - margin, 2)
        width = rng.uniform(1.5, 4.0)
        grid += rng.uniform(0.5, 2.0) * np.exp(-((rows - r) ** 2 + (cols - c) ** 2)
                                                / (2 * width ** 2))
    grid[grid < 0.05 * grid.max()] = 0.0
    return grid


@pytest.mark.parametrize("method", ["multiscale", "dense", "plain"])
@pytest.mark.parametrize(("dr", "dc"), [(3, 4), (0, 7), (-5, 12)])
def test_shifted_copy_is_at_distance_d(method: str, dr: int, dc: int) -> None:
    grid = blobs(1, margin=30)
    shifted = np.zeros_like(grid)
    shifted[max(dr, 0):120 + min(dr, 0), max(dc, 0):120 + min(dc, 0)] = \
        grid[max(-dr, 0):120 - max(dr, 0), max(-dc, 0):120 - max(dc, 0)]
    assert shifted.sum() == pytest.approx(grid.sum())  # nothing fell off the grid
    d = DUST2_CELL * float(np.hypot(dr, dc))
    result = spatial_emd(grid, shifted, DUST2_CELL, method=method)
    assert result.value == pytest.approx(d, rel=1e-9)
    assert result.method == method and result.description.startswith("exact")


def test_mass_scale_does_not_matter_and_identical_grids_are_zero() -> None:
    grid = blobs(2)
    assert spatial_emd(grid, 7.0 * grid, DUST2_CELL).value == pytest.approx(0.0, abs=1e-9)
    one = np.zeros((10, 10))
    one[2, 3] = 1.0
    other = np.zeros((10, 10))
    other[5, 7] = 4.0  # 3 rows, 4 columns away: 5 cells
    assert spatial_emd(one, other, 2.0).value == pytest.approx(10.0)


def test_two_point_split_by_hand() -> None:
    a = np.zeros((5, 5))
    a[0, 0] = 1.0
    b = np.zeros((5, 5))
    b[0, 4] = 0.5  # half the mass 4 cells east, half 3 cells south
    b[3, 0] = 0.5
    assert spatial_emd(a, b, 10.0).value == pytest.approx(35.0)


def test_multiscale_matches_plain_on_realistic_grids(monkeypatch: pytest.MonkeyPatch) -> None:
    # force the sparse, certified path (with its recursion) at a size plain solves quickly
    monkeypatch.setattr(emd_multiscale, "DENSE_PAIRS", 500)
    a, b = blobs(3, size=48, n=10, margin=3), blobs(4, size=48, n=10, margin=3)
    plain = spatial_emd(a, b, DUST2_CELL, method="plain")
    dense = spatial_emd(a, b, DUST2_CELL, method="dense")
    sparse = spatial_emd(a, b, DUST2_CELL, method="multiscale")
    assert sparse.method == "multiscale" and sparse.rounds >= 1
    assert sparse.arcs < sparse.sources * sparse.sinks  # really sparse
    assert sparse.value == pytest.approx(plain.value, rel=1e-10)
    assert dense.value == pytest.approx(plain.value, rel=1e-10)
    assert sparse.dual_gap <= 1e-9 * plain.value


def test_odd_sized_grids_pool_with_padding(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emd_multiscale, "DENSE_PAIRS", 300)
    a, b = blobs(5, size=37, n=8, margin=3), blobs(6, size=37, n=8, margin=3)
    plain = spatial_emd(a, b, 5.0, method="plain").value
    assert spatial_emd(a, b, 5.0).value == pytest.approx(plain, rel=1e-10)


def test_bad_grids_are_refused() -> None:
    good = blobs(7, size=20, margin=3)
    with pytest.raises(EvaluationError, match="differ in shape"):
        spatial_emd(good, good[:10], 1.0)
    with pytest.raises(EvaluationError, match="empty"):
        spatial_emd(good, np.zeros_like(good), 1.0)
    bad = good.copy()
    bad[0, 0] = -1.0
    with pytest.raises(EvaluationError, match="non-negative"):
        spatial_emd(good, bad, 1.0)
    with pytest.raises(EvaluationError, match="unknown EMD method"):
        spatial_emd(good, good, 1.0, method="sinkhorn")


@pytest.mark.filterwarnings("ignore:numItermax reached")
def test_a_stopped_solver_is_an_error_not_a_value() -> None:
    # POT reports result code 3 (MAX_ITER_REACHED) with only a warning; we refuse it
    import ot
    from scipy.spatial.distance import cdist

    rng = np.random.default_rng(0)
    xa, xb = rng.normal(size=(300, 2)), rng.normal(size=(300, 2))
    _, log = ot.emd2(np.full(300, 1 / 300), np.full(300, 1 / 300), cdist(xa, xb),
                     numItermax=50, log=True)
    assert log["result_code"] == 3
    with pytest.raises(EvaluationError, match="did not reach the optimum"):
        check_result(log, "test")
