"""Byte-level access to recordings in the public Pearce & Zhu HDF5 layout.

One file holds one recording of (normally) 1000 frames at 16 Hz as 4000 datasets at the
root, four per frame ``i`` (no zero padding):

==========================  ===============  =======  =====================================
key                         shape            dtype    meaning
==========================  ===============  =======  =====================================
``frame_{i}_x``             (150, 280, 3)    uint8    screenshot, HWC, **BGR** on disk
``frame_{i}_xaux``          (54,)            float64  previous 3 actions + health/ammo/team
``frame_{i}_y``             (51,)            float64  action taken after frame i (0/1)
``frame_{i}_helperarr``     (2,)             float64  ``[kill, death]`` flags of the tick
==========================  ===============  =======  =====================================

:class:`Recording` opens a file lazily and reads frame ranges. The datasets are contiguous
and uncompressed, so after one lookup per dataset (cached per open file) the reader copies
the bytes straight from the file into a preallocated array; datasets stored any other way
(chunked, compressed, another byte order) are read through h5py instead. Frames come out
RGB (the Gymnasium convention); :meth:`Recording.frames_bgr` gives them as stored.

Writing lives in :mod:`csgo_env.datasets.pearce.write`, checking a whole file in
:mod:`csgo_env.datasets.pearce.validate`.
"""

from __future__ import annotations

import os
import re
import warnings
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import h5py
import numpy as np
from h5py import h5d, h5t

from csgo_env.actions import (
    MOUSE_X_SLICE,
    MOUSE_Y_SLICE,
    VECTOR_SIZE,
    vectors_to_multidiscrete,
)
from csgo_env.datasets.pearce.index import HeaderDecoder, link_addresses, pread_into
from csgo_env.datasets.pearce.layout import (
    FRAME_SHAPE,
    FRAMES_PER_FILE,
    HELPER_SIZE,
    KINDS,
    XAUX_SIZE,
)
from csgo_env.errors import DatasetNotFound, InvalidAction, RecordingCorrupt, explain

SPECS: dict[str, tuple[tuple[int, ...], np.dtype]] = {
    "x": (FRAME_SHAPE, np.dtype(np.uint8)),
    "xaux": ((XAUX_SIZE,), np.dtype("<f8")),
    "y": ((VECTOR_SIZE,), np.dtype("<f8")),
    "helperarr": ((HELPER_SIZE,), np.dtype("<f8")),
}
"""Shape and dtype of each per-frame dataset."""

KEY_PATTERN = re.compile(r"^frame_(?P<i>0|[1-9][0-9]*)_(?P<kind>x|xaux|y|helperarr)$")
"""Matches a dataset name of the layout; groups ``i`` (frame) and ``kind``."""

_UNKNOWN = -1  # offset cache: dataset not looked up yet
_VIA_H5PY = -2  # offset cache: stored another way, read through h5py
_CHUNK = 8  # frames per scratch buffer when converting BGR -> RGB
_HDF5_TYPES = {kind: h5t.py_create(dtype) for kind, (_, dtype) in SPECS.items()}


def _swap_numpy(src: np.ndarray, dst: np.ndarray) -> None:
    dst[..., 0] = src[..., 2]
    dst[..., 1] = src[..., 1]
    dst[..., 2] = src[..., 0]


def _pick_swap() -> Any:
    """OpenCV's SIMD channel swap when OpenCV is installed (about 4x numpy's), else numpy."""
    try:
        import cv2
    except ImportError:
        return _swap_numpy
    code, width = cv2.COLOR_BGR2RGB, FRAME_SHAPE[1]

    def swap(src: np.ndarray, dst: np.ndarray) -> None:
        cv2.cvtColor(src.reshape(-1, width, 3), code, dst=dst.reshape(-1, width, 3))

    return swap


_SWAP: Any = None


def bgr_to_rgb(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Write frames ``src`` (uint8 (n, 150, 280, 3), C-contiguous) into ``dst`` (same shape,
    C-contiguous, not overlapping ``src``) with the first and last channel swapped."""
    global _SWAP
    if _SWAP is None:
        _SWAP = _pick_swap()
    _SWAP(src, dst)
    return dst


def frame_keys(i: int) -> tuple[str, str, str, str]:
    """The four dataset names of frame ``i``: ``(x, xaux, y, helperarr)``."""
    return (f"frame_{i}_x", f"frame_{i}_xaux", f"frame_{i}_y", f"frame_{i}_helperarr")


@dataclass
class RecordingArrays:
    """A whole recording in memory (n frames).

    ``frames``: uint8 (n, 150, 280, 3) RGB; ``action_vectors``: float64 (n, 51) 0/1;
    ``xaux``: float64 (n, 54); ``helper``: float64 (n, 2) ``[kill, death]``.
    """

    frames: np.ndarray
    action_vectors: np.ndarray
    xaux: np.ndarray
    helper: np.ndarray

    @property
    def num_frames(self) -> int:
        """Number of frames n."""
        return int(self.frames.shape[0])

    def actions(self) -> np.ndarray:
        """Factored actions, int64 (n, 15) (raises InvalidAction on a malformed vector)."""
        return vectors_to_multidiscrete(self.action_vectors)


def _release(h5file: h5py.File, raw: BinaryIO, path: str, warn: bool) -> None:
    raw.close()
    if h5file.id.valid:
        h5file.close()
    if warn:
        warnings.warn(f"Recording {path} was not closed; call close() or use 'with'",
                      ResourceWarning, stacklevel=2)


class Recording:
    """A recording file opened for random access to frame ranges.

    Opening reads only the list of keys; every array is read on demand. ``num_frames``
    counts ``frame_0_x, frame_1_x, ...`` while they are contiguous. Ranges are half-open
    ``[start, stop)`` frame indices with ``0 <= start <= stop <= num_frames``. Use as a
    context manager or call :meth:`close` (idempotent).

    Raises :class:`~csgo_env.errors.RecordingCorrupt` naming the file (and the frame, where
    one is at fault) when the file is not readable HDF5, holds no frames, or a dataset is
    missing, misshapen or lies beyond the end of the file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DatasetNotFound(explain(f"recording {self.path} does not exist",
                                          expected="an .hdf5 file", got="no such file"))
        try:
            h5file = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise RecordingCorrupt(explain(
                f"{self.path}: not a readable HDF5 file ({exc})",
                fix="the file is truncated or damaged; download it again"),
                path=str(self.path)) from exc
        self._h5 = h5file
        self._raw: BinaryIO = open(self.path, "rb", buffering=0)  # noqa: SIM115 (closed in close)
        self._finalizer = weakref.finalize(self, _release, h5file, self._raw,
                                           str(self.path), True)
        self._file_size = os.fstat(self._raw.fileno()).st_size
        try:
            links = link_addresses(h5file.id)
        except (OSError, RuntimeError) as exc:
            self.close()
            raise RecordingCorrupt(f"{self.path}: the list of datasets cannot be read ({exc})",
                                   path=str(self.path)) from exc
        self.num_frames = _contiguous_frames(links)
        if self.num_frames == 0:
            self.close()
            raise RecordingCorrupt(explain(f"{self.path}: holds no frames",
                                           expected="datasets frame_0_x, frame_1_x, ...",
                                           got=f"{len(links)} other keys"),
                                   path=str(self.path), frame=0)
        self._offsets = {kind: np.full(self.num_frames, _UNKNOWN, dtype=np.int64)
                         for kind in KINDS}
        self._headers = {kind: np.array([links.get(f"frame_{i}_{kind}", -1)
                                         for i in range(self.num_frames)], dtype=np.int64)
                         for kind in KINDS}
        self._decoder = HeaderDecoder.open(self._raw, self._file_size)
        self._decoder_checked = False

    # --- life cycle --------------------------------------------------------------------
    def close(self) -> None:
        """Close the file (idempotent)."""
        if self._finalizer.detach() is not None:
            _release(self._h5, self._raw, str(self.path), False)

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has run."""
        return not self._finalizer.alive

    def __enter__(self) -> Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.num_frames

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{self.num_frames} frames"
        return f"Recording({str(self.path)!r}, {state})"

    # --- public reads -------------------------------------------------------------------
    def frames(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Screenshots ``[start, stop)`` as uint8 (n, 150, 280, 3), RGB."""
        start, stop = self._range(start, stop)
        out = np.empty((stop - start, *FRAME_SHAPE), dtype=np.uint8)
        # Read a few frames into a scratch buffer that stays in the CPU cache, then swap
        # the channels into the result in one vectorised pass per chunk.
        scratch = np.empty((min(_CHUNK, stop - start), *FRAME_SHAPE), dtype=np.uint8)
        for lo in range(start, stop, _CHUNK):
            hi = min(lo + _CHUNK, stop)
            bgr = self._read_into("x", np.arange(lo, hi), scratch[: hi - lo])
            bgr_to_rgb(bgr, out[lo - start: hi - start])
        return out

    def frames_bgr(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Screenshots ``[start, stop)`` as stored: uint8 (n, 150, 280, 3), BGR."""
        return self._read("x", *self._range(start, stop))

    def action_vectors(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """The 51-vectors ``frame_{i}_y`` of ``[start, stop)``: float64 (n, 51), unchecked."""
        return self._read("y", *self._range(start, stop))

    def actions(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Factored actions of ``[start, stop)``: int64 (n, 15).

        Raises RecordingCorrupt naming file and frame when a vector is not 0/1 with exactly
        one bin set in each mouse block.
        """
        start, stop = self._range(start, stop)
        vectors = self._read("y", start, stop)
        try:
            return vectors_to_multidiscrete(vectors)
        except InvalidAction as exc:
            row = first_bad_vector(vectors)
            frame = start + (row if row is not None else 0)
            raise RecordingCorrupt(f"{self.path}: frame {frame}: frame_{frame}_y is not a "
                                   f"valid action vector: {exc}", path=str(self.path),
                                   frame=frame) from exc

    def xaux(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Auxiliary inputs ``frame_{i}_xaux`` of ``[start, stop)``: float64 (n, 54)."""
        return self._read("xaux", *self._range(start, stop))

    def helper(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """``[kill, death]`` flags of ``[start, stop)``: float64 (n, 2)."""
        return self._read("helperarr", *self._range(start, stop))

    def read_all(self) -> RecordingArrays:
        """Every array of the file at once (frames RGB); the fastest way to read a file."""
        return RecordingArrays(frames=self.frames(), action_vectors=self.action_vectors(),
                               xaux=self.xaux(), helper=self.helper())

    # --- internals ------------------------------------------------------------------------
    def _range(self, start: int, stop: int | None) -> tuple[int, int]:
        if self.closed:
            raise ValueError(f"{self.path}: the recording is closed")
        stop = self.num_frames if stop is None else stop
        for name, value in (("start", start), ("stop", stop)):
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int frame index, got {value!r}")
        if not 0 <= start <= stop <= self.num_frames:
            raise ValueError(explain(f"{self.path.name}: frame range [{start}, {stop}) is out "
                                     "of range", expected=f"0 <= start <= stop <= "
                                     f"{self.num_frames}", got=f"start={start}, stop={stop}"))
        return int(start), int(stop)

    def _read(self, kind: str, start: int, stop: int) -> np.ndarray:
        shape, dtype = SPECS[kind]
        out = np.empty((stop - start, *shape), dtype=dtype)
        return self._read_into(kind, np.arange(start, stop), out)

    def _read_into(self, kind: str, frames: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Fill ``out[k]`` with dataset ``kind`` of frame ``frames[k]``; returns ``out``."""
        if len(frames) == 0:
            return out
        offsets = self._offsets[kind]
        if np.any(offsets[frames] == _UNKNOWN):
            for i in frames[offsets[frames] == _UNKNOWN]:
                offsets[i] = self._find(kind, int(i))
        nbytes = out[0].nbytes
        view = out.data.cast("B")  # out is C-contiguous
        fd = self._raw.fileno()
        for k, i in enumerate(frames.tolist()):
            off = int(offsets[i])
            if off == _VIA_H5PY:
                out[k] = self._read_h5py(kind, i)
                continue
            got = pread_into(fd, self._raw, view[k * nbytes:(k + 1) * nbytes], off)
            if got != nbytes:
                raise RecordingCorrupt(explain(
                    f"{self.path}: frame {i}: frame_{i}_{kind} ends beyond the end of the file",
                    expected=f"{nbytes} bytes at offset {off}", got=f"{got} bytes",
                    fix="the file is truncated; download it again"),
                    path=str(self.path), frame=i)
        return out

    def _find(self, kind: str, i: int) -> int:
        """Byte offset of dataset ``kind`` of frame ``i`` (or _VIA_H5PY), decoding its object
        header directly when it is plain; otherwise (and once per file, as a cross-check)
        asking HDF5 through :meth:`_locate`, which also raises the precise errors."""
        extent = None
        address = int(self._headers[kind][i])
        if self._decoder is not None and address >= 0:
            extent = self._decoder.extent(address)
        shape, dtype = SPECS[kind]
        if extent is None or extent.shape != shape or extent.dtype != dtype \
                or extent.address + extent.size > self._file_size:
            return self._locate(kind, i)
        if not self._decoder_checked:
            self._decoder_checked = True
            if self._locate(kind, i) != extent.address:
                self._decoder = None  # never trust a decoder that disagrees with HDF5
                return self._locate(kind, i)
        return extent.address

    def _locate(self, kind: str, i: int) -> int:
        """Byte offset of dataset ``kind`` of frame ``i``, or _VIA_H5PY; checks the layout."""
        dset = self._open_dataset(kind, i)
        shape, dtype = SPECS[kind]
        name = f"frame_{i}_{kind}"
        if dset.shape != shape or dset.dtype.kind != dtype.kind \
                or dset.dtype.itemsize != dtype.itemsize:
            raise RecordingCorrupt(explain(
                f"{self.path}: frame {i}: {name} has the wrong shape or dtype",
                expected=f"{shape} {dtype.name}", got=f"{dset.shape} {dset.dtype}"),
                path=str(self.path), frame=i)
        offset = dset.get_offset()
        if offset is None or not dset.get_type().equal(_HDF5_TYPES[kind]):
            return _VIA_H5PY
        if offset + dtype.itemsize * int(np.prod(shape)) > self._file_size:
            raise RecordingCorrupt(explain(
                f"{self.path}: frame {i}: {name} lies beyond the end of the file",
                expected=f"a file of at least {offset + dset.get_storage_size()} bytes",
                got=f"{self._file_size} bytes", fix="the file is truncated; download it again"),
                path=str(self.path), frame=i)
        return int(offset)

    def _open_dataset(self, kind: str, i: int) -> Any:
        name = f"frame_{i}_{kind}"
        try:
            return h5d.open(self._h5.id, name.encode())
        except (KeyError, TypeError) as exc:
            raise RecordingCorrupt(explain(
                f"{self.path}: frame {i}: dataset {name} is missing or not a dataset",
                expected=f"the 4 datasets {frame_keys(i)}",
                fix="check the file with `csgo-env inspect`; download it again"),
                path=str(self.path), frame=i) from exc

    def _read_h5py(self, kind: str, i: int) -> np.ndarray:
        try:
            return np.asarray(self._h5[f"frame_{i}_{kind}"][()], dtype=SPECS[kind][1])
        except OSError as exc:
            raise RecordingCorrupt(f"{self.path}: frame {i}: frame_{i}_{kind} cannot be read "
                                   f"({exc})", path=str(self.path), frame=i) from exc


def count_frames(h5file: h5py.File) -> int:
    """Number of contiguous frames ``frame_0_x, frame_1_x, ...`` in an open file."""
    return _contiguous_frames(name.decode("utf-8", "replace") for name in h5file.id.__iter__())


def _contiguous_frames(names: Iterable[str]) -> int:
    present = {int(m.group("i")) for name in names
               if (m := KEY_PATTERN.match(name)) and m.group("kind") == "x"}
    n = 0
    while n in present:
        n += 1
    return n


def valid_vectors(vectors: np.ndarray) -> np.ndarray:
    """bool (n,): which rows of ``vectors`` (n, 51) are 0/1 with one-hot mouse blocks."""
    vectors = np.asarray(vectors, dtype=np.float64).reshape(-1, VECTOR_SIZE)
    binary = np.all((vectors == 0.0) | (vectors == 1.0), axis=1)
    one_hot = ((vectors[:, MOUSE_X_SLICE].sum(axis=1) == 1)
               & (vectors[:, MOUSE_Y_SLICE].sum(axis=1) == 1))
    return binary & one_hot


def first_bad_vector(vectors: np.ndarray) -> int | None:
    """Row of the first invalid 51-vector in ``vectors`` (n, 51), or None if all are valid."""
    bad = np.flatnonzero(~valid_vectors(vectors))
    return int(bad[0]) if bad.size else None


__all__ = [
    "FRAMES_PER_FILE", "FRAME_SHAPE", "HELPER_SIZE", "KINDS", "SPECS", "XAUX_SIZE",
    "Recording", "RecordingArrays", "count_frames", "first_bad_vector", "frame_keys",
    "valid_vectors",
]
