"""Benchmark: our recording reader against plain h5py per-dataset reads, side by side.

The reference is how the authors' code and DIAMOND read a file: one h5py dataset read per
key (``f[f'frame_{i}_x'][()]``). Both readers run on the same page-cached file, their
repetitions interleaved, and the best repetition of each is reported (frames/s and the
ratio ours / h5py). "cold" opens the file anew each repetition (our reader then also looks
up every dataset's byte offset); "warm" rereads through an open Recording.

    python scripts/bench_reader.py                 # a synthetic 1000-frame file
    python scripts/bench_reader.py --file hdf5_dm_july2021_expert_1.hdf5 --reps 7
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

from csgo_env.datasets.pearce.reader import KINDS, Recording

WINDOW = 96  # frames per training sequence of the authors' agent


def best_of(fn: Callable[[], object], results: list[float]) -> None:
    start = time.perf_counter()
    fn()
    results.append(time.perf_counter() - start)


def h5py_frames(path: Path, n: int) -> None:
    with h5py.File(path, "r") as f:
        for i in range(n):
            f[f"frame_{i}_x"][()]


def h5py_all(path: Path, n: int) -> None:
    with h5py.File(path, "r") as f:
        for i in range(n):
            for kind in KINDS:
                f[f"frame_{i}_{kind}"][()]


def ours(path: Path, method: str) -> None:
    with Recording(path) as rec:
        getattr(rec, method)()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, help="a recording (default: a synthetic one)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--windows", type=int, default=100, help="random 96-frame windows")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

            path = write_synthetic_recordings(tmp, files=1, with_metadata=False)[0]
        run(path, args.reps, args.windows, args.json)


def run(path: Path, reps: int, windows: int, as_json: bool) -> None:
    path.read_bytes()  # page-cache the file
    with Recording(path) as rec:
        n = rec.num_frames
        warm = Recording(path)
    warm.frames()
    times: dict[str, list[float]] = {k: [] for k in (
        "h5py frames", "ours frames RGB cold", "ours frames BGR cold", "ours frames RGB warm",
        "h5py all 4 keys", "ours read_all cold", "h5py windows", "ours windows")}
    rng = np.random.default_rng(0)
    starts = rng.integers(0, n - WINDOW + 1, windows)
    with h5py.File(path, "r") as f:
        def h5py_windows() -> None:
            for s in starts:
                for i in range(s, s + WINDOW):
                    f[f"frame_{i}_x"][()]
                    f[f"frame_{i}_y"][()]

        window_rec = Recording(path)

        def our_windows() -> None:
            for s in starts:
                window_rec.frames(int(s), int(s) + WINDOW)
                window_rec.actions(int(s), int(s) + WINDOW)

        for _ in range(reps):
            best_of(lambda: h5py_frames(path, n), times["h5py frames"])
            best_of(lambda: ours(path, "frames"), times["ours frames RGB cold"])
            best_of(lambda: ours(path, "frames_bgr"), times["ours frames BGR cold"])
            best_of(warm.frames, times["ours frames RGB warm"])
            best_of(lambda: h5py_all(path, n), times["h5py all 4 keys"])
            best_of(lambda: ours(path, "read_all"), times["ours read_all cold"])
            best_of(h5py_windows, times["h5py windows"])
            best_of(our_windows, times["ours windows"])
        window_rec.close()
    warm.close()
    frames = {k: (windows * WINDOW if "windows" in k else n) for k in times}
    rate = {k: frames[k] / min(v) for k, v in times.items()}
    ratios = {
        "frames RGB cold / h5py": rate["ours frames RGB cold"] / rate["h5py frames"],
        "frames BGR cold / h5py": rate["ours frames BGR cold"] / rate["h5py frames"],
        "frames RGB warm / h5py": rate["ours frames RGB warm"] / rate["h5py frames"],
        "read_all cold / h5py all 4 keys": rate["ours read_all cold"] / rate["h5py all 4 keys"],
        "96-frame windows (frames+actions) / h5py": rate["ours windows"] / rate["h5py windows"],
    }
    if as_json:
        print(json.dumps({"file": str(path), "frames": n, "reps": reps,
                          "frames_per_s": rate, "ratios": ratios}, indent=1))
        return
    print(f"file {path.name}: {n} frames, best of {reps} interleaved repetitions, page-cached;"
          f" h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}")
    for key, value in rate.items():
        print(f"  {key:<24} {value:>10,.0f} frames/s")
    for key, value in ratios.items():
        print(f"  ratio {key:<42} {value:6.2f}x")


if __name__ == "__main__":
    main()
