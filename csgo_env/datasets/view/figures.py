"""Dataset statistics figures: action histograms, weapon use, trajectories on the map.

Like the figures the dataset authors published, from recordings (``y``, ``helperarr``)
and, where present, their metadata (weapon, position):

- ``actions.png``: press rate of each key and button, and histograms of the mouse x and y
  bins (log scale);
- ``weapons.png``: share of alive frames per active GSI weapon and share of shots;
- ``trajectories.png``: positions (``localpos1``, ``localpos2``) per recording with kills
  (green) and deaths (red); on dust2 in radar pixels of the 1024 px overview (pos_x -2476,
  pos_y 3239, scale 4.4 world units per pixel: the game's ``resource/overviews/de_dust2.txt``,
  the same in CS:GO and CS2), other maps in world units.

Titles say SYNTHETIC when any input is synthetic. Needs matplotlib
(``pip install "csgo-env[viz]"``); figures are drawn off screen (Agg).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_bytes
from csgo_env._optional import require
from csgo_env.actions import BUTTON_NAMES, KEY_NAMES, MOUSE_X_BINS, MOUSE_Y_BINS, N_BINARY

RADAR: dict[str, tuple[float, float, float]] = {"de_dust2": (-2476.0, 3239.0, 4.4)}
"""Overview constants (pos_x, pos_y, world units per radar pixel) by map."""


@dataclass
class RecordingStats:
    """What the figures need from one recording.

    ``actions`` int64 (n, 15) factored; ``helper`` (n, 2) [kill, death]; ``positions``
    (n, 2) world x, y or None without metadata; ``weapons`` (n,) object GSI weapon names
    (None while dead) or None; ``map_name`` or None.
    """

    name: str
    actions: np.ndarray
    helper: np.ndarray
    positions: np.ndarray | None = None
    weapons: np.ndarray | None = None
    map_name: str | None = None


def _pyplot() -> Any:
    matplotlib = require("matplotlib", extra="viz", purpose="statistics figures")
    matplotlib.use("Agg", force=False)
    return require("matplotlib.pyplot", extra="viz", package="matplotlib")


def _save(fig: Any, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    atomic_write_bytes(path, buffer.getvalue())
    return path


def action_figure(stats: Sequence[RecordingStats], title: str) -> Any:
    """Key/button press rates and mouse bin histograms over all frames of ``stats``."""
    plt = _pyplot()
    actions = np.concatenate([s.actions for s in stats])
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    names = [*KEY_NAMES, *BUTTON_NAMES]
    axes[0].bar(names, actions[:, :N_BINARY].mean(axis=0) * 100, color="#d9a520")
    axes[0].tick_params(axis="x", labelrotation=60)
    axes[0].set_ylabel("% of frames held")
    axes[0].set_title("keys and buttons")
    for ax, column, bins, label in ((axes[1], N_BINARY, MOUSE_X_BINS, "mouse x"),
                                    (axes[2], N_BINARY + 1, MOUSE_Y_BINS, "mouse y")):
        counts = np.bincount(actions[:, column], minlength=len(bins))
        ax.bar(range(len(bins)), counts, color="#7a5cc2", log=True)
        ax.set_xticks(range(len(bins)), [f"{b:g}" for b in bins], rotation=90, fontsize=7)
        ax.set_title(f"{label} bins (counts per tick)")
    fig.suptitle(f"{title}: actions over {len(actions)} frames")
    return fig


def weapon_figure(stats: Sequence[RecordingStats], title: str) -> Any | None:
    """Share of alive frames and of shots per weapon; None without weapon metadata."""
    with_weapons = [s for s in stats if s.weapons is not None]
    if not with_weapons:
        return None
    plt = _pyplot()
    weapons = np.concatenate([s.weapons for s in with_weapons])
    fire = np.concatenate([s.actions[:, N_BINARY - 2] for s in with_weapons]).astype(bool)
    alive = weapons != None  # noqa: E711 (elementwise on an object array)
    names = sorted({str(w) for w in weapons[alive]})
    held = [np.mean(weapons[alive] == n) * 100 for n in names]
    shots = [(fire & (weapons == n)).sum() for n in names]
    total = max(sum(shots), 1)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    x = np.arange(len(names))
    ax.bar(x - 0.2, held, 0.4, label="% of alive frames held", color="#4a90c2")
    ax.bar(x + 0.2, [100 * s / total for s in shots], 0.4, label="% of shots", color="#e0603a")
    ax.set_xticks(x, [n.replace("weapon_", "") for n in names], rotation=30)
    ax.legend()
    ax.set_title(f"{title}: weapon use")
    return fig


def trajectory_figure(stats: Sequence[RecordingStats], title: str) -> Any | None:
    """Positions per recording with kill and death marks; None without positions."""
    with_pos = [s for s in stats if s.positions is not None]
    if not with_pos:
        return None
    plt = _pyplot()
    maps = {s.map_name for s in with_pos}
    only = maps.pop() if len(maps) == 1 else None
    radar = RADAR.get(only) if only is not None else None
    fig, ax = plt.subplots(figsize=(7, 7))
    for s in with_pos:
        xy = np.asarray(s.positions, dtype=np.float64).copy()
        if s.weapons is not None:  # break the line while dead (the respawn jumps)
            xy[s.weapons == None] = np.nan  # noqa: E711 (elementwise on an object array)
        if radar is not None:
            pos_x, pos_y, scale = radar
            xy = np.stack([(xy[:, 0] - pos_x) / scale, (pos_y - xy[:, 1]) / scale], axis=1)
        ax.plot(xy[:, 0], xy[:, 1], lw=0.8, alpha=0.7, label=s.name)
        for flag, color, marker in ((0, "#22aa33", "o"), (1, "#dd2222", "x")):
            hit = s.helper[:, flag] == 1
            ax.scatter(xy[hit, 0], xy[hit, 1], c=color, marker=marker, s=30, zorder=3)
    if radar is not None:
        ax.set_xlim(0, 1024)
        ax.set_ylim(1024, 0)
        ax.set_xlabel("radar x (px of the 1024 px overview)")
        ax.set_ylabel("radar y (px)")
    else:
        ax.set_xlabel("world x (units)")
        ax.set_ylabel("world y (units)")
    ax.set_aspect("equal")
    if len(with_pos) <= 10:
        ax.legend(fontsize=6, loc="best")
    ax.set_title(f"{title}: trajectories (o kill, x death)")
    return fig


def write_figures(stats: Sequence[RecordingStats], out_dir: Path, *,
                  synthetic: bool) -> list[Path]:
    """Write ``actions.png`` and, with metadata, ``weapons.png`` and ``trajectories.png``."""
    plt = _pyplot()
    out_dir.mkdir(parents=True, exist_ok=True)
    title = f"{'SYNTHETIC - ' if synthetic else ''}{len(stats)} recording(s)"
    written = []
    for name, maker in (("actions.png", action_figure), ("weapons.png", weapon_figure),
                        ("trajectories.png", trajectory_figure)):
        fig = maker(stats, title)
        if fig is not None:
            written.append(_save(fig, out_dir / name))
            plt.close(fig)
    return written


__all__ = ["RADAR", "RecordingStats", "action_figure", "trajectory_figure", "weapon_figure",
           "write_figures"]
