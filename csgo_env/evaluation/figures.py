"""Figures for coverage and outcomes: heatmaps in world coordinates, distributions side by side.

matplotlib (the ``eval`` extra) is imported on first use, with the non-interactive Agg
backend; every function writes one PNG atomically and returns its path. Labels carry the
word SYNTHETIC when ``synthetic`` is set.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_bytes
from csgo_env.evaluation.maps import MapFrame


def pyplot() -> Any:
    """matplotlib.pyplot with the Agg backend (imported on first use)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_png(fig: Any, path: str | os.PathLike[str]) -> Path:
    """Write ``fig`` as PNG (no timestamp in the metadata, so equal figures give equal bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})
    pyplot().close(fig)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_bytes(path, buffer.getvalue(), durable=False)


def _title(text: str, synthetic: bool) -> str:
    return f"SYNTHETIC DATA - {text}" if synthetic else text


def plot_heatmaps(grids: Mapping[str, np.ndarray], frame: MapFrame,
                  path: str | os.PathLike[str], *, title: str = "occupancy",
                  synthetic: bool = False) -> Path:
    """One panel per grid (cells, cells), share of mass per cell on a log colour scale,
    axes in world units (x east, y north) over the frame's extent; empty cells blank."""
    from matplotlib.colors import LogNorm

    plt = pyplot()
    names = list(grids)
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.0), squeeze=False)
    shares = {k: np.asarray(g, np.float64) / max(float(np.sum(g)), 1e-300)
              for k, g in grids.items()}
    positive = [s[s > 0] for s in shares.values() if (s > 0).any()]
    lo = min(float(p.min()) for p in positive) if positive else 1e-6
    hi = max(float(p.max()) for p in positive) if positive else 1.0
    norm = LogNorm(vmin=lo, vmax=max(hi, lo * 10))
    image = None
    for ax, name in zip(axes[0], names, strict=True):
        masked = np.ma.masked_less_equal(shares[name], 0.0)
        image = ax.imshow(masked, extent=frame.extent, origin="upper", norm=norm,
                          cmap="inferno", interpolation="nearest")
        ax.set_title(name)
        ax.set_xlabel("world x (units)")
        ax.set_ylabel("world y (units)")
    if image is not None:
        fig.colorbar(image, ax=axes[0].tolist(), shrink=0.8, label="share of mass per cell")
    fig.suptitle(_title(f"{title} on {frame.name}", synthetic))
    return save_png(fig, path)


def plot_distributions(samples: Mapping[str, Mapping[str, np.ndarray]],
                       path: str | os.PathLike[str], *, units: Mapping[str, str] | None = None,
                       synthetic: bool = False) -> Path:
    """One panel per quantity (``samples[quantity][source] = values``): histograms of each
    source side by side (shared bins, densities), e.g. agent vs human lifetimes."""
    plt = pyplot()
    quantities = list(samples)
    fig, axes = plt.subplots(1, len(quantities), figsize=(4.5 * len(quantities), 3.6),
                             squeeze=False)
    for ax, quantity in zip(axes[0], quantities, strict=True):
        groups = {k: np.asarray(v, np.float64) for k, v in samples[quantity].items()}
        values = np.concatenate([g for g in groups.values() if g.size] or [np.zeros(1)])
        bins = np.histogram_bin_edges(values, bins=min(30, max(5, len(np.unique(values)))))
        ax.hist([g for g in groups.values()], bins=bins, density=True,
                label=[f"{k} (n={g.size})" for k, g in groups.items()])
        unit = (units or {}).get(quantity, "")
        ax.set_xlabel(f"{quantity} ({unit})" if unit else quantity)
        ax.set_ylabel("density")
        ax.legend(fontsize="small")
    fig.suptitle(_title("outcome distributions", synthetic))
    return save_png(fig, path)


__all__ = ["plot_distributions", "plot_heatmaps", "pyplot", "save_png"]
