"""Random access to sequences of consecutive steps in converted datasets and recordings.

A converted (lossless) episode file stores every array contiguously, so a sequence of frames
is one byte range: :class:`SequenceReader` reads it with a single ``pread`` into a fresh
array, without h5py. Byte offsets are looked up once, when the index is built
(:func:`index_sources`), and travel as plain numbers, so worker processes never share an
HDF5 handle. JPEG or chunked stores (e.g. made by Minari itself) are read through h5py,
and public-layout recordings through :class:`~csgo_env.datasets.pearce.reader.Recording`; both
open their files lazily in the process that reads.

A sequence of length L starting at step s (``0 <= s``, ``s + L <= T``) holds, for t < L:

* ``observations[t]``: frame s+t (RGB uint8 150x280x3);
* ``actions[t]``: factored action of step s+t (int64, 15);
* ``rewards[t]``: reward of step s+t (float32), same alignment as the converted datasets;
* ``kill[t]``, ``death[t]``: flags of frame s+t+1, i.e. the events after action s+t;
* ``truncations[t]``, ``terminations[t]``: of step s+t;
* with ``meta=True``: ``meta[f][t]`` field f of the game state of frame s+t
  (:mod:`csgo_env.datasets.minari.episode_meta`; NaN where unknown) and
  ``meta_known[f][t]``; an episode without metadata has every field unknown. For
  recordings the metadata file beside them is read.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from csgo_env.datasets.minari import storage as ms
from csgo_env.errors import DatasetError, DatasetNotFound, explain
from csgo_env.rewards import DEFAULT_REWARD, RewardSpec, transition_rewards

_SMALL = ("actions", "rewards", "terminations", "truncations", "infos/kill", "infos/death")
_OPEN_LIMIT = 16


@dataclass(frozen=True)
class EpisodeRef:
    """Where one episode lives. ``offsets`` maps array names to byte offsets (contiguous
    arrays only); ``kind`` is ``"store"`` (converted) or ``"recording"`` (public layout)."""

    kind: str
    path: str
    group: str
    steps: int
    source: str
    jpeg: bool = False
    offsets: tuple[tuple[str, int], ...] = ()

    def offset(self, name: str) -> int | None:
        """Byte offset of array ``name`` or None when it is not stored contiguously."""
        return dict(self.offsets).get(name)


def _store_refs(folder: Path) -> list[EpisodeRef]:
    meta = ms.read_metadata(folder)
    jpeg = bool(meta.get("jpeg_encoding", True))
    refs = []
    with h5py.File(folder / ms.MAIN_FILE, "r") as main:
        for i in range(int(meta["total_episodes"])):
            link = main.get(f"episode_{i}", getlink=True)
            if isinstance(link, h5py.ExternalLink):
                path, group = (folder / link.filename).resolve(), link.path
            else:
                path, group = folder / ms.MAIN_FILE, f"/episode_{i}"
            refs.append(_store_ref(path, group, jpeg))
    return refs


def _store_ref(path: Path, group: str, jpeg: bool) -> EpisodeRef:
    with h5py.File(path, "r") as f:
        g = f[group]
        offsets = []
        names = ("observations", *_SMALL) if hasattr(os, "preadv") else ()  # Windows: h5py
        for name in names:
            if name == "observations" and jpeg:
                continue
            off = g[name].id.get_offset()
            if off is not None and g[name].dtype.kind != "O":
                offsets.append((name, int(off)))
        return EpisodeRef("store", str(path), group, int(g["actions"].shape[0]),
                          str(g.attrs.get("source_file", f"{path.name}:{group}")), jpeg,
                          tuple(offsets))


def _recording_ref(path: Path) -> EpisodeRef:
    from csgo_env.datasets.pearce.reader import Recording

    with Recording(path) as rec:
        return EpisodeRef("recording", str(path), "/", rec.num_frames - 1, path.name)


def index_sources(sources: Sequence[str | os.PathLike[str]],
                  root: str | os.PathLike[str] | None = None) -> list[EpisodeRef]:
    """Episodes of ``sources``: Minari ids (under ``root``), dataset ``data`` folders,
    recording files or folders of recordings (public layout), in the order given."""
    refs: list[EpisodeRef] = []
    base = ms.minari_root(root)
    for src in sources:
        path = Path(src).expanduser()
        as_id = ms.data_dir(base, str(src)) if not path.exists() else None
        if as_id is not None and (as_id / ms.METADATA_FILE).exists():
            refs += _store_refs(as_id)
        elif path.is_dir() and (path / ms.METADATA_FILE).exists():
            refs += _store_refs(path)
        elif path.is_dir() and (path / ms.DATA_DIR / ms.METADATA_FILE).exists():
            refs += _store_refs(path / ms.DATA_DIR)
        elif path.is_dir():
            refs += [_recording_ref(p) for p in sorted(path.rglob("*.hdf5"))]
        elif path.is_file():
            refs.append(_recording_ref(path))
        else:
            raise DatasetNotFound(explain(
                "nothing to read", expected="a dataset id converted under "
                f"{base}, a dataset folder, a recording or a folder of recordings",
                got=str(src), fix="convert first with `csgo-env convert`"))
    if not refs:
        raise DatasetNotFound(explain("no episodes found", got=", ".join(map(str, sources))))
    return refs


class SequenceReader:
    """Reads sequences of episodes; opens files lazily, per process (fork- and spawn-safe)."""

    def __init__(self, reward: RewardSpec | None = None) -> None:
        self._reward = reward or DEFAULT_REWARD
        self._pid = -1
        self._open: OrderedDict[str, Any] = OrderedDict()

    def __getstate__(self) -> dict[str, Any]:
        return {"_reward": self._reward, "_pid": -1, "_open": OrderedDict()}

    def close(self) -> None:
        """Close every file this process opened (idempotent)."""
        if self._pid == os.getpid():
            for handle in self._open.values():
                _close(handle)
        self._open.clear()

    def _handle(self, key: str, opener: Any) -> Any:
        if self._pid != os.getpid():  # forked: never touch the parent's handles
            self._open = OrderedDict()
            self._pid = os.getpid()
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        handle = opener()
        self._open[key] = handle
        while len(self._open) > _OPEN_LIMIT:
            _close(self._open.popitem(last=False)[1])
        return handle

    def read(self, ref: EpisodeRef, start: int, length: int, history: int = 0, *,
             observations_out: np.ndarray | None = None, meta: bool = False) -> dict:
        """Sequence of ``length`` steps at ``start``; observations also cover ``history``
        earlier frames (``start - history`` must be >= 0), giving ``history + length`` frames.

        ``observations_out``: a C-contiguous uint8 array of shape (history + length, 150,
        280, 3) to read the frames into (a converted store's frames go straight from the
        file into it); the result's ``observations`` is then that array.
        ``meta``: also the game state of those steps' frames (see the module docstring).
        """
        if start - history < 0 or start + length > ref.steps or length < 1:
            raise DatasetError(explain("sequence out of range", expected=f"0 <= start-{history}, "
                                       f"start+{length} <= {ref.steps}", got=f"start={start}"))
        out = observations_out
        if out is not None and (out.dtype != np.uint8 or not out.flags.c_contiguous
                                or out.shape != (history + length, *ms.FRAME_SHAPE)):
            want = (history + length, *ms.FRAME_SHAPE)
            raise DatasetError(explain("observations_out has the wrong layout",
                                       expected=f"C-contiguous uint8 {want}",
                                       got=f"{out.dtype} {out.shape}"))
        if ref.kind == "recording":
            window = self._read_recording(ref, start, length, history)
        else:
            window = self._read_store(ref, start, length, history, out)
        if out is not None and window["observations"] is not out:
            out[...] = window["observations"]
            window["observations"] = out
        if meta:
            window["meta"], window["meta_known"] = self._read_meta(ref, start, start + length)
        return window

    def _read_meta(self, ref: EpisodeRef, lo: int, hi: int
                   ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        from csgo_env.datasets.minari.episode_meta import NUMERIC

        if ref.kind == "recording":
            values, known = self._handle("meta:" + ref.path, lambda: _recording_meta(ref))
            return ({k: values[k][lo:hi] for k in NUMERIC},
                    {k: known[k][lo:hi] for k in NUMERIC})
        f = self._handle("h5:" + ref.path, lambda: h5py.File(ref.path, "r"))
        infos = f[ref.group]["infos"]
        if "meta" not in infos:
            from csgo_env.datasets.minari.episode_meta import empty_meta

            values, known = empty_meta(hi - lo)
            return {k: values[k] for k in NUMERIC}, {k: known[k] for k in NUMERIC}
        return ({k: np.asarray(infos["meta"][k][lo:hi], dtype=np.float64) for k in NUMERIC},
                {k: np.asarray(infos["meta_known"][k][lo:hi], dtype=bool) for k in NUMERIC})

    def _read_store(self, ref: EpisodeRef, start: int, length: int, history: int,
                    obs_out: np.ndarray | None = None) -> dict:
        lo, hi = start - history, start + length
        fd = self._handle("fd:" + ref.path, lambda: os.open(ref.path, os.O_RDONLY))
        out: dict[str, np.ndarray] = {}
        obs_off = ref.offset("observations")
        if obs_off is not None:
            out["observations"] = _pread(fd, obs_off, lo, hi, np.uint8, ms.FRAME_SHAPE, obs_out)
        else:
            out["observations"] = self._h5_frames(ref, lo, hi)
        specs = {"actions": (np.int64, (15,), start, hi),
                 "rewards": (np.float64, (), start, hi),
                 "terminations": (np.bool_, (), start, hi),
                 "truncations": (np.bool_, (), start, hi),
                 "infos/kill": (np.bool_, (), start + 1, hi + 1),
                 "infos/death": (np.bool_, (), start + 1, hi + 1)}
        for name, (dtype, shape, a, b) in specs.items():
            off = ref.offset(name)
            if off is not None:
                arr = _pread(fd, off, a, b, dtype, shape)
            else:
                f = self._handle("h5:" + ref.path, lambda: h5py.File(ref.path, "r"))
                arr = np.asarray(f[ref.group][name][a:b], dtype=dtype)
            out[name.removeprefix("infos/")] = arr
        out["rewards"] = out["rewards"].astype(np.float32)
        return out

    def _h5_frames(self, ref: EpisodeRef, lo: int, hi: int) -> np.ndarray:
        f = self._handle("h5:" + ref.path, lambda: h5py.File(ref.path, "r"))
        data = f[ref.group]["observations"][lo:hi]
        if not ref.jpeg:
            return np.asarray(data, dtype=np.uint8)
        import io

        from PIL import Image

        return np.stack([np.asarray(Image.open(io.BytesIO(b.tobytes())), dtype=np.uint8)
                         for b in data])

    def _read_recording(self, ref: EpisodeRef, start: int, length: int, history: int) -> dict:
        from csgo_env.datasets.pearce.reader import Recording

        rec = self._handle("rec:" + ref.path, lambda: Recording(ref.path))
        hi = start + length
        actions = rec.actions(start, hi)
        flags = rec.helper(start, hi + 1)  # frames start..hi: rewards use frame t+1's flags
        kill, death = flags[1:, 0] == 1.0, flags[1:, 1] == 1.0
        trunc = np.zeros(length, dtype=bool)
        trunc[-1] = hi == ref.steps
        return {"observations": rec.frames(start - history, hi), "actions": actions,
                "rewards": transition_rewards(flags, actions, self._reward).astype(np.float32),
                "terminations": np.zeros(length, dtype=bool), "truncations": trunc,
                "kill": kill, "death": death}


def _recording_meta(ref: EpisodeRef) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The game state of a public-layout recording from the metadata file beside it (every
    field unknown when there is none; a file that does not match raises MetadataMismatch)."""
    from csgo_env.datasets.minari.episode_meta import empty_meta, meta_arrays
    from csgo_env.datasets.pearce.metadata_pairing import (
        MetadataFile,
        metadata_beside,
        recording_number,
    )

    path = Path(ref.path)
    found = metadata_beside(path)
    if found is None:
        return empty_meta(ref.steps + 1)
    _, number = recording_number(path)
    curr_vars = MetadataFile.load(found).curr_vars(number, ref.steps + 1,
                                                    recording=path.name)
    return meta_arrays(curr_vars)


def _pread(fd: int, offset: int, lo: int, hi: int, dtype: Any, shape: tuple[int, ...],
           out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        out = np.empty((hi - lo, *shape), dtype=dtype)
    view = out.data.cast("B")  # out is C-contiguous
    item = out.itemsize * int(np.prod(shape, dtype=np.int64))
    done, start = 0, offset + lo * item
    while done < len(view):
        got = os.preadv(fd, [view[done:]], start + done)
        if got == 0:
            raise DatasetError(explain("episode file is shorter than its index says",
                                       fix="the file was truncated; convert it again"))
        done += got
    return out


def _close(handle: Any) -> None:
    if isinstance(handle, int):
        os.close(handle)
    elif hasattr(handle, "close"):
        handle.close()
