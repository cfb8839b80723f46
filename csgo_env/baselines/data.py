"""Training and validation sequences from the streaming loader, split by a seeded rule.

The sources of ``data.dataset`` are indexed once by the sequence loader
(:class:`csgo_env.datasets.loader.SequenceDataset`; nothing is read into memory). Episodes
(one per source file) are then split into train and validation by a rule that depends only
on the file name and ``val_seed``: a file is held out when the first 8 bytes of
``sha256(f"{val_seed}:{name}")``, read as a fraction of 2**64, fall below ``val_fraction``
(at least one file held out when there are two or more). Test splits are refused.

Sequences are drawn uniformly over every valid start of the chosen episodes: item ``i``
of a stream comes from ``numpy.random.default_rng([seed, i])``, so a run is the same for
any number of workers, and step ``s`` of rank ``r`` of ``W`` processes with batch ``B``
reads items ``(s * W + r) * B ... + B - 1`` (:class:`StepBatches`) — each rank its own
share, and a resumed run reads exactly what the uninterrupted one would have.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from csgo_env.baselines.config import DataConfig
from csgo_env.datasets.loader import SequenceDataset, seed_worker
from csgo_env.errors import DatasetError, DatasetNotFound, explain

_DATASET_ID = re.compile(r"^[\w.-]+/[\w.-]+-v\d+$")


def held_out(name: str, val_fraction: float, val_seed: int) -> bool:
    """Whether file ``name`` is a validation file under the seeded rule (module docstring)."""
    digest = hashlib.sha256(f"{val_seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < val_fraction


def split_episodes(names: Sequence[str], val_fraction: float, val_seed: int
                   ) -> tuple[list[int], list[int]]:
    """(train, validation) episode indices of ``names`` (source file names)."""
    val = [i for i, n in enumerate(names) if held_out(n, val_fraction, val_seed)]
    if val_fraction > 0 and not val and len(names) >= 2:
        scores = [hashlib.sha256(f"{val_seed}:{n}".encode()).digest() for n in names]
        val = [int(np.argmin([int.from_bytes(s[:8], "big") for s in scores]))]
    if len(val) == len(names):
        val = val[:-1]
    train = [i for i in range(len(names)) if i not in set(val)]
    return train, val


def _check_source(src: str, root: str | None) -> None:
    """Clear errors for an id that is unknown, not converted, a test split, or empty."""
    from csgo_env.datasets.minari import storage as ms
    from csgo_env.datasets.minari.catalog import get_dataset_info
    from csgo_env.datasets.openarena import catalog as openarena

    if Path(src).expanduser().exists() or not _DATASET_ID.match(src):
        return
    if src.startswith("openarena/"):  # the bot demonstrations (datasets.openarena.catalog)
        split = openarena.get_info(src).split
    else:  # DatasetNotFound with "did you mean" for unknown ids
        split = get_dataset_info(src).split
    if split == "test":
        raise DatasetError(explain(
            "refusing to train on a test split", expected="a -train- dataset id",
            got=src, fix=f"use {src.replace('-test-', '-train-')}; validation files are "
            "held out of the train split by data.val_fraction"))
    base = ms.minari_root(root)
    if not (ms.data_dir(base, src) / ms.METADATA_FILE).exists():
        raise DatasetNotFound(explain(
            f"dataset {src} is not converted", expected=f"it under {base}", got="nothing there",
            fix="convert the recordings first: csgo-env convert SOURCES "
            f"--out {base} (or set data.root to where it was converted)"))


def open_sequences(cfg: DataConfig, frame_stack: int) -> SequenceDataset:
    """Index ``cfg.dataset`` with the sequence loader; errors name the fix."""
    from csgo_env.datasets.minari.catalog import split_of

    if not cfg.dataset:
        raise DatasetError(explain("no dataset given", expected="data.dataset: an id or path",
                                   got="[]"))
    for src in cfg.dataset:
        _check_source(str(src), cfg.root)
    try:
        base = SequenceDataset(list(cfg.dataset), seq_len=cfg.seq_len, frame_stack=frame_stack,
                             root=cfg.root, seed=0)
    except DatasetNotFound as exc:
        if "no episodes" in str(exc):
            raise DatasetError(explain(
                "the dataset is empty", expected="at least one episode",
                got=", ".join(map(str, cfg.dataset)),
                fix="convert recordings into it (csgo-env convert) or point data.dataset "
                "at a folder with recordings")) from exc
        raise
    for ref in base.episodes:
        name = Path(ref.source).name
        try:
            test = split_of(name) == "test"
        except Exception:  # names outside the catalog's families have no split
            test = False
        if test:
            raise DatasetError(explain("refusing to train on a test-split file",
                                       got=name, fix="remove the test files from data.dataset"))
    return base


class EpisodeSequences(Dataset):
    """Uniform sequences over the ``episodes`` subset of ``base`` (module docstring)."""

    def __init__(self, base: SequenceDataset, episodes: Sequence[int], seed: int,
                 length: int = 2**62) -> None:
        self.base, self.episodes, self.seed, self.length = base, list(episodes), int(seed), length
        history = base.frame_stack - 1
        starts = np.array([base.episodes[e].steps - base.seq_len - history + 1
                           for e in self.episodes])
        if len(starts) == 0 or starts.max() < 1:
            raise DatasetError(explain(
                "no episode is long enough for one sequence",
                expected=f"episodes of >= {base.seq_len + history} steps",
                got=f"{len(starts)} episodes", fix="lower data.seq_len or model.frame_stack"))
        self._cum = np.cumsum(np.maximum(starts, 0))

    def __len__(self) -> int:
        return self.length

    def locate(self, index: int) -> tuple[int, int]:
        """(episode index into ``base.episodes``, start step) of item ``index``."""
        g = int(np.random.default_rng([self.seed, int(index)]).integers(int(self._cum[-1])))
        k = int(np.searchsorted(self._cum, g, side="right"))
        before = int(self._cum[k - 1]) if k else 0
        return self.episodes[k], g - before + self.base.frame_stack - 1

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return self.base.sequence_at(*self.locate(index))


class StepBatches(Sampler[list[int]]):
    """Batches of item indices for steps ``start, start + 1, ...`` of rank ``rank``."""

    def __init__(self, batch_size: int, start: int = 0, rank: int = 0, world: int = 1,
                 stop: int | None = None) -> None:
        self.batch_size, self.start, self.rank, self.world = batch_size, start, rank, world
        self.stop = stop

    def __iter__(self) -> Iterator[list[int]]:
        step = self.start
        while self.stop is None or step < self.stop:
            first = (step * self.world + self.rank) * self.batch_size
            yield list(range(first, first + self.batch_size))
            step += 1

    def __len__(self) -> int:
        return (self.stop - self.start) if self.stop is not None else 2**62


def train_loader(data: EpisodeSequences, batch_size: int, *, start: int, rank: int,
                 world: int, stop: int, num_workers: int) -> DataLoader:
    """A DataLoader yielding the batches of steps ``start..stop-1`` for this rank."""
    return DataLoader(data, batch_sampler=StepBatches(batch_size, start, rank, world, stop),
                      num_workers=num_workers, worker_init_fn=seed_worker if num_workers else None,
                      persistent_workers=False, pin_memory=torch.cuda.is_available(),
                      generator=torch.Generator())  # the global generator stays untouched


def validation_batches(data: EpisodeSequences, batch_size: int, count: int
                       ) -> DataLoader:
    """The fixed validation set: items 0..count-1 in batches."""
    return DataLoader(data, batch_sampler=StepBatches(batch_size, 0, 0, 1,
                                                      -(-count // batch_size)),
                      generator=torch.Generator())
