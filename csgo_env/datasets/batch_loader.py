"""Whole training batches assembled in the DataLoader's workers, in reused shared memory.

This module imports torch; ``import csgo_env`` does not import it.

:func:`~csgo_env.datasets.loader.make_loader` delivers sequences the standard way: a worker
builds each one, PyTorch's default collation stacks them into a fresh shared-memory
batch, and the main process maps it. A batch of 8 sequences of 96 frames is about 97 MB, so
that path spends its time faulting in fresh shared memory and copying, not reading.

:func:`make_batch_loader` gives the same batches (the keys, shapes, dtypes and values of
default collation over :class:`~csgo_env.datasets.loader.SequenceDataset` items, in the same
order for the same seed) another way:

- the main process owns a pool of shared-memory observation buffers ("slots"), made before
  the workers start, and its batch sampler gives every batch a free slot;
- the worker reads each sequence's frames straight into its slot (one ``pread`` per
  sequence for a converted dataset) and sends back only the small arrays;
- the main process puts the slot's tensor into the batch.

A slot is free again once no tensor of it (the batch's or any view) is alive in the main
process -- read from the storage's use count -- so after the first batches no page is
faulted and every frame byte is copied once, from the page cache into the slot. When no
slot is free (the trainer keeps many batches) the worker makes a fresh buffer for that
batch instead. Batches are therefore the trainer's to keep, exactly as with a DataLoader.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
)

from csgo_env.datasets.loader import SequenceDataset, _resize, seed_worker
from csgo_env.observations import OBS_SHAPE


def _use_count(tensor: torch.Tensor) -> int | None:
    """References to the tensor's storage (tensors and views), or None where unknown."""
    counter = getattr(torch._C, "_storage_Use_Count", None)
    if counter is None:
        return None
    return int(counter(tensor.untyped_storage()._cdata))


def _shared_uint8(shape: tuple[int, ...]) -> torch.Tensor:
    """An uninitialised uint8 tensor in shared memory (no page touched yet)."""
    storage = torch.UntypedStorage._new_shared(math.prod(shape))
    return torch.empty(0, dtype=torch.uint8).set_(storage).view(shape)


class _SlotPool:
    """Shared observation buffers of one loader; which are in flight, which are free."""

    def __init__(self, count: int, shape: tuple[int, ...]) -> None:
        self.shape = shape
        self.slots = [_shared_uint8(shape) for _ in range(count)]
        self._base = [_use_count(t) for t in self.slots]
        self._in_flight: set[int] = set()

    def __getstate__(self) -> dict[str, Any]:  # workers need the buffers only
        return {"shape": self.shape, "slots": self.slots, "_base": [], "_in_flight": set()}

    def take(self) -> int:
        """A free slot, now in flight; -1 when none is free."""
        for k, slot in enumerate(self.slots):
            base = self._base[k]
            if k not in self._in_flight and base is not None and _use_count(slot) == base:
                self._in_flight.add(k)
                return k
        return -1

    def delivered(self, k: int) -> None:
        """Slot ``k`` came back from a worker; it is free once the trainer drops it."""
        self._in_flight.discard(k)

    def reset(self) -> None:
        """A new pass: what was in flight in an abandoned one is not coming back."""
        self._in_flight.clear()


class _SlotSampler(Sampler):
    """Batches of indices, each with the slot its frames go to: ``(slot, [indices])``."""

    def __init__(self, batches: BatchSampler, pool: _SlotPool) -> None:
        self.batches, self.pool = batches, pool

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[tuple[int, list[int]]]:
        for indices in self.batches:
            yield self.pool.take(), list(indices)


class _SequenceBatches(Dataset):
    """``dataset[(slot, indices)]``: one whole batch, built in the worker."""

    def __init__(self, dataset: SequenceDataset, pool: _SlotPool) -> None:
        self.dataset, self.pool = dataset, pool

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, item: tuple[int, list[int]]) -> dict[str, Any]:
        slot, indices = item
        n = len(indices)
        fresh = None if slot >= 0 else torch.from_numpy(
            np.empty((n, *self.pool.shape[1:]), dtype=np.uint8))
        obs = self.pool.slots[slot].numpy()[:n] if fresh is None else fresh.numpy()
        out: dict[str, list[Any]] = {}
        for j, index in enumerate(indices):
            episode, start = self.dataset.locate(index)
            small = _sequence_into(self.dataset, episode, start, obs[j])
            for key, value in small.items():
                out.setdefault(key, []).append(value)
        batch: dict[str, Any] = {key: np.stack(values) for key, values in out.items()}
        batch["slot"] = slot
        if fresh is not None:
            batch["observations"] = fresh  # a tensor: moved to shared memory when sent
        return batch


def _sequence_into(ds: SequenceDataset, episode: int, start: int, target: np.ndarray
                 ) -> dict[str, Any]:
    """Write the sequence's observations into ``target``; return its other arrays (numpy),
    the same values as ``ds.sequence_at(episode, start)``."""
    history = ds.frame_stack - 1
    ref = ds.episodes[episode]
    plain = history == 0 and not ds.channels_first and (
        ds.resize is None or tuple(ds.resize) == tuple(target.shape[1:3]))
    if plain and target.shape[1:] == OBS_SHAPE:
        raw = ds._reader.read(ref, start, ds.seq_len, 0, observations_out=target)
    else:
        raw = ds._reader.read(ref, start, ds.seq_len, history)
        frames = raw["observations"]
        if ds.resize is not None:
            frames = _resize(frames, ds.resize)
        if history:
            idx = np.arange(ds.seq_len)[:, None] + np.arange(ds.frame_stack)[None, :]
            frames = frames[idx]
        if ds.channels_first:
            frames = np.moveaxis(frames, -1, -3)
        target[...] = frames
    small: dict[str, Any] = {k: np.ascontiguousarray(v) for k, v in raw.items()
                             if k != "observations"}
    small["episode"] = np.int64(episode)
    small["start"] = np.int64(start)
    return small


def _identity(batch: Any) -> Any:
    return batch


class BatchLoader:
    """Iterable of whole batches (dicts of tensors); see the module docstring.

    ``loader`` is the underlying DataLoader (its sampler yields ``(slot, indices)``);
    ``fresh_batches`` counts the batches that found no free slot (so far).
    """

    def __init__(self, dataset: SequenceDataset, *, batch_size: int = 8, num_workers: int = 0,
                 shuffle: bool = True, drop_last: bool = False,
                 prefetch_factor: int | None = None, **kwargs: Any) -> None:
        for name in ("batch_size", "sampler", "batch_sampler", "collate_fn", "shuffle"):
            kwargs.pop(name, None)
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.fresh_batches = 0
        if num_workers and prefetch_factor is None:
            prefetch_factor = 2
        in_flight = num_workers * (prefetch_factor or 0)
        self.pool = _SlotPool(in_flight + 2, (self.batch_size, *_obs_shape(dataset)))
        # One generator for the sampler and the DataLoader, as make_loader has: the same
        # draws in the same order give the same batches.
        generator = torch.Generator().manual_seed(dataset.seed)
        base: Sampler = (RandomSampler(dataset, generator=generator) if shuffle
                         else SequentialSampler(dataset))
        sampler = _SlotSampler(BatchSampler(base, self.batch_size, drop_last), self.pool)
        self.loader = DataLoader(
            _SequenceBatches(dataset, self.pool), batch_size=None, sampler=sampler,
            num_workers=num_workers, collate_fn=_identity, prefetch_factor=prefetch_factor,
            generator=generator,
            worker_init_fn=seed_worker if num_workers else None, **kwargs)

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        self.pool.reset()
        for raw in self.loader:
            slot = int(raw.pop("slot"))
            if slot >= 0:
                # Always a new view: the batch's own reference is what keeps the slot taken.
                obs = self.pool.slots[slot][: len(raw["actions"])]
                self.pool.delivered(slot)
            else:
                obs = raw.pop("observations")
                self.fresh_batches += 1
            batch = {"observations": obs}
            batch.update({k: torch.from_numpy(v) for k, v in raw.items()})
            del raw, obs
            yield batch


def _obs_shape(ds: SequenceDataset) -> tuple[int, ...]:
    """Shape of one sequence's observations, as ``ds.sequence_at`` gives them."""
    h, w = ds.resize if ds.resize is not None else OBS_SHAPE[:2]
    frame = (3, h, w) if ds.channels_first else (h, w, 3)
    return (ds.seq_len, ds.frame_stack, *frame) if ds.frame_stack > 1 else (ds.seq_len, *frame)


def make_batch_loader(dataset: SequenceDataset, *, batch_size: int = 8, num_workers: int = 0,
                      shuffle: bool = True, **kwargs: Any) -> BatchLoader:
    """Batches of ``dataset`` assembled whole in ``num_workers`` worker processes.

    The same batches as :func:`~csgo_env.datasets.loader.make_loader` with the same
    arguments (same seeded order), without per-sequence collation; other keyword arguments
    (``drop_last``, ``prefetch_factor``, ``multiprocessing_context``, ``timeout``, ...) go
    to the DataLoader. Workers are not persistent, so ``dataset.set_epoch`` reaches them.
    """
    return BatchLoader(dataset, batch_size=batch_size, num_workers=num_workers,
                       shuffle=shuffle, **kwargs)
