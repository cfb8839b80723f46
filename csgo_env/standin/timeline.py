"""The frames the replay game plays: one or more recordings end to end, looping.

Global frame ``i`` runs over the recordings in the order given (``0 .. len - 1``); the
caller wraps. Flags and recorded mouse moves of every frame are read once at open (two
small arrays); images are read on demand, one frame at a time.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from csgo_env.actions import MOUSE_X_BINS, MOUSE_Y_BINS, N_BINARY
from csgo_env.errors import DatasetNotFound, explain


class Timeline:
    """Recordings (Pearce layout) played back to back.

    ``frame(i)``: RGB uint8 (150, 280, 3). ``flags(i)``: ``(kill, death)`` ints from the
    recording's helper array. ``recorded_mouse(i)``: the recorded action's mouse move at
    frame ``i`` in counts (bin centres; +x right, +y down).
    """

    def __init__(self, paths: Sequence[str | Path]) -> None:
        from csgo_env.datasets.pearce.reader import Recording

        if not paths:
            raise DatasetNotFound(explain("the replay game needs a recording",
                                          expected="at least one .hdf5 path", got="none",
                                          fix="pass --recording PATH (csgo-env synthesize "
                                              "makes one)"))
        self._recordings = [Recording(Path(p)) for p in paths]
        counts = [int(r.num_frames) for r in self._recordings]
        self._starts = np.cumsum([0, *counts])[:-1].tolist()
        self._len = int(sum(counts))
        helpers, actions = [], []
        for rec, n in zip(self._recordings, counts, strict=True):
            helpers.append(np.asarray(rec.helper(0, n), dtype=np.float64).reshape(n, 2))
            actions.append(np.asarray(rec.actions(0, n), dtype=np.int64).reshape(n, -1))
        self._flags = np.rint(np.concatenate(helpers)).astype(np.int64)
        acts = np.concatenate(actions)
        self._mouse = np.stack([MOUSE_X_BINS[acts[:, N_BINARY]],
                                MOUSE_Y_BINS[acts[:, N_BINARY + 1]]], axis=1)
        self._cache: tuple[int, np.ndarray] | None = None

    def __len__(self) -> int:
        return self._len

    def _locate(self, i: int) -> tuple[int, int]:
        if not 0 <= i < self._len:
            raise IndexError(f"frame {i} outside 0..{self._len - 1}")
        k = bisect.bisect_right(self._starts, i) - 1
        return k, i - self._starts[k]

    def frame(self, i: int) -> np.ndarray:
        if self._cache is not None and self._cache[0] == i:
            return self._cache[1]
        k, j = self._locate(i)
        image = np.ascontiguousarray(self._recordings[k].frames(j, j + 1)[0], dtype=np.uint8)
        self._cache = (i, image)
        return image

    def flags(self, i: int) -> tuple[int, int]:
        self._locate(i)
        kill, death = self._flags[i]
        return int(kill), int(death)

    def recorded_mouse(self, i: int) -> tuple[float, float]:
        if i < 0:
            return 0.0, 0.0
        self._locate(i)
        return float(self._mouse[i, 0]), float(self._mouse[i, 1])

    @property
    def all_flags(self) -> np.ndarray:
        """``(len, 2)`` int64 ``[kill, death]`` of every frame (a copy)."""
        return self._flags.copy()

    def close(self) -> None:
        for rec in self._recordings:
            close = getattr(rec, "close", None)
            if close is not None:
                close()
