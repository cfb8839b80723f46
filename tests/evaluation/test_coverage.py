"""Radar frames, occupancy grids, kill locations and the two coverage distances."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import wasserstein_distance

from csgo_env.errors import EvaluationError
from csgo_env.evaluation.coverage import (
    PAPER_LABEL,
    compare_coverage,
    kill_positions,
    occupancy_by_team,
    occupancy_grid,
    paper_compatible_distance,
)
from csgo_env.evaluation.maps import MAPS, frame_from_extent, get_map


def test_dust2_frame_matches_the_published_constants() -> None:
    dust2 = get_map("de_dust2")
    assert (dust2.pos_x, dust2.pos_y, dust2.scale) == (-2476.0, 3239.0, 4.4)
    assert dust2.extent == pytest.approx((-2476.0, -2476.0 + 4505.6, 3239.0 - 4505.6, 3239.0))
    assert dust2.cell_size(120) == pytest.approx(37.5467, abs=1e-4)
    # the radar's top-left corner is cell (0, 0); one cell east and south is (1, 1)
    row, col, inside = dust2.world_to_cell(np.array([-2475.0, -2476 + 40.0]),
                                           np.array([3238.0, 3239 - 40.0]))
    assert row.tolist() == [0, 1] and col.tolist() == [0, 1] and inside.all()
    xs, ys = dust2.cell_centres(120)
    r, c, _ = dust2.world_to_cell(xs[[5, 77]], ys[[9, 100]])
    assert c.tolist() == [5, 77] and r.tolist() == [9, 100]


def test_every_recorded_map_has_a_frame_or_says_why_not() -> None:
    assert set(MAPS) == {"de_dust2", "de_mirage", "de_inferno", "de_nuke"}
    assert all(m.confirmed and "overview" in m.source for m in MAPS.values())
    with pytest.raises(EvaluationError, match="frame_from_extent"):
        get_map("aim_map")
    frame = frame_from_extent("aim_map", np.array([-100.0, 300.0]), np.array([50.0, 150.0]))
    assert not frame.confirmed and "data extent" in frame.source
    assert frame.extent[0] < -100 < 300 < frame.extent[1]
    assert frame.extent[2] < 50 < 150 < frame.extent[3]
    assert frame.extent[1] - frame.extent[0] == pytest.approx(frame.extent[3] - frame.extent[2])


def test_occupancy_counts_inside_outside_and_missing() -> None:
    dust2 = get_map("de_dust2")
    xs, ys = dust2.cell_centres(120)
    x = np.array([xs[3], xs[3], xs[50], 99999.0, np.nan])
    y = np.array([ys[7], ys[7], ys[60], 0.0, 0.0])
    occ = occupancy_grid(x, y, dust2)
    assert occ.grid.shape == (120, 120) and occ.total == 3.0
    assert occ.grid[7, 3] == 2.0 and occ.grid[60, 50] == 1.0
    assert occ.outside == 1  # the NaN (missing metadata) is not counted as outside


def test_per_team_grids_and_kill_locations() -> None:
    dust2 = get_map("de_dust2")
    xs, ys = dust2.cell_centres(120)
    x, y = xs[[1, 2, 3, 4]], ys[[1, 2, 3, 4]]
    grids = occupancy_by_team(x, y, np.array(["T", "T", "CT", "?"]), dust2)
    assert grids["all"].total == 4 and grids["T"].total == 2 and grids["CT"].total == 1
    kx, ky = kill_positions(x, y, np.array([0, 1, 0, 1]))
    assert kx.tolist() == [xs[2], xs[4]] and ky.tolist() == [ys[2], ys[4]]


def test_paper_compatible_number_is_scipy_on_the_flattened_histograms() -> None:
    rng = np.random.default_rng(0)
    hx, hy = rng.normal(0, 800, 5000), rng.normal(500, 600, 5000)
    ax, ay = rng.normal(300, 500, 3000), rng.normal(300, 900, 3000)
    extent = [[hx.min(), hx.max()], [hy.min(), hy.max()]]
    h_human, _, _ = np.histogram2d(hx, hy, bins=60, range=extent)
    h_agent, _, _ = np.histogram2d(ax, ay, bins=60, range=extent)
    expected = wasserstein_distance((h_human / h_human.sum()).ravel(),
                                    (h_agent / h_agent.sum()).ravel())
    assert paper_compatible_distance(hx, hy, ax, ay) == pytest.approx(expected, rel=1e-12)


def test_compare_coverage_reports_both_numbers_with_their_methods() -> None:
    dust2 = get_map("de_dust2")
    rng = np.random.default_rng(1)
    hx, hy = rng.normal(-200, 400, 4000), rng.normal(800, 400, 4000)
    team = np.where(rng.random(4000) < 0.5, "T", "CT")
    shift = 10 * dust2.cell_size(120)  # an exact number of cells east
    out = compare_coverage((hx, hy), (hx + shift, hy), dust2, human_team=team, agent_team=team)
    assert set(out) == {"all", "T", "CT", "paper_compatible"}
    for key in ("all", "T", "CT"):
        entry = out[key]
        assert isinstance(entry, dict)
        # nothing crossed the radar's edge, so the grids are copies shifted by 10 cells
        assert entry["human_outside"] == entry["agent_outside"] == 0
        assert entry["spatial_emd"] == pytest.approx(shift, rel=1e-9)
        assert entry["spatial_emd_method"]["description"].startswith("exact")
    assert out["paper_compatible"]["label"] == PAPER_LABEL


def test_heatmap_figure_is_written_in_world_coordinates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from csgo_env.evaluation.figures import plot_heatmaps

    dust2 = get_map("de_dust2")
    rng = np.random.default_rng(2)
    grid = occupancy_grid(rng.normal(0, 500, 2000), rng.normal(900, 500, 2000), dust2).grid
    first = plot_heatmaps({"human": grid, "agent": grid[::-1]}, dust2, tmp_path / "a.png",
                          synthetic=True)
    second = plot_heatmaps({"human": grid, "agent": grid[::-1]}, dust2, tmp_path / "b.png",
                           synthetic=True)
    assert first.read_bytes()[:4] == b"\x89PNG"
    assert first.read_bytes() == second.read_bytes()  # no timestamp in the file
