"""A live run scored against a dataset: coverage EMD and outcome distributions.

:class:`LiveReference` holds what a dataset's players did (through
:func:`csgo_env.evaluation.human_reference.human_reference`, cached by dataset id and
version): the occupancy grid of their positions on the map's radar frame (or, for maps
without an overview such as the arena's aim map, a frame fitted to their positions and
marked unconfirmed; the arena's own floor plan when asked), their outcome samples
(lifetimes, kills per life, shots per kill) and their kills per minute. The positions
need the recordings' metadata files.

:meth:`LiveReference.run_metrics` scores one run's
:class:`~csgo_env.evaluation.live_trace.RunTrace`:

- ``coverage_emd``: exact spatial EMD (world units, :func:`~csgo_env.evaluation.coverage.
  compare_grids`) between the run's occupancy grid (alive steps with a pose) and the
  reference's; null when the run has no pose;
- ``outcomes/<quantity>_w1`` and ``outcomes/<quantity>_p``: 1-D Wasserstein distance and
  two-sided Mann-Whitney p-value of each outcome quantity against the reference (null when
  the run has no such sample).

and returns the details (EMD method record, frame, counts outside it) beside them.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from csgo_env.evaluation.coverage import Occupancy, compare_grids, occupancy_grid
from csgo_env.evaluation.live_trace import RunTrace
from csgo_env.evaluation.maps import MapFrame
from csgo_env.evaluation.outcomes import UNITS, LifeStats, compare


def frame_from_dict(d: dict[str, Any]) -> MapFrame:
    """The :class:`MapFrame` written by ``MapFrame.to_dict``."""
    return MapFrame(str(d["map"]), float(d["pos_x"]), float(d["pos_y"]), float(d["scale"]),
                    str(d["source"]), bool(d.get("confirmed", True)),
                    int(d.get("radar_px", 1024)), str(d.get("note", "")))


@dataclass(frozen=True)
class LiveReference:
    """A dataset's reference numbers for live runs (module docstring)."""

    dataset_id: str
    dataset_version: str
    synthetic: bool
    kills_per_minute: float
    outcomes: LifeStats
    occupancy: Occupancy | None

    @classmethod
    def from_dataset(cls, dataset_id: str, root: str | os.PathLike[str] | None = None, *,
                     metadata: tuple[str | os.PathLike[str], ...] = (),
                     frame: MapFrame | None = None) -> LiveReference:
        """Build (or read from the cache) the reference of a converted dataset (``frame``:
        grids on it instead of the map's, e.g. :data:`~csgo_env.evaluation.maps.
        ARENA_FRAME`)."""
        from csgo_env.evaluation.human_reference import human_reference

        numbers, grids = human_reference(dataset_id, root, metadata=metadata, frame=frame)
        samples = {k: np.asarray(v, np.float64) for k, v in numbers["samples"].items()}
        outcomes = LifeStats(samples["lifetime"], samples["kills_per_life"],
                             samples["shots_per_kill"], str(numbers["lifetime_method"]))
        occupancy = None
        if "occupancy/all" in grids and "frame" in numbers:
            occupancy = Occupancy(np.asarray(grids["occupancy/all"], np.float64), 0,
                                  frame_from_dict(numbers["frame"]))
        return cls(str(numbers["dataset_id"]), str(numbers["dataset_version"]),
                   bool(numbers.get("synthetic", False)), float(numbers["kills_per_minute"]),
                   outcomes, occupancy)

    def describe(self) -> dict[str, Any]:
        """Plain data naming the reference (kept in every scored run record)."""
        return {"dataset_id": self.dataset_id, "dataset_version": self.dataset_version,
                "synthetic": self.synthetic, "kills_per_minute": self.kills_per_minute,
                "lifetime_method": self.outcomes.lifetime_method,
                "frame": None if self.occupancy is None else self.occupancy.frame.to_dict()}

    def coverage(self, x: np.ndarray, y: np.ndarray, alive: np.ndarray
                 ) -> tuple[float | None, dict[str, Any] | None]:
        """``(coverage_emd, details)`` of positions ``x``, ``y`` (world units, NaN unknown)
        at the steps where ``alive`` is nonzero (-1, unknown, counts as alive); ``(None,
        None)`` without reference positions or run positions."""
        x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
        keep = np.isfinite(x) & np.isfinite(y) & (np.asarray(alive) != 0)
        if self.occupancy is None or not keep.any():
            return None, None
        agent = occupancy_grid(x[keep], y[keep], self.occupancy.frame,
                               cells=self.occupancy.grid.shape[0])
        if agent.total == 0:
            return None, {"note": "every position fell outside the frame",
                          "agent_outside": agent.outside}
        result = compare_grids(self.occupancy, agent)
        return float(result["spatial_emd"]), result  # type: ignore[arg-type]

    def run_metrics(self, trace: RunTrace) -> tuple[dict[str, float | None], dict[str, Any]]:
        """``(metrics, details)`` of one run (module docstring)."""
        x, y = trace.positions()
        emd, coverage = self.coverage(x, y, np.array(trace.alive))
        metrics: dict[str, float | None] = {"coverage_emd": emd}
        details: dict[str, Any] = {"reference": self.describe()}
        if coverage is not None:
            details["coverage"] = coverage
        lives = trace.life_stats()
        outcome: dict[str, Any] = {}
        for name in UNITS:
            cmp = compare(lives.as_dict()[name], self.outcomes.as_dict()[name])
            outcome[name] = cmp
            for key, field in (("w1", "wasserstein"), ("p", "p_value")):
                value = float(cmp[field])  # type: ignore[arg-type]
                metrics[f"outcomes/{name}_{key}"] = value if math.isfinite(value) else None
        details["outcomes"] = outcome
        return metrics, details


__all__ = ["LiveReference", "frame_from_dict"]
