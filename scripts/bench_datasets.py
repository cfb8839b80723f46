"""Benchmark: conversion speed and memory, and window sampling, against their references.

Side by side in one run, on synthetic recordings in the exact public layout (page-cached):

1. raw read of the source layout (``Recording.read_all``, one process) vs ``convert`` with
   1 worker: conversion per worker should reach >= 0.8x the raw read rate;
2. ``convert`` with 2 workers vs 1: >= 1.7x on a machine with 2 free cores (24 files);
3. peak resident memory (sum over the process tree, sampled every 20 ms) of a conversion
   of ``--memory-files`` files (hard links of the samples) vs one of ``--files`` files;
4. 96-step windows from the converted store (:class:`SequenceReader`) vs the same windows read
   the way the authors' training loader reads the public files: h5py, one read per key
   (``frame_{i}_x``, ``frame_{i}_y``, ``frame_{i}_helperarr``) for each frame.

Usage: ``python scripts/bench_datasets.py [--files 6] [--memory-files 24] [--windows 60]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import h5py
import numpy as np
import psutil

from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.pearce.layout import FRAMES_PER_FILE
from csgo_env.datasets.pearce.reader import Recording
from csgo_env.datasets.sequence_store import SequenceReader, index_sources
from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

EXPERT = "hdf5_dm_july2021_expert_{}.hdf5"
TRAIN = "csgo/dust2-expert-train-v0"


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


def raw_read_rate(folder: Path) -> float:
    """Frames/s of ``Recording.read_all`` over every file, one process."""
    paths = sorted(folder.glob("*.hdf5"))
    start, frames = time.perf_counter(), 0
    for path in paths:
        with Recording(path) as rec:
            frames += rec.read_all().num_frames
    return frames / (time.perf_counter() - start)


def convert_rate(folder: Path, out: Path, workers: int) -> float:
    """Frames/s of a whole ``convert`` run (start to finished datasets)."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    report = convert([folder], out_dir=out, workers=workers, progress=False)
    seconds = time.perf_counter() - start
    assert report.ok, report.summary()
    return report.frames / seconds


def peak_tree_rss(args: list[str]) -> tuple[float, float]:
    """(peak MB summed over the process tree, seconds) of a child command."""
    proc = psutil.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, start = 0, time.perf_counter()
    while proc.poll() is None:
        total = 0
        try:
            for p in [proc, *proc.children(recursive=True)]:
                total += p.memory_info().rss
        except psutil.Error:
            pass
        peak = max(peak, total)
        time.sleep(0.02)
    if proc.returncode != 0:
        raise SystemExit(f"conversion failed: {' '.join(args)}")
    return peak / 1e6, time.perf_counter() - start


def authors_window(path: str, start: int, length: int) -> tuple[np.ndarray, ...]:
    """One window read as the authors' loader does: h5py, per key, per frame."""
    with h5py.File(path, "r") as f:
        x = np.stack([f[f"frame_{i}_x"][()] for i in range(start, start + length)])
        y = np.stack([f[f"frame_{i}_y"][()] for i in range(start, start + length)])
        h = np.stack([f[f"frame_{i}_helperarr"][()] for i in range(start, start + length)])
    return x, y, h


def window_rates(store_root: Path, folder: Path, count: int, length: int = 96) -> dict:
    """Windows/s from the store, from the recordings with Recording, and the authors' way."""
    refs = index_sources([TRAIN], store_root)
    by_source = {p.name: str(p) for p in folder.glob("*.hdf5")}
    rng = np.random.default_rng(0)
    picks = [(int(rng.integers(len(refs))), int(rng.integers(999 - length + 1)))
             for _ in range(count)]
    reader = SequenceReader()
    for e, s in picks[:5]:  # warm-up: open files, fault in the readers' code paths
        reader.read(refs[e], s, length)
        authors_window(by_source[refs[e].source], s, length)
    rates = {}
    start = time.perf_counter()
    for e, s in picks:
        reader.read(refs[e], s, length)
    rates["store"] = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for e, s in picks:
        with Recording(by_source[refs[e].source]) as rec:
            rec.frames(s, s + length), rec.action_vectors(s, s + length)
            rec.helper(s + 1, s + length + 1)
    rates["recording"] = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for e, s in picks:
        authors_window(by_source[refs[e].source], s, length)
    rates["authors"] = count / (time.perf_counter() - start)
    reader.close()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=24,
                        help="files per speed run (default 24: enough to amortise starting "
                             "the worker processes)")
    parser.add_argument("--distinct", type=int, default=3,
                        help="distinct sample recordings generated (the rest are hard links)")
    parser.add_argument("--memory-files", type=int, default=24,
                        help="files of the memory run (default 24; hard links; 50 in the report)")
    parser.add_argument("--windows", type=int, default=60, help="96-step windows per reader")
    parser.add_argument("--reps", type=int, default=2,
                        help="interleaved conversion runs per worker count (best is kept)")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args()
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_datasets_"))
    cores = os.cpu_count()
    print(f"cores: {cores}, load average: {os.getloadavg()[0]:.2f}", flush=True)
    t0 = time.perf_counter()
    src = make_sources(work, args.distinct, args.files, "speed")
    print(f"generated {args.distinct} sample files in {time.perf_counter() - t0:.1f} s",
          flush=True)
    raw_read_rate(src)  # warm the page cache
    convert_rate(src, work / "store", 2)  # warm-up run; its output is the window store
    rates = window_rates(work / "store", src, args.windows)
    raw = raw_read_rate(src)
    per_key = per_key_read_rate(src)
    # Interleaved repetitions, best of each: the machine's noise (other load, disk
    # writeback of the previous run) falls on both sides alike.
    one = two = 0.0
    for _ in range(args.reps):
        one = max(one, convert_rate(src, work / "out1", 1))
        two = max(two, convert_rate(src, work / "out2", 2))
    print(f"\n== conversion ({args.files} files, 1000 frames each) ==")
    print(f"read, h5py per key (plain reading):       {per_key:8.0f} frames/s")
    print(f"read, Recording.read_all (byte index):    {raw:8.0f} frames/s")
    print(f"convert, 1 worker:                        {one:8.0f} frames/s  "
          f"= {one / per_key:.2f}x per-key read, {one / raw:.2f}x read_all  (target >= 0.8)")
    print(f"convert, 2 workers:                       {two:8.0f} frames/s  "
          f"= {two / one:.2f}x 1 worker   (target >= 1.7)", flush=True)

    few, _ = peak_tree_rss([sys.executable, "-m", "csgo_env.cli", "convert", str(src),
                            "--out-dir", str(work / "mem_few"), "--workers", "2", "--quiet"])
    many_src = make_sources(work, args.distinct, args.memory_files, "memory")
    many, secs = peak_tree_rss([sys.executable, "-m", "csgo_env.cli", "convert",
                                str(many_src), "--out-dir", str(work / "mem_many"),
                                "--workers", "2", "--quiet"])
    print("\n== memory (process tree, 2 workers) ==")
    print(f"{args.files:3d} files: peak {few:7.0f} MB")
    print(f"{args.memory_files:3d} files: peak {many:7.0f} MB  ({secs:.0f} s; target < 1500 MB, "
          f"growth {many / few:.2f}x)", flush=True)

    print(f"\n== 96-step windows ({args.windows} random windows per reader) ==")
    print(f"converted store (one pread):          {rates['store']:8.1f} windows/s")
    print(f"public files, Recording (pread/key):  {rates['recording']:8.1f} windows/s")
    print(f"public files, authors' h5py per key:  {rates['authors']:8.1f} windows/s")
    print(f"store / authors' way: {rates['store'] / rates['authors']:.1f}x  (target >= 10)")
    print(f"\ntotal {time.perf_counter() - t0:.0f} s; work dir {work}")
    if args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    threading.current_thread().name = "bench"
    main()
