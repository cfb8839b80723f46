"""Step cost and tick lateness of CSGO-Deathmatch-v0 on the arena beside the replay game.

The arena (``game="arena"``, synthetic) must cost what the replay mode costs, so
that the env still holds 16 Hz with p99 lateness <= 2 ms. Each mode runs in its own worker
process with its own Xvfb and env (two stand-in windows on one X server would fight over
the input grab); the parent interleaves them block by block (replay, arena, arena, replay,
...), so both see the same machine load, while ``--busy`` processes spin on every core.
Per step: ``work`` is the step's own cost after its tick (input already sent; the stand-in
game's frame, GSI POST, capture, memory pose), ``lateness`` the tick's. A third worker runs
the arena unpaced (each step waits for its frame, not the clock) and reports its rate.

    python scripts/bench_arena.py [--steps 480] [--block 48] [--busy 2]

Targets: p99 lateness <= 2 ms in both modes; arena work p50 <= 1.25 x replay work p50.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import shutil
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

MODES: dict[str, dict[str, Any]] = {
    "replay": {"game": "replay"},
    "arena": {"game": "arena"},
    "arena-unpaced": {"game": "arena", "paced": False},
}
LATENESS_TARGET_MS = 2.0
COST_RATIO_TARGET = 1.25


def _worker(mode: str, steps: int, conn: Connection) -> None:
    """Own Xvfb and env; on each ``"run"`` play one block and send its per-step numbers."""
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.envs.deathmatch import DeathmatchEnv
    from csgo_env.game.screen.xvfb import virtual_display
    from csgo_env.policy import RandomPolicy

    tmp = Path(tempfile.mkdtemp(prefix=f"bench_arena_{mode}_"))
    try:
        kwargs = dict(MODES[mode])
        if mode == "replay":
            kwargs["replay_recordings"] = write_synthetic_recordings(
                tmp, files=1, seed=0, with_metadata=False, num_frames=steps + 2)
        with virtual_display((1280, 1024)):
            env = DeathmatchEnv(**kwargs)
            try:
                clock = env.session.clock
                ticked: list[float] = []
                tick = clock.tick

                def timed_tick() -> Any:
                    report = tick()
                    ticked.append(time.perf_counter())
                    return report

                clock.tick = timed_tick  # type: ignore[method-assign]
                policy = RandomPolicy(seed=0)
                obs, _ = env.reset(seed=0)
                conn.send("ready")
                while conn.recv() == "run":
                    clock.start()  # a new stretch: the wait for our turn is no lateness
                    late, work, wall = [], [], []
                    block_start = time.perf_counter()
                    for _ in range(int(conn.recv())):
                        start = time.perf_counter()
                        obs, _, _, _, info = env.step(policy.act(obs))
                        end = time.perf_counter()
                        late.append(info["tick_lateness_s"])
                        work.append(end - ticked[-1])
                        wall.append(end - start)
                    conn.send({"late": late, "work": work, "wall": wall,
                               "seconds": time.perf_counter() - block_start,
                               "wait_mode": clock.stats().wait_mode})
            finally:
                env.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _burn() -> None:
    while True:
        pass


def _row(name: str, r: dict[str, list[float]]) -> str:
    late, work = np.array(r["late"]) * 1e3, np.array(r["work"]) * 1e3
    return (f"{name:<28}{len(late):>6}{np.percentile(work, 50):10.2f}"
            f"{np.percentile(work, 90):10.2f}{np.percentile(late, 50):10.3f}"
            f"{np.percentile(late, 99):10.3f}{late.max():10.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=480, help="steps per mode (default 480)")
    parser.add_argument("--block", type=int, default=48, help="steps per block (default 48)")
    parser.add_argument("--busy", type=int, default=2,
                        help="busy-loop processes meanwhile (default 2: both cores busy)")
    args = parser.parse_args()
    if args.steps < 1 or args.block < 1 or args.busy < 0:
        parser.error("--steps and --block must be >= 1, --busy >= 0")

    ctx = mp.get_context("spawn")
    workers: dict[str, tuple[Any, Connection]] = {}
    burners = [ctx.Process(target=_burn, daemon=True) for _ in range(args.busy)]
    results: dict[str, dict[str, list[float]]] = {m: {"late": [], "work": [], "wall": []}
                                                  for m in MODES}
    unpaced_seconds = 0.0
    wait_modes: dict[str, str] = {}
    try:
        for mode in MODES:
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_worker, args=(mode, args.steps, child), daemon=True)
            proc.start()
            workers[mode] = (proc, parent)
        for mode, (_, conn) in workers.items():
            if conn.recv() != "ready":
                raise RuntimeError(f"worker {mode} did not start")
        for p in burners:
            p.start()
        blocks = -(-args.steps // args.block)
        for b in range(blocks):
            order = ["replay", "arena"] if b % 2 == 0 else ["arena", "replay"]
            for mode in [*order, "arena-unpaced"]:
                conn = workers[mode][1]
                conn.send("run")
                conn.send(min(args.block, args.steps - b * args.block))
                block = conn.recv()
                for key in ("late", "work", "wall"):
                    results[mode][key] += block[key]
                wait_modes[mode] = block["wait_mode"]
                if mode == "arena-unpaced":
                    unpaced_seconds += block["seconds"]
    finally:
        for p in burners:
            p.terminate()
        for proc, conn in workers.values():
            with contextlib.suppress(OSError):
                conn.send("stop")
            proc.join(30)
            if proc.is_alive():
                proc.terminate()

    print(f"CSGO-Deathmatch-v0 under Xvfb, {args.steps} steps per mode in blocks of "
          f"{args.block}, interleaved; {os.cpu_count()} CPUs, {args.busy} busy processes, "
          f"load {os.getloadavg()[0]:.2f}. The arena is synthetic.")
    print(f"{'mode':<28}{'steps':>6}{'work p50':>10}{'p90 ms':>10}"
          f"{'late p50':>10}{'p99 ms':>10}{'max ms':>10}")
    for mode in ("replay", "arena"):
        print(_row(f"{mode} (wait: {wait_modes[mode]})", results[mode]))
    unpaced = results["arena-unpaced"]
    rate = len(unpaced["wall"]) / unpaced_seconds if unpaced_seconds else float("nan")
    print(f"{'arena unpaced':<28}{len(unpaced['wall']):>6}"
          f"{np.percentile(np.array(unpaced['wall']) * 1e3, 50):10.2f}"
          f"{np.percentile(np.array(unpaced['wall']) * 1e3, 90):10.2f}"
          f"   {rate:.1f} steps/s = {rate / 16.0:.2f} x real time (step = whole step)")
    ok = True
    for mode in ("replay", "arena"):
        p99 = float(np.percentile(np.array(results[mode]["late"]) * 1e3, 99))
        hit = p99 <= LATENESS_TARGET_MS
        ok &= hit
        print(f"{mode}: p99 lateness {p99:.3f} ms <= {LATENESS_TARGET_MS:g} ms: "
              f"{'PASS' if hit else 'MISS'}")
    ratio = (np.percentile(results["arena"]["work"], 50)
             / np.percentile(results["replay"]["work"], 50))
    hit = ratio <= COST_RATIO_TARGET
    ok &= hit
    print(f"arena / replay work p50: {ratio:.3f} <= {COST_RATIO_TARGET:g}: "
          f"{'PASS' if hit else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
