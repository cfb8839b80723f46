"""Map coverage: occupancy grids on a radar frame, kill locations, and their distances.

Positions are world coordinates (CS:GO units; x east, y north) as in the recordings'
metadata (``localpos1``, ``localpos2``) or the live game's memory. A grid is a
``cells x cells`` float64 array of counts (ticks spent in each cell, or kills scored from
it) on the frame of :mod:`csgo_env.evaluation.maps`, row 0 north, column 0 west.

Two distances are reported side by side (:func:`compare_grids`):

* the **spatial EMD** (:func:`csgo_env.evaluation.emd.spatial_emd`): exact 1-Wasserstein
  distance with the Euclidean ground distance in world units between cell centres;
* the **paper-compatible** number (:func:`paper_compatible_distance`): Pearce & Zhu's
  comparison, SciPy's 1-D ``wasserstein_distance`` between the two *flattened*, normalised
  60x60 histograms over the human data's extent. It treats the bin heights as samples and
  ignores where the bins are, so it is not a spatial distance; it is labelled as such
  wherever it appears.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from csgo_env.errors import EvaluationError, explain
from csgo_env.evaluation.emd import spatial_emd
from csgo_env.evaluation.maps import GRID_CELLS, MapFrame

PAPER_BINS = 60
"""Bins per side of the paper-compatible histogram (Pearce & Zhu)."""
PAPER_LABEL = ("paper-compatible (Pearce & Zhu): SciPy 1-D wasserstein_distance between the "
               "flattened normalised 60x60 histograms over the human data's extent; not a "
               "spatial distance")
TEAMS = ("T", "CT")


@dataclass(frozen=True)
class Occupancy:
    """A grid (cells, cells) float64 of counts, the positions that fell outside the frame
    (``outside``, not in the grid), and the frame it lives on."""

    grid: np.ndarray
    outside: int
    frame: MapFrame

    @property
    def total(self) -> float:
        """Counts inside the frame."""
        return float(self.grid.sum())


def _xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise EvaluationError(explain("x and y differ in length", got=f"{x.size} and {y.size}"))
    return x, y


def occupancy_grid(x: np.ndarray, y: np.ndarray, frame: MapFrame, *, cells: int = GRID_CELLS,
                   weights: np.ndarray | None = None) -> Occupancy:
    """Count world positions ``(x, y)`` (N,) into a ``cells x cells`` grid of ``frame``.

    ``weights`` (N,) adds that much per position instead of 1 (e.g. seconds per tick).
    NaN positions (missing metadata) are neither counted nor reported as outside.
    """
    x, y = _xy(x, y)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=np.float64).ravel()
    if w.shape != x.shape:
        raise EvaluationError(explain("weights must match the positions",
                                      expected=str(x.shape), got=str(w.shape)))
    known = np.isfinite(x) & np.isfinite(y)
    row, col, inside = frame.world_to_cell(x, y, cells)
    keep = known & inside
    grid = np.zeros((cells, cells), dtype=np.float64)
    np.add.at(grid, (row[keep], col[keep]), w[keep])
    return Occupancy(grid, int((known & ~inside).sum()), frame)


def occupancy_by_team(x: np.ndarray, y: np.ndarray, team: np.ndarray | None, frame: MapFrame,
                      *, cells: int = GRID_CELLS) -> dict[str, Occupancy]:
    """Grids ``{"all": ..., "T": ..., "CT": ...}``; the team entries only where ``team``
    (N,) of strings is given and holds them (other labels count only towards "all")."""
    x, y = _xy(x, y)
    out = {"all": occupancy_grid(x, y, frame, cells=cells)}
    if team is None:
        return out
    labels = np.asarray(team).astype(str).ravel()
    if labels.shape != x.shape:
        raise EvaluationError(explain("team must match the positions",
                                      expected=str(x.shape), got=str(labels.shape)))
    for name in TEAMS:
        mask = labels == name
        if mask.any():
            out[name] = occupancy_grid(x[mask], y[mask], frame, cells=cells)
    return out


def kill_positions(x: np.ndarray, y: np.ndarray, kill: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Where the shooter stood at each kill: positions (N,) at the ticks whose kill flag
    (N,) is set, i.e. the position of the same tick as the flag."""
    x, y = _xy(x, y)
    flags = np.asarray(kill).astype(bool).ravel()
    if flags.shape != x.shape:
        raise EvaluationError(explain("kill flags must match the positions",
                                      expected=str(x.shape), got=str(flags.shape)))
    return x[flags], y[flags]


def paper_histogram(x: np.ndarray, y: np.ndarray,
                    extent: tuple[float, float, float, float], bins: int = PAPER_BINS
                    ) -> np.ndarray:
    """Normalised (bins, bins) histogram of positions over ``extent`` = (x_min, x_max,
    y_min, y_max); positions outside the extent are dropped (as ``np.histogram2d`` does)."""
    x, y = _xy(x, y)
    ok = np.isfinite(x) & np.isfinite(y)
    hist, _, _ = np.histogram2d(x[ok], y[ok], bins=bins,
                                range=[[extent[0], extent[1]], [extent[2], extent[3]]])
    total = hist.sum()
    if total <= 0:
        raise EvaluationError(explain("no positions inside the human data's extent",
                                      got=f"{int(ok.sum())} positions"))
    return hist / total


def human_extent(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(x_min, x_max, y_min, y_max) of the finite human positions."""
    x, y = _xy(x, y)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise EvaluationError(explain("no finite human positions", got=f"{x.size} positions"))
    return (float(x[ok].min()), float(x[ok].max()), float(y[ok].min()), float(y[ok].max()))


def paper_compatible_distance(human_x: np.ndarray, human_y: np.ndarray, agent_x: np.ndarray,
                              agent_y: np.ndarray, *, bins: int = PAPER_BINS) -> float:
    """Pearce & Zhu's coverage number (see :data:`PAPER_LABEL`): both position sets binned
    into normalised ``bins x bins`` histograms over the human positions' extent, then
    ``scipy.stats.wasserstein_distance(h_human.ravel(), h_agent.ravel())``. Unitless."""
    from scipy.stats import wasserstein_distance

    extent = human_extent(human_x, human_y)
    h_human = paper_histogram(human_x, human_y, extent, bins)
    h_agent = paper_histogram(agent_x, agent_y, extent, bins)
    return float(wasserstein_distance(h_human.ravel(), h_agent.ravel()))


def compare_grids(human: Occupancy, agent: Occupancy, *, method: str = "multiscale"
                  ) -> dict[str, object]:
    """Spatial EMD (world units) between two grids of the same frame, with its method,
    the frame and the counts left outside it."""
    if human.frame != agent.frame or human.grid.shape != agent.grid.shape:
        raise EvaluationError(explain("grids are on different frames",
                                      expected=f"{human.frame.name} {human.grid.shape}",
                                      got=f"{agent.frame.name} {agent.grid.shape}"))
    result = spatial_emd(human.grid, agent.grid, human.frame.cell_size(human.grid.shape[0]),
                         method=method)
    return {"spatial_emd": result.value, "unit": "world units",
            "spatial_emd_method": result.to_dict(), "frame": human.frame.to_dict(),
            "cells": int(human.grid.shape[0]), "human_outside": human.outside,
            "agent_outside": agent.outside}


def compare_coverage(human_xy: tuple[np.ndarray, np.ndarray],
                     agent_xy: tuple[np.ndarray, np.ndarray], frame: MapFrame, *,
                     human_team: np.ndarray | None = None, agent_team: np.ndarray | None = None,
                     cells: int = GRID_CELLS) -> dict[str, object]:
    """Coverage of an agent against human data: per team where both sides know it, and
    for everyone ("all"): spatial EMD with its method, and the paper-compatible number
    beside it (computed on the "all" positions only), labelled."""
    human = occupancy_by_team(*human_xy, human_team, frame, cells=cells)
    agent = occupancy_by_team(*agent_xy, agent_team, frame, cells=cells)
    out: dict[str, object] = {}
    for key in ("all", *TEAMS):
        if key in human and key in agent and human[key].total > 0 and agent[key].total > 0:
            out[key] = compare_grids(human[key], agent[key])
    out["paper_compatible"] = {"value": paper_compatible_distance(*human_xy, *agent_xy),
                               "label": PAPER_LABEL}
    return out


def normalised(grids: Mapping[str, Occupancy]) -> dict[str, np.ndarray]:
    """Each grid divided by its total (empty grids stay zero)."""
    return {k: (g.grid / g.total if g.total > 0 else g.grid) for k, g in grids.items()}


__all__ = ["PAPER_BINS", "PAPER_LABEL", "TEAMS", "Occupancy", "compare_coverage",
           "compare_grids", "human_extent", "kill_positions", "occupancy_by_team",
           "occupancy_grid", "paper_compatible_distance", "paper_histogram"]
