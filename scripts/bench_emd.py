"""Benchmark: exact spatial EMD of two realistic 120x120 occupancy grids, side by side with
plain POT ``ot.emd2`` on the full cost matrix.

The grids are seeded and map-like: a corridor mask (L-shaped corridors 4-8 cells wide
between a dozen "sites", like a radar's walkable area) and two populations of random
walkers in it that differ in how often they turn and where they start, giving ~5,700
occupied cells each. Each method runs in its own child process (same seed, same grids), so
its peak memory is that of a whole process (``ru_maxrss``: interpreter, NumPy, SciPy, POT
and the solve); ``tracemalloc``'s peak for the solve alone is shown beside it.

Targets: the default method (``multiscale``) <= 5 s wall and <= 1 GB peak process memory,
with the same value as the plain computation (relative difference <= 1e-9).

    python scripts/bench_emd.py [--seed 0] [--skip-plain]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARGET_S = 5.0
TARGET_BYTES = 1 << 30
CELLS = 120
MOVES = np.array([(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (1, -1), (-1, 1), (-1, -1)])


def corridor_mask(rng: np.random.Generator, corridors: int = 30) -> np.ndarray:
    """(120, 120) bool: L-shaped corridors between 12 random sites."""
    mask = np.zeros((CELLS, CELLS), bool)
    sites = rng.integers(8, CELLS - 8, size=(12, 2))
    for _ in range(corridors):
        (r0, c0), (r1, c1) = sites[rng.integers(12)], sites[rng.integers(12)]
        width = int(rng.integers(4, 9))
        mask[min(r0, r1):max(r0, r1) + width, c0:c0 + width] = True
        mask[r1:r1 + width, min(c0, c1):max(c0, c1) + width] = True
    return mask


def walk(mask: np.ndarray, rng: np.random.Generator, walkers: int, steps: int,
         turn: float, spawn: np.ndarray | None = None) -> np.ndarray:
    """(120, 120) float64 ticks spent per cell by ``walkers`` walkers of ``steps`` steps that
    keep their heading, turn with probability ``turn``, and turn at walls; they start on
    random free cells, or on random cells of ``spawn`` (k, 2)."""
    free = np.argwhere(mask) if spawn is None else spawn
    pos = free[rng.integers(len(free), size=walkers)].copy()
    heading = MOVES[rng.integers(8, size=walkers)]
    grid = np.zeros(mask.shape)
    for _ in range(steps):
        turning = rng.random(walkers) < turn
        heading[turning] = MOVES[rng.integers(8, size=int(turning.sum()))]
        nxt = pos + heading
        ok = ((nxt >= 0) & (nxt < CELLS)).all(axis=1)
        ok[ok] = mask[nxt[ok, 0], nxt[ok, 1]]
        pos[ok] = nxt[ok]
        blocked = ~ok
        heading[blocked] = MOVES[rng.integers(8, size=int(blocked.sum()))]
        np.add.at(grid, (pos[:, 0], pos[:, 1]), 1.0)
    return grid


def realistic_grids(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two occupancy grids on one map: "human" walkers starting anywhere, "agent" walkers
    starting in one corner and turning more often."""
    rng = np.random.default_rng(seed)
    mask = corridor_mask(rng)
    free = np.argwhere(mask)
    corner = free[np.argsort(free.sum(axis=1))[: len(free) // 10]]  # agents spawn in a corner
    return (walk(mask, np.random.default_rng([seed, 1]), 40, 1200, 0.2),
            walk(mask, np.random.default_rng([seed, 2]), 40, 3000, 0.35, spawn=corner))


def child(method: str, seed: int) -> None:
    """Run one method and print its measurements as JSON (one line)."""
    import ot  # noqa: F401  (imported before the baseline, as any caller would have)
    import scipy.spatial  # noqa: F401

    from csgo_env.evaluation.emd import spatial_emd
    from csgo_env.evaluation.maps import get_map

    a, b = realistic_grids(seed)
    cell = get_map("de_dust2").cell_size(CELLS)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = spatial_emd(a, b, cell, method=method)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"method": method, "value": result.value, "seconds": wall, "cpu": cpu,
                      "peak_rss": peak, "rss_before": before, "traced_peak": traced,
                      "occupied": [int((a > 0).sum()), int((b > 0).sum())],
                      "sources": result.sources, "sinks": result.sinks, "arcs": result.arcs,
                      "rounds": result.rounds, "dual_gap": result.dual_gap}))


def run_child(method: str, seed: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", method, "--seed", str(seed)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-plain", action="store_true",
                        help="skip the slow reference (no value check then)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.seed)
        return 0
    methods = ["multiscale", "dense"] + ([] if args.skip_plain else ["plain"])
    rows = {m: run_child(m, args.seed) for m in methods}
    first = rows["multiscale"]
    print(f"grids: seed {args.seed}, 120x120, occupied cells {first['occupied']}; after "
          f"cancelling common mass {first['sources']} sources x {first['sinks']} sinks")
    print(f"{'method':11} {'value (units)':>18} {'wall s':>8} {'cpu s':>7} {'peak RSS':>9} "
          f"{'(before)':>9} {'traced':>8} {'arcs':>10} rounds")
    for m, r in rows.items():
        print(f"{m:11} {r['value']:18.10f} {r['seconds']:8.2f} {r['cpu']:7.2f} "
              f"{r['peak_rss'] / 2**20:7.0f}MB {r['rss_before'] / 2**20:7.0f}MB "
              f"{r['traced_peak'] / 2**20:6.0f}MB {r['arcs']:10d} {r['rounds']}")
    ok = True
    if "plain" in rows:
        ref = rows["plain"]
        for m in ("multiscale", "dense"):
            rel = abs(rows[m]["value"] - ref["value"]) / ref["value"]
            same = rel <= 1e-9
            ok &= same or m != "multiscale"
            print(f"{m} vs plain: relative difference {rel:.1e} -> {'EQUAL' if same else 'DIFF'}"
                  f"; {ref['seconds'] / rows[m]['seconds']:.1f}x faster, peak memory "
                  f"{rows[m]['peak_rss'] / ref['peak_rss']:.2f}x")
    fast = first["seconds"] <= TARGET_S
    small = first["peak_rss"] <= TARGET_BYTES
    print(f"target wall <= {TARGET_S:.0f} s: {first['seconds']:.2f} s "
          f"(cpu {first['cpu']:.2f} s) {'PASS' if fast else 'MISS'}")
    print(f"target peak process memory <= 1 GB: {first['peak_rss'] / 2**20:.0f} MB "
          f"{'PASS' if small else 'MISS'}")
    print(f"dual gap of the certified value: {first['dual_gap']:.1e} world units")
    return 0 if ok and fast and small else 1


if __name__ == "__main__":
    raise SystemExit(main())
