"""Benchmark: training sequences through the DataLoader, as the trainer receives them.

On synthetic recordings in the exact public layout (page-cached) and their converted store,
each side delivers batches of ``--batch-size`` sequences of ``--seq-len`` steps through a
``torch.utils.data.DataLoader`` with the same number of worker processes (``--workers``):

- reference: the dataset authors' pattern -- a Dataset whose item reads one sequence from a
  public file with h5py, one read per key and frame (``frame_{i}_x``, ``frame_{i}_y``,
  ``frame_{i}_helperarr``), collated by the DataLoader's default collation;
- ours: :func:`~csgo_env.datasets.batch_loader.make_batch_loader` over the converted store
  (whole batches built in the workers into reused shared memory);
- for context: :func:`~csgo_env.datasets.loader.make_loader` (per-sequence items, default
  collation) over the same store.

The sequences are the same (episode, start) picks for every side. The trainer side touches
one byte of every page of the observations and sums the actions, so a batch counts once
its data is really there. Rates are sequences/s from the second batch on (worker start-up
excluded), best of ``--reps`` interleaved repetitions. Target: ours >= 10x the reference.

    python scripts/bench_loader.py [--workers 2] [--batch-size 8] [--reps 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from bench_support import at_least, busy_cores, interleaved, machine_line, report
from torch.utils.data import DataLoader, Dataset

from csgo_env.datasets.batch_loader import make_batch_loader
from csgo_env.datasets.loader import SequenceDataset, make_loader
from csgo_env.datasets.minari.export import convert
from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings

TRAIN = "csgo/dust2-expert-train-v0"
EXPERT = "hdf5_dm_july2021_expert_{}.hdf5"
TARGET = 10.0


class AuthorsWindows(Dataset):
    """The authors' way: h5py, one read per key and frame; picks as ``picks(i)``."""

    def __init__(self, sequences: SequenceDataset, files: dict[str, str]) -> None:
        self.sequences = sequences
        self.paths = [files[ref.source] for ref in sequences.episodes]
        self._open: dict[str, Any] = {}

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        episode, start = self.sequences.locate(index)
        path = self.paths[episode]
        f = self._open.get(path)
        if f is None:
            f = self._open[path] = h5py.File(path, "r")
        span = range(start, start + self.sequences.seq_len)
        x = np.stack([f[f"frame_{i}_x"][()] for i in span])
        y = np.stack([f[f"frame_{i}_y"][()] for i in span])
        helper = np.stack([f[f"frame_{i + 1}_helperarr"][()] for i in span])
        return {"observations": torch.from_numpy(x), "actions": torch.from_numpy(y),
                "helper": torch.from_numpy(helper)}

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_open": {}}


def make_store(work: Path, distinct: int, files: int) -> tuple[Path, dict[str, str]]:
    """``files`` recordings (hard links of ``distinct`` samples) and their converted store."""
    pool = work / "pool"
    write_synthetic_recordings(pool, family="dust2-expert", files=distinct, first_number=1,
                            with_metadata=False)
    samples = sorted(pool.glob("hdf5_*.hdf5"))
    src = work / "recordings"
    src.mkdir()
    numbers = [n for n in range(1, 10 * files) if n % 10][:files]  # train split only
    for i, n in enumerate(numbers):
        os.link(samples[i % len(samples)], src / EXPERT.format(n))
    report_ = convert([src], out_dir=work / "store", workers=2, progress=False)
    assert report_.ok, report_.summary()
    for path in src.glob("*.hdf5"):
        path.read_bytes()  # page-cache both sides
    return work / "store", {p.name: str(p) for p in src.glob("*.hdf5")}


def _consume(batch: dict[str, torch.Tensor]) -> int:
    obs = batch["observations"]
    return int(obs.reshape(-1)[::4096].sum()) + int(batch["actions"].sum())


def sequences_per_s(loader: Iterable[dict[str, torch.Tensor]], batches: int) -> float:
    """Sequences/s the trainer receives, from the second batch on."""
    it = iter(loader)
    _consume(next(it))
    start, count = time.perf_counter(), 0
    for _ in range(batches):
        batch = next(it)
        _consume(batch)
        count += len(batch["observations"])
    rate = count / (time.perf_counter() - start)
    del it
    return rate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=96, help="steps per sequence")
    parser.add_argument("--batches", type=int, default=30, help="timed batches, ours")
    parser.add_argument("--authors-batches", type=int, default=4,
                        help="timed batches, the authors' pattern (it is slow)")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--distinct", type=int, default=3,
                        help="distinct sample recordings generated (the rest are hard links)")
    parser.add_argument("--busy", type=int, default=0, help="busy-loop processes meanwhile")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(args.work_dir or tempfile.mkdtemp(prefix="bench_loader_"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        store, files = make_store(work, args.distinct, args.files)
        need = (max(args.batches, args.authors_batches) + 2) * args.batch_size
        ds = SequenceDataset(TRAIN, root=store, seq_len=args.seq_len, samples_per_epoch=need)
        w, b = args.workers, args.batch_size
        sides: dict[str, Callable[[], float]] = {
            "authors": lambda: sequences_per_s(DataLoader(
                AuthorsWindows(ds, files), batch_size=b, num_workers=w, shuffle=True,
                generator=torch.Generator().manual_seed(0)), args.authors_batches),
            "ours": lambda: sequences_per_s(make_batch_loader(ds, batch_size=b, num_workers=w),
                                          args.batches),
            "per-sequence": lambda: sequences_per_s(make_loader(ds, batch_size=b, num_workers=w),
                                                min(args.batches, 12)),
        }
        with busy_cores(args.busy):
            rates = interleaved(sides, args.reps)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    best = {k: max(v) for k, v in rates.items()}
    print(f"{args.seq_len}-step sequences, batches of {b}, {w} worker processes, "
          f"best of {args.reps} interleaved repetitions; {args.busy} busy; {machine_line()}")
    labels = {"authors": "authors' per-key h5py Dataset + default collation (reference)",
              "ours": "make_batch_loader (whole batches, shared slots)",
              "per-sequence": "make_loader (SequenceDataset items + default collation)"}
    for key, label in labels.items():
        print(f"  {label:<66} {best[key]:8.1f} seq/s  {best[key] / best['authors']:6.1f}x"
              f"   (all: {', '.join(f'{v:.1f}' for v in rates[key])})")
    return report([at_least(f"loader: sequences/s through the DataLoader, ours / authors' "
                            f"per-key reads, {w} workers", best["ours"] / best["authors"],
                            TARGET, "x", f"{best['ours']:.0f} vs {best['authors']:.1f} "
                            "sequences/s")])


if __name__ == "__main__":
    raise SystemExit(main())
