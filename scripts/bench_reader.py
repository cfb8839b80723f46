"""Benchmark: our recording reader against plain h5py per-dataset reads, side by side.

The reference is how the authors' code and DIAMOND read a file: one h5py dataset read per
key (``f[f'frame_{i}_x'][()]``, frames as stored, BGR). Both readers run on the same
page-cached file, their repetitions interleaved, and the best repetition of each is
reported (frames/s and the ratio ours / h5py). "cold" opens the file anew each repetition
(our reader then also looks up every dataset's byte offset); "warm" rereads through an
open Recording. Ours returns RGB frames (the channel swap included in its time).
Targets: RGB frames cold and warm >= 0.9x plain h5py.

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
from bench_support import at_least, interleaved, machine_line, report

from csgo_env.datasets.pearce.reader import KINDS, Recording

TARGET_RGB = 0.9

WINDOW = 96  # frames per training sequence of the authors' agent


def seconds(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, help="a recording (default: a synthetic one)")
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions")
    parser.add_argument("--windows", type=int, default=100, help="random 96-frame windows")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file
        if path is None:
            from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

            path = write_synthetic_recordings(tmp, files=1, with_metadata=False)[0]
        ratios = run(path, args.reps, args.windows, args.json)
    return report([
        at_least("reader: RGB frames, cold (open + read) / plain h5py",
                 ratios["frames RGB cold / h5py"], TARGET_RGB, "x"),
        at_least("reader: RGB frames, warm (open file) / plain h5py",
                 ratios["frames RGB warm / h5py"], TARGET_RGB, "x")])


def run(path: Path, reps: int, windows: int, as_json: bool) -> dict[str, float]:
    """Time both readers; print the table; return the ratios."""
    path.read_bytes()  # page-cache the file
    with Recording(path) as rec:
        n = rec.num_frames
        warm = Recording(path)
    warm.frames()
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

        runs = {"h5py frames": lambda: h5py_frames(path, n),
                "ours frames RGB cold": lambda: ours(path, "frames"),
                "ours frames BGR cold": lambda: ours(path, "frames_bgr"),
                "ours frames RGB warm": warm.frames,
                "h5py all 4 keys": lambda: h5py_all(path, n),
                "ours read_all cold": lambda: ours(path, "read_all"),
                "h5py windows": h5py_windows,
                "ours windows": our_windows}
        times = interleaved({k: (lambda fn=fn: seconds(fn)) for k, fn in runs.items()}, reps)
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
        return ratios
    print(f"file {path.name}: {n} frames, best of {reps} interleaved repetitions, page-cached;"
          f" h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}; {machine_line()}")
    for key, value in rate.items():
        print(f"  {key:<24} {value:>10,.0f} frames/s")
    for key, value in ratios.items():
        print(f"  ratio {key:<42} {value:6.2f}x")
    return ratios


if __name__ == "__main__":
    raise SystemExit(main())
