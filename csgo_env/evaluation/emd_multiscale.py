"""The exact sparse solver behind ``spatial_emd(..., method="multiscale")``.

Input: two cancelled grids (disjoint supports, equal totals; :func:`~csgo_env.evaluation.emd.
cancel_common`). The transport LP over all ``|sources| x |sinks|`` arcs is solved on a subset
of arcs with POT's sparse network simplex; the solver's dual potentials ``u`` (sources) and
``v`` (sinks) are then checked against *every* arc: when all reduced costs
``c_ij - u_i - v_j`` are >= -tol, the sparse plan is optimal for the full problem (primal
feasible, dual feasible, complementary slack), otherwise the most violated arcs of each
source are added and the problem is solved again from the last potentials. The starting
arcs are

* the plan of the 2x2-pooled (then cancelled again) problem, solved the same way down to
  a size where the dense solver is cheap, with each coarse arc expanded to its fine cells;
* each source's and each sink's ``NEAREST`` nearest cells of the other side;
* a monotone coupling along the x-then-y order, which makes the first sparse problem
  feasible whatever else is missing.

The certified lower bound is ``sum(u * wa) + sum(v * wb) + min(0, min reduced cost) * mass``;
``dual_gap`` is the value minus that bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csgo_env.errors import EvaluationError, explain
from csgo_env.evaluation.emd import MAX_ITER, cancel_common, cell_xy, check_result, solve_dense

DENSE_PAIRS = 400_000
"""Below this many source x sink pairs a level is solved with the dense solver."""
NEAREST = 8
"""Nearest cells of the other side given to each source and sink at the start."""
ADD_PER_ROUND = 256
"""Most violated arcs added per source per round."""
MAX_ROUNDS = 200
"""Certificate rounds before giving up on the sparse solve (then the dense solver runs)."""
REL_TOL = 1e-9
"""Reduced-cost tolerance, relative to the grid's diagonal in world units."""
_CHUNK = 1024


@dataclass(frozen=True)
class Solved:
    """Result of one level: ``value`` (world units), the plan's arcs as indices into the
    level's ``src`` / ``dst`` flat cell indices, arcs of the last solve, rounds, dual gap,
    and whether the dense fallback produced it."""

    value: float
    src: np.ndarray
    dst: np.ndarray
    plan_rows: np.ndarray
    plan_cols: np.ndarray
    arcs: int
    rounds: int
    dual_gap: float
    fallback: bool = False


def solve_multiscale(ra: np.ndarray, rb: np.ndarray, cell_size: float) -> Solved:
    """Exact EMD of cancelled grids ``ra``, ``rb`` (H, W) with cells ``cell_size`` wide."""
    height, width = ra.shape
    src, dst = np.flatnonzero(ra.ravel() > 0), np.flatnonzero(rb.ravel() > 0)
    wa, wb = ra.ravel()[src], rb.ravel()[dst]
    wb = wb * (wa.sum() / wb.sum())
    xa, xb = cell_xy(src, width, cell_size), cell_xy(dst, width, cell_size)
    if len(src) * len(dst) <= DENSE_PAIRS or min(height, width) < 4:
        value, plan = solve_dense(wa, wb, xa, xb)
        rows, cols = np.nonzero(plan)
        return Solved(value, src, dst, rows, cols, len(src) * len(dst), 1, 0.0)
    near_r, near_c = _nearest(xa, xb)
    mono_r, mono_c = _monotone(xa, xb, wa, wb)
    pr, pc = _from_coarse(ra, rb, cell_size, src, dst)
    arcs_r = np.concatenate([*near_r, *mono_r, pr])
    arcs_c = np.concatenate([*near_c, *mono_c, pc])
    return _certified(wa, wb, xa, xb, src, dst, arcs_r, arcs_c,
                      tol=REL_TOL * cell_size * float(np.hypot(height, width)))


def _certified(wa: np.ndarray, wb: np.ndarray, xa: np.ndarray, xb: np.ndarray,
               src: np.ndarray, dst: np.ndarray, rows: np.ndarray, cols: np.ndarray,
               tol: float) -> Solved:
    import ot
    import scipy.sparse as sp

    n, m = len(wa), len(wb)
    keys = np.unique(rows.astype(np.int64) * m + cols)
    potentials = None
    for round_ in range(1, MAX_ROUNDS + 1):
        r, c = np.divmod(keys, m)
        cost = np.sqrt(((xa[r] - xb[c]) ** 2).sum(axis=1))
        matrix = sp.coo_matrix((cost, (r, c)), shape=(n, m))
        plan, log = ot.emd(wa, wb, matrix, numItermax=MAX_ITER, log=True,
                           potentials_init=potentials)
        check_result(log, f"sparse round {round_}")
        u, v = np.asarray(log["u"], dtype=np.float64), np.asarray(log["v"], dtype=np.float64)
        potentials = (u, v)
        new, min_rc = _violations(xa, xb, u, v, tol, m)
        if new.size == 0:
            value = float(log["cost"])
            bound = float(u @ wa + v @ wb) + min(min_rc, 0.0) * float(wa.sum())
            coo = sp.coo_matrix(plan)
            keep = coo.data > 0
            return Solved(value, src, dst, coo.row[keep], coo.col[keep], len(keys), round_,
                          max(value - bound, 0.0))
        keys = np.union1d(keys, new)
    value, dense = solve_dense(wa, wb, xa, xb)
    pr, pc = np.nonzero(dense)
    return Solved(value, src, dst, pr, pc, n * m, MAX_ROUNDS, 0.0, fallback=True)


def _violations(xa: np.ndarray, xb: np.ndarray, u: np.ndarray, v: np.ndarray, tol: float,
                m: int) -> tuple[np.ndarray, float]:
    """Keys (row * m + col) of the most violated arcs per source, and the minimum reduced
    cost over all arcs."""
    from scipy.spatial.distance import cdist

    found, min_rc = [], np.inf
    k = min(ADD_PER_ROUND, m)
    for lo in range(0, len(xa), _CHUNK):
        rc = cdist(xa[lo:lo + _CHUNK], xb)
        rc -= u[lo:lo + _CHUNK, None]
        rc -= v[None, :]
        min_rc = min(min_rc, float(rc.min()))
        bad_rows = np.flatnonzero((rc < -tol).any(axis=1))
        if bad_rows.size == 0:
            continue
        sub = rc[bad_rows]
        idx = np.argpartition(sub, k - 1, axis=1)[:, :k]
        violated = np.take_along_axis(sub, idx, axis=1) < -tol
        rr = np.broadcast_to((bad_rows + lo)[:, None], idx.shape)[violated]
        found.append(rr.astype(np.int64) * m + idx[violated])
    if not np.isfinite(min_rc):
        raise EvaluationError(explain("reduced costs are not finite",
                                      fix="the grids hold non-finite mass"))
    return (np.concatenate(found) if found else np.empty(0, np.int64)), min_rc


def _nearest(xa: np.ndarray, xb: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Arcs from each source to its nearest sinks and from each sink to its nearest sources."""
    from scipy.spatial import cKDTree

    ka, kb = min(NEAREST, len(xb)), min(NEAREST, len(xa))
    near_b = cKDTree(xb).query(xa, k=ka)[1].reshape(len(xa), ka)
    near_a = cKDTree(xa).query(xb, k=kb)[1].reshape(len(xb), kb)
    rows = [np.repeat(np.arange(len(xa)), ka), near_a.ravel()]
    cols = [near_b.ravel(), np.repeat(np.arange(len(xb)), kb)]
    return rows, cols


def _monotone(xa: np.ndarray, xb: np.ndarray, wa: np.ndarray, wb: np.ndarray
              ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The arcs of the monotone (north-west corner) coupling along the x-then-y order:
    a feasible plan with at most n + m - 1 arcs."""
    oa, ob = np.lexsort((xa[:, 1], xa[:, 0])), np.lexsort((xb[:, 1], xb[:, 0]))
    ca = np.concatenate([[0.0], np.cumsum(wa[oa])])
    cb = np.concatenate([[0.0], np.cumsum(wb[ob])])
    cb *= ca[-1] / cb[-1]
    breaks = np.unique(np.concatenate([ca, cb]))
    mid = (breaks[:-1] + breaks[1:]) / 2.0
    ia = np.clip(np.searchsorted(ca, mid, side="right") - 1, 0, len(wa) - 1)
    ib = np.clip(np.searchsorted(cb, mid, side="right") - 1, 0, len(wb) - 1)
    return [oa[ia]], [ob[ib]]


def _pool2(grid: np.ndarray) -> np.ndarray:
    """Sum 2x2 blocks of an (H, W) grid (zero-padded to even sides) -> (ceil(H/2), ceil(W/2))."""
    h, w = grid.shape
    padded = np.zeros((h + h % 2, w + w % 2), dtype=grid.dtype)
    padded[:h, :w] = grid
    return padded.reshape(padded.shape[0] // 2, 2, padded.shape[1] // 2, 2).sum(axis=(1, 3))


def _from_coarse(ra: np.ndarray, rb: np.ndarray, cell_size: float, src: np.ndarray,
                 dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fine arcs (indices into ``src``, ``dst``) under the arcs of the pooled problem's plan."""
    height, width = ra.shape
    ca, cb = cancel_common(_pool2(ra), _pool2(rb))
    if not (ca > 0).any():
        return np.empty(0, np.int64), np.empty(0, np.int64)
    coarse = solve_multiscale(ca, cb, 2.0 * cell_size)
    cw = ca.shape[1]
    big_p = coarse.src[coarse.plan_rows]
    big_q = coarse.dst[coarse.plan_cols]
    fine_src = np.full(height * width, -1, dtype=np.int64)
    fine_src[src] = np.arange(len(src))
    fine_dst = np.full(height * width, -1, dtype=np.int64)
    fine_dst[dst] = np.arange(len(dst))
    kids_p = _children(big_p, cw, height, width)  # (k, 4) flat fine indices or -1
    kids_q = _children(big_q, cw, height, width)
    rows = np.where(kids_p >= 0, fine_src[np.maximum(kids_p, 0)], -1)
    cols = np.where(kids_q >= 0, fine_dst[np.maximum(kids_q, 0)], -1)
    rr = np.repeat(rows[:, :, None], 4, axis=2).reshape(len(big_p), 16)
    cc = np.repeat(cols[:, None, :], 4, axis=1).reshape(len(big_p), 16)
    ok = (rr >= 0) & (cc >= 0)
    return rr[ok], cc[ok]


def _children(coarse_flat: np.ndarray, coarse_width: int, height: int, width: int
              ) -> np.ndarray:
    """Flat fine indices (k, 4) of the 2x2 children of coarse cells; -1 outside the grid."""
    pr, pc = np.divmod(coarse_flat, coarse_width)
    out = np.full((len(coarse_flat), 4), -1, dtype=np.int64)
    for k, (dr, dc) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
        r, c = 2 * pr + dr, 2 * pc + dc
        inside = (r < height) & (c < width)
        out[inside, k] = r[inside] * width + c[inside]
    return out


__all__ = ["DENSE_PAIRS", "Solved", "solve_multiscale"]
