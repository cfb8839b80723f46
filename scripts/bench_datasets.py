"""Benchmark: conversion speed, worker scaling and memory, against their references.

Side by side in one run, on synthetic recordings in the exact public layout (page-cached),
repetitions interleaved (alternating order), best of each kept:

1. reading every file the plain h5py way (the 4 datasets of each frame, by key: what any
   converter must at least do) vs ``convert`` with 1 worker: target >= 0.8x;
2. ``convert`` with 2 workers vs 1: target >= 1.7x (on a machine with 2 free cores);
3. peak memory of a whole ``csgo-env convert --workers 2`` run, summed over its process
   tree (the fork server and its workers included), for ``--memory-files`` files vs
   ``--memory-few`` files: target < 1500 MB, and at most 1.25x growth (memory must not
   grow with the number of files).

Training windows through the DataLoader are measured by ``scripts/bench_loader.py``.

Usage: ``python scripts/bench_datasets.py [--files 24] [--memory-files 24] [--memory-few 6]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import h5py
from bench_support import at_least, at_most, interleaved, machine_line, report, tree_memory

from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

EXPERT = "hdf5_dm_july2021_expert_{}.hdf5"
MAX_MB = 1500.0
MAX_GROWTH = 1.25


def make_sources(work: Path, distinct: int, files: int, name: str) -> Path:
    """``files`` recordings (expert numbers not divisible by 10) linked from the samples."""
    pool = work / "pool"
    if not pool.exists():
        write_synthetic_recordings(pool, family="dust2-expert", files=distinct, first_number=1,
                                with_metadata=False)
    samples = sorted(pool.glob("hdf5_*.hdf5"))
    folder = work / name
    folder.mkdir()
    numbers = [n for n in range(1, 10 * files) if n % 10][:files]
    for i, n in enumerate(numbers):
        os.link(samples[i % len(samples)], folder / EXPERT.format(n))
    return folder


def per_key_read_rate(folder: Path) -> float:
    """Frames/s reading every file the plain h5py way: the 4 datasets of each frame by key."""
    paths = sorted(folder.glob("*.hdf5"))
    start, frames = time.perf_counter(), 0
    for path in paths:
        with h5py.File(path, "r") as f:
            for i in range(FRAMES_PER_FILE):
                for kind in ("x", "xaux", "y", "helperarr"):
                    f[f"frame_{i}_{kind}"][()]
            frames += FRAMES_PER_FILE
    return frames / (time.perf_counter() - start)


def convert_rate(folder: Path, out: Path, workers: int) -> float:
    """Frames/s of a whole ``convert`` run (start to finished datasets)."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = convert([folder], out_dir=out, workers=workers, progress=False)
    seconds = time.perf_counter() - start
    assert result.ok, result.summary()
    shutil.rmtree(out, ignore_errors=True)
    return result.frames / seconds


def convert_memory(src: Path, out: Path) -> tuple[float, float, float, float, int]:
    """(peak RSS sum, peak USS sum, sum of per-process peaks, seconds, processes) of a
    2-worker CLI conversion, in MB."""
    m = tree_memory([sys.executable, "-m", "csgo_env.cli", "convert", str(src), "--out-dir",
                     str(out), "--workers", "2", "--quiet"])
    shutil.rmtree(out, ignore_errors=True)
    return m.peak_rss_mb, m.peak_uss_mb, m.sum_hwm_mb, m.seconds, m.processes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=24,
                        help="files per speed run (default 24: enough to amortise starting "
                             "the worker processes)")
    parser.add_argument("--distinct", type=int, default=3,
                        help="distinct sample recordings generated (the rest are hard links)")
    parser.add_argument("--memory-files", type=int, default=24,
                        help="files of the large memory run (default 24; hard links)")
    parser.add_argument("--memory-few", type=int, default=6,
                        help="files of the small memory run (default 6)")
    parser.add_argument("--reps", type=int, default=2, help="interleaved repetitions")
    parser.add_argument("--no-memory", action="store_true", help="leave out the memory runs")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_datasets_"))
    print(machine_line(), flush=True)
    t0 = time.perf_counter()
    try:
        src = make_sources(work, args.distinct, args.files, "speed")
        per_key_read_rate(src)  # warm the page cache
        rates = interleaved({
            "per-key read": lambda: per_key_read_rate(src),
            "convert 1 worker": lambda: convert_rate(src, work / "out1", 1),
            "convert 2 workers": lambda: convert_rate(src, work / "out2", 2)}, args.reps)
        mem: dict[str, list[tuple[float, float, float, float, int]]] = {}
        if not args.no_memory:
            few_src = make_sources(work, args.distinct, args.memory_few, "memory_few")
            many_src = make_sources(work, args.distinct, args.memory_files, "memory_many")
            mem = interleaved({"few": lambda: convert_memory(few_src, work / "mem_few"),
                               "many": lambda: convert_memory(many_src, work / "mem_many")}, 1)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    best = {k: max(v) for k, v in rates.items()}
    read, one, two = best["per-key read"], best["convert 1 worker"], best["convert 2 workers"]
    print(f"\n== conversion ({args.files} files, 1000 frames each; best of {args.reps}) ==")
    print(f"read, h5py per key (plain reading, reference): {read:8.0f} frames/s")
    print(f"convert, 1 worker:                             {one:8.0f} frames/s  "
          f"= {one / read:.2f}x the plain read")
    print(f"convert, 2 workers:                            {two:8.0f} frames/s  "
          f"= {two / one:.2f}x 1 worker")
    targets = [
        at_least("datasets: convert, 1 worker / plain h5py per-key read", one / read, 0.8, "x",
                 f"{one:.0f} vs {read:.0f} frames/s"),
        at_least("datasets: convert, 2 workers / 1 worker (needs 2 free cores)", two / one,
                 1.7, "x")]
    if mem:
        few, many = mem["few"][0], mem["many"][0]
        print("\n== memory of `csgo-env convert --workers 2` (whole process tree, MB) ==")
        print(f"{'files':>6}{'peak RSS sum':>14}{'peak USS sum':>14}{'sum of peaks':>14}"
              f"{'processes':>11}{'seconds':>9}")
        for n, m in ((args.memory_few, few), (args.memory_files, many)):
            print(f"{n:>6}{m[0]:>14.0f}{m[1]:>14.0f}{m[2]:>14.0f}{m[4]:>11}{m[3]:>9.1f}")
        print("RSS counts shared pages once per process (upper bound of the moment), USS only "
              "unshared ones (lower bound); 'sum of peaks' adds every process's own VmHWM")
        targets += [
            at_most(f"datasets: convert memory, {args.memory_files} files, peak RSS summed "
                    "over the process tree", many[0], MAX_MB, " MB",
                    f"sum of per-process peaks {many[2]:.0f} MB"),
            at_most(f"datasets: convert memory growth, {args.memory_files} / "
                    f"{args.memory_few} files", many[0] / few[0], MAX_GROWTH, "x")]
    print(f"\ntotal {time.perf_counter() - t0:.0f} s")
    return report(targets)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    raise SystemExit(main())
