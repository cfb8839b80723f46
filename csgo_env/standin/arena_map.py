"""The arena's floor plan: a grid of wall cells, its wall segments, sight lines and paths.

Frame of reference (the game's, as in the recordings' metadata): world units, ``x`` to the
east, ``y`` to the north, ``z`` up, the floor at ``z = 0``. A yaw of 0 degrees looks along
``+x`` and grows counter-clockwise. Cell ``(row, col)`` of the plan covers
``x in [col * CELL, (col + 1) * CELL)`` and ``y in [(rows - 1 - row) * CELL, (rows - row) *
CELL)``: row 0 of the text is the north edge. Walls are whole cells, ``WALL_HEIGHT`` tall.

Everything here is pure numpy and deterministic; nothing is drawn or sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from csgo_env.errors import ArgumentError, explain

CELL = 128.0
"""Edge of one grid cell in world units (a CS:GO player is 32 units wide)."""
WALL_HEIGHT = 160.0
"""Height of every wall in world units."""

DEFAULT_PLAN: tuple[str, ...] = (
    "################",
    "#..............#",
    "#..##......##..#",
    "#..##......##..#",
    "#......##......#",
    "#......##......#",
    "#..............#",
    "#.##..####..##.#",
    "#..............#",
    "#..##......##..#",
    "#..............#",
    "################",
)
"""The default plan, 16 x 12 cells (2048 x 1536 units): ``#`` wall, ``.`` floor."""


@dataclass(frozen=True)
class FloorPlan:
    """A plan of wall (``#``) and floor (``.``) cells, closed by walls on every side.

    ``walls``: bool (rows, cols), True for a wall cell. ``segments``: float64 (S, 4) wall
    faces ``x0, y0, x1, y1`` between a wall and a floor cell (collinear runs merged).
    ``floor_cells``: int64 (F, 2) ``(row, col)`` of the floor cells, in text order.
    """

    plan: tuple[str, ...]
    walls: np.ndarray = field(init=False, repr=False)
    segments: np.ndarray = field(init=False, repr=False)
    floor_cells: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        rows = len(self.plan)
        cols = len(self.plan[0]) if rows else 0
        bad = [r for r in self.plan if len(r) != cols or set(r) - {"#", "."}]
        if rows < 3 or cols < 3 or bad:
            raise ArgumentError(explain("bad arena plan", expected="equal-length rows of "
                                        "'#' and '.', at least 3 x 3", got=repr(self.plan)))
        walls = np.array([[c == "#" for c in r] for r in self.plan], dtype=bool)
        if not (walls[0].all() and walls[-1].all() and walls[:, 0].all() and walls[:, -1].all()):
            raise ArgumentError(explain("the arena plan must be closed", expected="'#' on "
                                        "every border cell", got=repr(self.plan)))
        object.__setattr__(self, "walls", walls)
        object.__setattr__(self, "segments", _wall_segments(walls))
        object.__setattr__(self, "floor_cells", np.argwhere(~walls).astype(np.int64))

    @property
    def rows(self) -> int:
        return int(self.walls.shape[0])

    @property
    def cols(self) -> int:
        return int(self.walls.shape[1])

    @property
    def size(self) -> tuple[float, float]:
        """(width, depth) of the plan in world units."""
        return self.cols * CELL, self.rows * CELL

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        """The ``(row, col)`` holding point ``(x, y)`` (clamped to the plan)."""
        col = min(max(int(x // CELL), 0), self.cols - 1)
        row = min(max(self.rows - 1 - int(y // CELL), 0), self.rows - 1)
        return row, col

    def centre(self, row: int, col: int) -> tuple[float, float]:
        """World ``(x, y)`` of the centre of cell ``(row, col)``."""
        return (col + 0.5) * CELL, (self.rows - 1 - row + 0.5) * CELL

    def is_wall(self, x: float, y: float) -> bool:
        return bool(self.walls[self.cell_of(x, y)])

    def blocked(self, x: float, y: float, radius: float) -> bool:
        """Whether a square of half-size ``radius`` around ``(x, y)`` touches a wall cell."""
        return any(self.is_wall(x + ox, y + oy) for ox in (-radius, radius)
                   for oy in (-radius, radius))

    def ray_distances(self, x: float, y: float, angles_rad: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Distance along each ray from ``(x, y)`` to the first wall face.

        ``angles_rad``: float64 (n,) world angles (counter-clockwise from +x). Returns
        ``(distance, along, facing)``, each (n,): the distance in world units, the hit's
        position along its face in units (for textures) and 1 for a face running north-south
        (0 for east-west). A ray that hits nothing (impossible in a closed plan) gets inf.
        """
        seg = self.segments
        dx, dy = np.cos(angles_rad)[:, None], np.sin(angles_rad)[:, None]  # (n, 1)
        ex, ey = (seg[:, 2] - seg[:, 0])[None, :], (seg[:, 3] - seg[:, 1])[None, :]  # (1, S)
        qx, qy = (seg[:, 0] - x)[None, :], (seg[:, 1] - y)[None, :]
        denom = dx * ey - dy * ex  # (n, S)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qx * ey - qy * ex) / denom  # along the ray
            u = (qx * dy - qy * dx) / denom  # along the segment, 0..1
        ok = (np.abs(denom) > 1e-12) & (t > 1e-9) & (u >= 0.0) & (u <= 1.0)
        t = np.where(ok, t, np.inf)
        best = np.argmin(t, axis=1)
        rows = np.arange(len(angles_rad))
        dist = t[rows, best]
        length = np.hypot(ex, ey)[0]
        along = np.where(np.isfinite(dist), u[rows, best] * length[best], 0.0)
        facing = (seg[best, 0] == seg[best, 2]).astype(np.int64)
        return dist, along, facing

    def clear_line(self, a: Sequence[float], b: Sequence[float]) -> bool:
        """Whether the segment from ``a`` to ``b`` (world x, y) crosses no wall face."""
        ax, ay, bx, by = float(a[0]), float(a[1]), float(b[0]), float(b[1])
        seg = self.segments
        dx, dy = bx - ax, by - ay
        ex, ey = seg[:, 2] - seg[:, 0], seg[:, 3] - seg[:, 1]
        qx, qy = seg[:, 0] - ax, seg[:, 1] - ay
        denom = dx * ey - dy * ex
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (qx * ey - qy * ex) / denom
            u = (qx * dy - qy * dx) / denom
        hit = (np.abs(denom) > 1e-12) & (t >= 0.0) & (t <= 1.0) & (u >= 0.0) & (u <= 1.0)
        return not bool(hit.any())

    def shortest_path(self, start: tuple[int, int], goal: tuple[int, int]
                      ) -> list[tuple[int, int]]:
        """Cells after ``start`` on a shortest 4-connected floor path to ``goal`` (inclusive).

        Empty when ``start == goal`` or no path exists. Neighbours are tried in a fixed
        order (north, south, west, east), so the path is deterministic.
        """
        if start == goal:
            return []
        parent: dict[tuple[int, int], tuple[int, int]] = {goal: goal}
        queue = deque([goal])  # search from the goal: parents then lead from start to it
        while queue:
            cell = queue.popleft()
            if cell == start:
                path = []
                while cell != goal:
                    cell = parent[cell]
                    path.append(cell)
                return path
            r, c = cell
            for nxt in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if nxt not in parent and 0 <= nxt[0] < self.rows and 0 <= nxt[1] < self.cols \
                        and not self.walls[nxt]:
                    parent[nxt] = cell
                    queue.append(nxt)
        return []


def _wall_segments(walls: np.ndarray) -> np.ndarray:
    """Faces between wall and floor cells, merged along rows and columns: (S, 4) float64."""
    rows, cols = walls.shape
    top = lambda r: (rows - r) * CELL  # noqa: E731 - y of the north edge of row r
    out: list[tuple[float, float, float, float]] = []
    for r in range(rows):  # east-west faces: a wall cell with floor to its north or south
        for side, other in ((0, r - 1), (1, r + 1)):
            run: int | None = None
            for c in range(cols + 1):
                face = c < cols and walls[r, c] and 0 <= other < rows and not walls[other, c]
                if face and run is None:
                    run = c
                elif not face and run is not None:
                    y = top(r) - side * CELL
                    out.append((run * CELL, y, c * CELL, y))
                    run = None
    for c in range(cols):  # north-south faces: floor to the west or east
        for side, other in ((0, c - 1), (1, c + 1)):
            run = None
            for r in range(rows + 1):
                face = r < rows and walls[r, c] and 0 <= other < cols and not walls[r, other]
                if face and run is None:
                    run = r
                elif not face and run is not None:
                    x = (c + side) * CELL
                    out.append((x, top(run), x, top(r)))
                    run = None
    return np.array(out, dtype=np.float64).reshape(-1, 4)


__all__ = ["CELL", "DEFAULT_PLAN", "WALL_HEIGHT", "FloorPlan"]
