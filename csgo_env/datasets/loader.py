"""PyTorch dataset of fixed-length sequences sampled uniformly over episodes.

This module imports torch; ``import csgo_env`` does not import it.

Item ``i`` of epoch ``e`` is the sequence whose start is drawn from
``numpy.random.default_rng([seed, e, i])`` uniformly over *every valid sequence of every
episode* (so longer datasets get proportionally more samples), which makes a run
reproducible whatever ``num_workers`` and batch order are. Files are opened lazily inside
each DataLoader worker (:class:`~csgo_env.datasets.sequence_store.SequenceReader`).

Each item is a dict of tensors (L = ``seq_len``, k = ``frame_stack``, H x W = ``resize`` or
150 x 280):

==============  =====================  ==================================================
key             shape, dtype           meaning
==============  =====================  ==================================================
observations    (L, H, W, 3) uint8     RGB frames s..s+L-1; with k > 1: (L, k, H, W, 3),
                                       frames t-k+1..t for each step t (oldest first);
                                       ``channels_first`` puts channels before H, W
actions         (L, 15) int64          factored actions of steps s..s+L-1
rewards         (L,) float32           rewards of those steps (default RewardSpec)
kill, death     (L,) bool              events after each action (flags of frame t+1)
terminations,   (L,) bool              episode-end flags of those steps
truncations
episode, start  () int64               which episode (index into ``episodes``) and step s
meta            dict of (L, ...)       only with ``metadata=True``: the game state of
                float64                frames s..s+L-1 (position (L, 3), yaw_deg, pitch_deg,
                                       velocity (L, 3), health, armor, clip_ammo,
                                       weapon_id, kills, deaths; units in
                                       :mod:`csgo_env.datasets.minari.episode_meta`), NaN
                                       where unknown
meta_known      dict of (L,) bool      whether each of those values is known
==============  =====================  ==================================================
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from csgo_env.datasets.sequence_store import EpisodeRef, SequenceReader, index_sources
from csgo_env.errors import DatasetError, explain


class SequenceDataset(Dataset):
    """Uniformly sampled sequences of ``seq_len`` steps from converted datasets or recordings.

    ``sources``: Minari dataset ids (looked up under ``root`` / ``MINARI_DATASETS_PATH``),
    dataset folders, recording files or folders of recordings (public layout; slower).
    ``samples_per_epoch`` defaults to the number of non-overlapping sequences.
    ``resize=(H, W)`` resamples frames with antialiased bilinear filtering.
    ``metadata=True`` adds each step's game state (``meta``, ``meta_known``; see above).
    """

    def __init__(self, sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
                 seq_len: int = 32, frame_stack: int = 1, resize: tuple[int, int] | None = None,
                 channels_first: bool = False, samples_per_epoch: int | None = None,
                 seed: int = 0, root: str | os.PathLike[str] | None = None,
                 metadata: bool = False) -> None:
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        for name, value in (("seq_len", seq_len), ("frame_stack", frame_stack)):
            if int(value) < 1:
                raise DatasetError(explain(f"{name} must be positive", got=str(value)))
        if resize is not None and (len(resize) != 2 or min(resize) < 1):
            raise DatasetError(explain("resize must be (height, width)", got=repr(resize)))
        self.seq_len, self.frame_stack = int(seq_len), int(frame_stack)
        self.resize, self.channels_first, self.seed = resize, channels_first, int(seed)
        self.metadata = bool(metadata)
        self.episodes: list[EpisodeRef] = index_sources(list(sources), root)
        history = self.frame_stack - 1
        starts = np.array([ref.steps - self.seq_len - history + 1 for ref in self.episodes])
        if starts.max() < 1:
            raise DatasetError(explain("seq_len longer than every episode",
                                       expected=f"seq_len + frame_stack - 1 <= "
                                       f"{max(r.steps for r in self.episodes)}",
                                       got=str(self.seq_len + history)))
        self._cum = np.cumsum(np.maximum(starts, 0))
        self.total_sequences = int(self._cum[-1])
        default = sum(ref.steps // self.seq_len for ref in self.episodes)
        self.samples_per_epoch = int(samples_per_epoch or max(default, 1))
        self.epoch = 0
        self._reader = SequenceReader()

    def __len__(self) -> int:
        return self.samples_per_epoch

    def set_epoch(self, epoch: int) -> None:
        """Draw another set of sequences (call before each epoch, as with DistributedSampler)."""
        self.epoch = int(epoch)

    def locate(self, index: int) -> tuple[int, int]:
        """(episode, start step) of item ``index`` in the current epoch."""
        if not 0 <= index < self.samples_per_epoch:
            raise IndexError(index)
        rng = np.random.default_rng([self.seed, self.epoch, int(index)])
        g = int(rng.integers(self.total_sequences))
        episode = int(np.searchsorted(self._cum, g, side="right"))
        before = int(self._cum[episode - 1]) if episode else 0
        return episode, g - before + self.frame_stack - 1

    def __getitem__(self, index: int) -> dict[str, Any]:
        episode, start = self.locate(index)
        return self.sequence_at(episode, start)

    def sequence_at(self, episode: int, start: int) -> dict[str, Any]:
        """The sequence of episode ``episode`` starting at step ``start`` (no randomness)."""
        history = self.frame_stack - 1
        raw = self._reader.read(self.episodes[episode], start, self.seq_len, history,
                                meta=self.metadata)
        frames = raw.pop("observations")
        meta = raw.pop("meta", None)
        known = raw.pop("meta_known", None)
        if self.resize is not None:
            frames = _resize(frames, self.resize)
        if history:
            idx = np.arange(self.seq_len)[:, None] + np.arange(self.frame_stack)[None, :]
            frames = frames[idx]  # (L, k, H, W, 3)
        obs = torch.from_numpy(np.ascontiguousarray(frames))
        if self.channels_first:
            obs = obs.movedim(-1, -3).contiguous()
        out: dict[str, Any] = {"observations": obs}
        out.update({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in raw.items()})
        if meta is not None and known is not None:
            out["meta"] = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in meta.items()}
            out["meta_known"] = {k: torch.from_numpy(np.ascontiguousarray(v))
                                 for k, v in known.items()}
        out["episode"] = torch.tensor(episode, dtype=torch.int64)
        out["start"] = torch.tensor(start, dtype=torch.int64)
        return out

    def close(self) -> None:
        """Close the files this process opened."""
        self._reader.close()


def _resize(frames: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize uint8 (n, H, W, 3) frames to (n, h, w, 3), antialiased bilinear, rounded."""
    if tuple(frames.shape[1:3]) == tuple(size):
        return frames
    x = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
    y = torch.nn.functional.interpolate(x, size=tuple(size), mode="bilinear",
                                        antialias=True, align_corners=False)
    return y.round_().clamp_(0, 255).to(torch.uint8).permute(0, 2, 3, 1).numpy()


def seed_worker(worker_id: int) -> None:
    """``worker_init_fn`` for DataLoader: one torch thread per worker (no oversubscription)."""
    torch.set_num_threads(1)


def make_loader(dataset: SequenceDataset, *, batch_size: int = 8, num_workers: int = 0,
                shuffle: bool = True, **kwargs: Any) -> torch.utils.data.DataLoader:
    """A DataLoader over ``dataset`` with per-worker file handles and a seeded shuffle.

    Workers are not persistent, so :meth:`SequenceDataset.set_epoch` reaches them.
    """
    generator = torch.Generator().manual_seed(dataset.seed)
    return torch.utils.data.DataLoader(
        dataset, batch_size=batch_size, num_workers=num_workers, shuffle=shuffle,
        generator=generator, worker_init_fn=seed_worker if num_workers else None,
        **kwargs)
