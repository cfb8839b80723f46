"""Write recordings byte-compatible with the public Pearce & Zhu files.

The public files were written by h5py with its defaults (contiguous, uncompressed,
superblock v0), frame by frame, in the order ``x, xaux, y, helperarr``; each dataset was
created anonymously with its data and then linked under its name, which is what
``create_dataset(name, data=...)`` did in h5py 2.x. Reproducing that order of
allocations gives the public file size exactly: 1000 frames are 128,406,464 bytes. (Naming
the dataset at creation, as h5py 3 does, allocates in another order and gives 128,400,208.)

Object modification times are not stored (``track_times=False``), so the same arrays
always give the same bytes; readers ignore that header message either way.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import h5py
import numpy as np

from csgo_env._atomic import atomic_target
from csgo_env.actions import (
    MOUSE_X_BINS,
    MOUSE_Y_BINS,
    N_BINARY,
    VECTOR_SIZE,
    vectors_to_multidiscrete,
)
from csgo_env.datasets.pearce.layout import FRAME_SHAPE, HELPER_SIZE, XAUX_SIZE
from csgo_env.errors import explain

XAUX_BLOCK = 18
"""Entries per previous frame in ``frame_{i}_xaux`` (3 blocks: frames i-1, i-2, i-3)."""
XAUX_HISTORY = XAUX_SIZE // XAUX_BLOCK  # 3


def make_xaux(action_vectors: np.ndarray, health: np.ndarray | None = None,
              ammo: np.ndarray | None = None, team: np.ndarray | None = None) -> np.ndarray:
    """Build ``frame_{i}_xaux`` (n, 54) float64 from per-frame actions and game state.

    Block j (entries 18j..18j+17) of row i describes frame i-1-j: its 11 keys and 2 clicks,
    mouse_x / 1000 and mouse_y / 200 (bin centres, i.e. quantised counts), health / 100,
    clip ammo / 30 (-1 for the knife gives -1/30) and team (1 = CT, 0 = T). Blocks before
    frame 0 stay zero. ``health``, ``ammo``, ``team`` are per-frame arrays of shape (n,) in
    game units; a missing one is written as 0 (unknown).
    """
    vectors = np.asarray(action_vectors, dtype=np.float64)
    factored = vectors_to_multidiscrete(vectors)
    n = vectors.shape[0]
    per = np.zeros((n, XAUX_BLOCK), dtype=np.float64)
    per[:, :N_BINARY] = vectors[:, :N_BINARY]
    per[:, N_BINARY] = MOUSE_X_BINS[factored[:, N_BINARY]] / MOUSE_X_BINS[-1]
    per[:, N_BINARY + 1] = MOUSE_Y_BINS[factored[:, N_BINARY + 1]] / MOUSE_Y_BINS[-1]
    for column, name, values, scale in ((15, "health", health, 100.0),
                                        (16, "ammo", ammo, 30.0), (17, "team", team, 1.0)):
        if values is not None:
            per[:, column] = _per_frame(values, n, name) / scale
    out = np.zeros((n, XAUX_SIZE), dtype=np.float64)
    for j in range(XAUX_HISTORY):
        out[j + 1:, j * XAUX_BLOCK:(j + 1) * XAUX_BLOCK] = per[:max(n - 1 - j, 0)]
    return out


def write_recording(path: str | os.PathLike[str], frames_rgb: np.ndarray,
                    action_vectors: np.ndarray, xaux: np.ndarray | None = None,
                    helper: np.ndarray | None = None, *, durable: bool = True) -> Path:
    """Write one recording in the public layout, atomically; returns the final path.

    ``frames_rgb``: uint8 (n, 150, 280, 3) RGB (stored BGR); ``action_vectors``: (n, 51)
    0/1 with one-hot mouse blocks; ``xaux``: (n, 54), default :func:`make_xaux` of the
    actions (health, ammo, team unknown = 0); ``helper``: (n, 2) 0/1 ``[kill, death]``,
    default zeros. Everything is checked before the file is touched. The data go to a
    temporary file beside ``path`` (:func:`csgo_env._atomic.temp_name`) that replaces
    ``path`` only when complete; an error or a kill leaves no file at ``path`` (a killed
    process may leave the temporary file). ``durable`` fsyncs the file before the rename.
    """
    path = Path(path)
    frames = _check_frames(frames_rgb)
    n = frames.shape[0]
    vectors = _check_array(action_vectors, n, VECTOR_SIZE, "action_vectors")
    vectors_to_multidiscrete(vectors)  # InvalidAction naming the row
    xaux = make_xaux(vectors) if xaux is None else _check_array(xaux, n, XAUX_SIZE, "xaux")
    if helper is None:
        helper = np.zeros((n, HELPER_SIZE), dtype=np.float64)
    helper = _check_array(helper, n, HELPER_SIZE, "helper")
    if np.any((helper != 0.0) & (helper != 1.0)):
        raise ValueError(explain("helper must hold 0/1 [kill, death] flags",
                                 got=f"values {np.unique(helper)[:6].tolist()}"))
    with RecordingStream(path, durable=durable) as stream:
        for i in range(n):
            stream.append(frames[i], vectors[i], xaux[i], helper[i])
    return path


class RecordingStream:
    """Write a recording in the public layout frame by frame; atomic like
    :func:`write_recording` (which uses it), so both give the same bytes.

    Frames go to the temporary file of :func:`csgo_env._atomic.temp_name` as they come;
    :meth:`commit` closes it, fsyncs it (``durable``) and renames it to ``path``;
    :meth:`abort` (or an exception leaving a ``with`` block) deletes it, so ``path`` only
    ever holds a complete file. A killed process leaves at most the temporary file.
    :meth:`append` checks nothing beyond the shapes: callers pass checked rows.
    """

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.durable = durable
        self.frames = 0
        self._target = atomic_target(self.path, durable=durable)
        self._tmp = self._target.__enter__()
        try:
            self._file: h5py.File | None = h5py.File(self._tmp, "w")
        except BaseException as exc:
            self._target.__exit__(type(exc), exc, exc.__traceback__)
            raise

    def append(self, frame_rgb: np.ndarray, vector: np.ndarray, xaux: np.ndarray,
               helper: np.ndarray) -> None:
        """Add frame ``self.frames``: RGB uint8 (150, 280, 3), y (51,), xaux (54,),
        helper (2,) (stored BGR and float64, in the public files' order)."""
        if self._file is None:
            raise ValueError(f"{self.path.name}: the stream is closed")
        i = self.frames
        rows = (("x", np.ascontiguousarray(np.asarray(frame_rgb, dtype=np.uint8)[..., ::-1])),
                ("xaux", np.asarray(xaux, dtype=np.float64)),
                ("y", np.asarray(vector, dtype=np.float64)),
                ("helperarr", np.asarray(helper, dtype=np.float64)))
        for kind, array in rows:
            # Anonymous dataset, then the link: the public files' allocation order.
            self._file[f"frame_{i}_{kind}"] = self._file.create_dataset(
                None, data=array, track_times=False)
        self.frames += 1

    def flush(self) -> None:
        """fsync what the file holds so far, so that the final fsync of :meth:`commit` has
        little left to write. HDF5's own metadata stays in its cache until :meth:`commit`
        (an HDF5 flush would allocate differently: the bytes would no longer be those of
        :func:`write_recording`)."""
        if self._file is None:
            raise ValueError(f"{self.path.name}: the stream is closed")
        fd = os.open(self._tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def commit(self) -> Path:
        """Close the file and move it to ``path`` (fsynced first when ``durable``)."""
        if self._file is None:
            raise ValueError(f"{self.path.name}: the stream is closed")
        file, self._file = self._file, None
        try:
            file.close()
        except BaseException as exc:
            self._target.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._target.__exit__(None, None, None)
        return self.path

    def abort(self) -> None:
        """Drop the temporary file; ``path`` is left as it was (idempotent)."""
        if self._file is None:
            return
        file, self._file = self._file, None
        try:
            file.close()
        finally:
            err = ValueError("aborted")
            with contextlib.suppress(ValueError):
                self._target.__exit__(ValueError, err, None)

    def __enter__(self) -> RecordingStream:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _check_frames(frames_rgb: np.ndarray) -> np.ndarray:
    frames = np.asarray(frames_rgb)
    if frames.ndim != 4 or frames.shape[1:] != FRAME_SHAPE or frames.shape[0] < 1:
        raise ValueError(explain("frames_rgb has the wrong shape",
                                 expected=f"(n >= 1, {', '.join(map(str, FRAME_SHAPE))})",
                                 got=str(frames.shape)))
    if frames.dtype != np.uint8:
        raise TypeError(explain("frames_rgb must be uint8", got=str(frames.dtype),
                                fix="convert with np.clip(x, 0, 255).astype(np.uint8)"))
    return frames


def _check_array(values: np.ndarray, n: int, width: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n, width):
        raise ValueError(explain(f"{name} has the wrong shape", expected=f"({n}, {width})",
                                 got=str(array.shape)))
    if not np.all(np.isfinite(array)):
        row = int(np.flatnonzero(~np.all(np.isfinite(array), axis=1))[0])
        raise ValueError(explain(f"{name} must be finite", got=f"NaN/inf at frame {row}"))
    return np.ascontiguousarray(array)


def _per_frame(values: np.ndarray, n: int, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n,):
        raise ValueError(explain(f"{name} must hold one value per frame",
                                 expected=f"shape ({n},)", got=str(array.shape)))
    return array


__all__ = ["XAUX_BLOCK", "RecordingStream", "make_xaux", "write_recording"]
