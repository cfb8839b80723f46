"""Radar frames of the maps in the recordings: world coordinates <-> radar pixels <-> grid cells.

A CS:GO radar overview is a square image of ``radar_px`` = 1024 pixels whose top-left corner
sits at world ``(pos_x, pos_y)``; one pixel is ``scale`` world units. World x grows to the
right (east) and world y grows up (north), so radar pixel coordinates are::

    px = (x - pos_x) / scale          py = (pos_y - y) / scale

The radar covers world x in ``[pos_x, pos_x + radar_px * scale]`` and world y in
``[pos_y - radar_px * scale, pos_y]``. Occupancy grids (:mod:`csgo_env.evaluation.coverage`)
divide the radar into ``cells x cells`` square cells, row 0 at the top (north), column 0 at
the left (west); a cell is ``radar_px * scale / cells`` world units wide (dust2, 120 cells:
37.55 units, as MLMove's grid).

Sources of the constants (``pos_x``, ``pos_y``, ``scale``, as written in the games' overview
files ``resource/overviews/<map>.txt``), each value found identical in independent public
radar tools: ``lucasreppewelander/csgo-gsi-radar`` (CS:GO GSI radar, ``src/Radar/maps/index.js``),
``ricardo177m/faceitveto`` (``src/config/radar.ts``), ``Valthrun/Valthrun``
(``radar/web/src/map-info/<map>/index.ts``), ``lobanov-vitaliy/cs2-client``; dust2 also in
``../shared/reference/pearce_dataset.md`` (MLMove uses the same radar). One older list,
``nibalizer/de_heatmp`` (``csgo_maps.js``, no dust2 entry), agrees on mirage and nuke but
gives inferno ``pos_y`` 3072, the value of the line above it (cbble); four other sources give
3870, which is used. ``aim_map`` is a community map with no overview file known to us: its
frame is built from the data's own extent (:func:`frame_from_extent`) and says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from csgo_env.errors import EvaluationError, explain

RADAR_PX = 1024
"""Side of a CS:GO radar overview image in pixels."""
GRID_CELLS = 120
"""Cells per side of an occupancy grid (MLMove's 120 x 120)."""

_SOURCES = ("overview files resource/overviews/{name}.txt as reproduced by "
            "lucasreppewelander/csgo-gsi-radar, ricardo177m/faceitveto, Valthrun/Valthrun, "
            "lobanov-vitaliy/cs2-client")


@dataclass(frozen=True)
class MapFrame:
    """The radar frame of one map (world units; see the module docstring for the axes).

    ``source`` says where the constants come from; ``confirmed`` is False when they are
    not a published overview (e.g. a frame fitted to the data's extent).
    """

    name: str
    pos_x: float
    pos_y: float
    scale: float
    source: str
    confirmed: bool = True
    radar_px: int = RADAR_PX
    note: str = ""

    @property
    def side(self) -> float:
        """Width (= height) of the radar in world units."""
        return self.radar_px * self.scale

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)`` of the radar in world units."""
        return (self.pos_x, self.pos_x + self.side, self.pos_y - self.side, self.pos_y)

    def cell_size(self, cells: int = GRID_CELLS) -> float:
        """Width of one grid cell in world units."""
        return self.side / cells

    def world_to_radar(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Radar pixel coordinates ``(px, py)`` (float64) of world positions ``(x, y)``."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        return (x - self.pos_x) / self.scale, (self.pos_y - y) / self.scale

    def world_to_cell(self, x: np.ndarray, y: np.ndarray, cells: int = GRID_CELLS
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(row, col, inside)`` of world positions on a ``cells x cells`` grid.

        ``row``/``col`` are int64 (clipped into the grid); ``inside`` is False for positions
        outside the radar (and for NaN), which callers must drop or count.
        """
        px, py = self.world_to_radar(x, y)
        per = self.radar_px / cells
        col = np.floor(px / per)
        row = np.floor(py / per)
        inside = (col >= 0) & (col < cells) & (row >= 0) & (row < cells)
        col = np.clip(np.nan_to_num(col), 0, cells - 1).astype(np.int64)
        row = np.clip(np.nan_to_num(row), 0, cells - 1).astype(np.int64)
        return row, col, inside

    def cell_centres(self, cells: int = GRID_CELLS) -> tuple[np.ndarray, np.ndarray]:
        """World ``(x of each column, y of each row)``: two float64 arrays of length ``cells``."""
        size = self.cell_size(cells)
        centre = (np.arange(cells, dtype=np.float64) + 0.5) * size
        return self.pos_x + centre, self.pos_y - centre

    def to_dict(self) -> dict[str, object]:
        """The frame as plain data (recorded next to coverage numbers)."""
        return {"map": self.name, "pos_x": self.pos_x, "pos_y": self.pos_y,
                "scale": self.scale, "radar_px": self.radar_px, "source": self.source,
                "confirmed": self.confirmed, "note": self.note}


MAPS: Mapping[str, MapFrame] = MappingProxyType({m.name: m for m in (
    MapFrame("de_dust2", -2476.0, 3239.0, 4.4, _SOURCES.format(name="de_dust2")),
    MapFrame("de_mirage", -3230.0, 1713.0, 5.0, _SOURCES.format(name="de_mirage")),
    MapFrame("de_inferno", -2087.0, 3870.0, 4.9, _SOURCES.format(name="de_inferno"),
             note="nibalizer/de_heatmp lists pos_y 3072 (the cbble value above it); "
                  "four other sources agree on 3870"),
    MapFrame("de_nuke", -3453.0, 2887.0, 7.0, _SOURCES.format(name="de_nuke"),
             note="two levels: positions below z = -495 belong to the lower radar; both "
                  "levels are projected onto one grid here"),
)})
"""Published radar frames by map name (the recordings' ``map_name``)."""

ARENA_FRAME = MapFrame(
    "arena", 0.0, 1792.0, 2.0,
    "csgo_env.standin.arena_map.DEFAULT_PLAN: 16 x 12 cells of 128 units (x 0..2048, "
    "y 0..1536), centred in a 2048-unit square radar",
    note="the stand-in game's arena, a world written for csgo_env (SYNTHETIC)")
"""The frame of the stand-in game's arena (exact: its own floor plan; not in :data:`MAPS`,
which holds the games' published overviews)."""

NO_OVERVIEW: frozenset[str] = frozenset({"aim_map"})
"""Maps of the recordings with no known public overview constants."""


def get_map(name: str) -> MapFrame:
    """The published frame of map ``name``; a clear error for aim_map and unknown names."""
    try:
        return MAPS[name]
    except KeyError:
        hint = ("aim_map has no published overview; build its frame from the data with "
                "frame_from_extent" if name in NO_OVERVIEW else None)
        raise EvaluationError(explain("no radar frame for this map",
                                      expected=f"one of {sorted(MAPS)}", got=repr(name),
                                      fix=hint)) from None


def frame_from_extent(name: str, x: np.ndarray, y: np.ndarray, *, margin: float = 0.02
                      ) -> MapFrame:
    """A square frame around world positions ``(x, y)`` (NaN ignored), for maps without an
    overview (aim_map). The side is the larger of the two ranges, widened by ``margin`` on
    each side; the radar is treated as ``RADAR_PX`` pixels, so ``scale`` = side / 1024.
    The frame is marked unconfirmed and names the data as its source.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        raise EvaluationError(explain("no finite positions to fit a frame to",
                                      got=f"{x.size} positions"))
    x_min, x_max, y_min, y_max = x[ok].min(), x[ok].max(), y[ok].min(), y[ok].max()
    span = max(x_max - x_min, y_max - y_min, 1.0)
    side = span * (1.0 + 2.0 * margin)
    cx, cy = (x_min + x_max) / 2.0, (y_min + y_max) / 2.0
    return MapFrame(name, float(cx - side / 2.0), float(cy + side / 2.0), float(side / RADAR_PX),
                    source=f"data extent of {int(ok.sum())} positions (margin {margin:g})",
                    confirmed=False, note="no public overview constants known for this map")


__all__ = ["ARENA_FRAME", "GRID_CELLS", "MAPS", "NO_OVERVIEW", "RADAR_PX", "MapFrame",
           "frame_from_extent", "get_map"]
