"""Minari 0.5.4 HDF5 storage written directly: one crash-safe file per episode plus an index.

Layout of a dataset ``csgo/<name>-v0`` under the Minari root (``MINARI_DATASETS_PATH`` or
``~/.minari/datasets``)::

    csgo/<name>-v0/data/metadata.json        Minari's metadata (+ our "csgo_env" block)
    csgo/<name>-v0/data/main_data.hdf5       groups episode_0..episode_{n-1}: HDF5 external
                                             links to /episode of the per-episode files
    csgo/<name>-v0/data/episodes/<source file name>   one HDF5 file per episode

``minari.load_dataset(id)`` reads it with Minari's own ``HDF5Storage``: h5py resolves the
external links relative to ``main_data.hdf5``, so the folder can be moved or copied. Why not
``MinariStorage.update_episodes``: it rewrites ``metadata.json`` in place after every
episode, auto-chunks observations as (126, 19, 35, 1) (slow random reads), and appends to
one HDF5 file that a killed process can leave unreadable. Here every episode file is written
under a temporary name and renamed when closed, so it is either complete or absent; the
index and ``metadata.json`` are written last (temp file + ``os.replace``) and the staging
folder ``.partial`` becomes ``data`` with one rename, so Minari never sees a half-made dataset.

Each episode group ``/episode`` holds (T = 999 transitions of a 1000-frame recording):

==================  ===================  =====================================================
name                shape, dtype         meaning
==================  ===================  =====================================================
observations        (T+1,150,280,3) u8   RGB frames 0..T, contiguous (lossless) or, with
                                         ``jpeg=True``, a vlen array of JPEG bytes (Minari's
                                         own encoding, quality 75; lossy)
actions             (T, 15) int64        factored action t, taken after seeing frame t
rewards             (T,) float64         reward of transition t (see minari_export)
terminations        (T,) bool            all False (a deathmatch does not end)
truncations         (T,) bool            True only at the last transition
infos/kill          (T+1,) bool          kill flag that arrived with frame t (frame 0: False)
infos/death         (T+1,) bool          death flag that arrived with frame t
infos/meta/<f>      (T+1, ...) float64   only with metadata: the game state of frame t, field
                                         f of :mod:`csgo_env.datasets.minari.episode_meta`
                                         (NaN where unknown; ``weapon``: S32 bytes)
infos/meta_known/   (T+1,) bool          whether field f of frame t is known
<f>
==================  ===================  =====================================================

Attributes of the group (Minari's episode metadata): ``total_steps``, ``source_file``,
``source_sha256``, ``family``, ``file_number``, ``split``, ``metadata_file`` (the
``currvarsv2`` file the game state came from, ``""`` when none was merged).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from csgo_env._atomic import atomic_target, atomic_write_bytes
from csgo_env.errors import DatasetError, explain
from csgo_env.observations import OBS_SHAPE as FRAME_SHAPE
from csgo_env.observations import observation_space

MAIN_FILE = "main_data.hdf5"
METADATA_FILE = "metadata.json"
DATA_DIR = "data"
STAGING_DIR = ".partial"
EPISODES_DIR = "episodes"
EPISODE_GROUP = "episode"
JPEG_QUALITY = 75


def minari_root(out_dir: str | os.PathLike[str] | None = None) -> Path:
    """The Minari root: ``out_dir``, else ``$MINARI_DATASETS_PATH``, else ~/.minari/datasets."""
    if out_dir is not None:
        return Path(out_dir).expanduser()
    env = os.environ.get("MINARI_DATASETS_PATH")
    return Path(env).expanduser() if env else Path.home() / ".minari" / "datasets"


def data_dir(root: Path, dataset_id: str) -> Path:
    """``<root>/<dataset_id>/data``: where ``minari.load_dataset`` looks."""
    return root / dataset_id / DATA_DIR


def staging_dir(root: Path, dataset_id: str) -> Path:
    """``<root>/<dataset_id>/.partial``: a dataset being built (hidden from Minari)."""
    return root / dataset_id / STAGING_DIR


@dataclass(frozen=True)
class EpisodeArrays:
    """One converted episode; shapes as in the module docstring (T transitions)."""

    observations: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    terminations: np.ndarray
    truncations: np.ndarray
    kill: np.ndarray
    death: np.ndarray
    meta: Mapping[str, np.ndarray] | None = None
    """Per-frame game state (T+1 rows per field), or None without metadata."""
    meta_known: Mapping[str, np.ndarray] | None = None

    @property
    def total_steps(self) -> int:
        """Number of transitions T."""
        return int(self.actions.shape[0])




def _encode_jpeg(frames: np.ndarray) -> np.ndarray:
    import io

    from PIL import Image

    out = np.empty(len(frames), dtype=object)
    for i, frame in enumerate(frames):
        buf = io.BytesIO()
        Image.fromarray(frame).save(buf, format="JPEG", quality=JPEG_QUALITY)
        out[i] = np.frombuffer(buf.getvalue(), dtype=np.uint8)
    return out


def write_episode_file(path: Path, episode: EpisodeArrays, attrs: Mapping[str, Any], *,
                       jpeg: bool = False) -> Path:
    """Write one episode to ``path`` atomically (temp name, close, rename).

    The rename makes the episode all-or-nothing for a process that dies (even SIGKILL). It
    is not fsynced here: :func:`sync_files` flushes every episode once, before the index
    and metadata make the dataset visible, so durability against power loss costs one
    pass at the end instead of a disk flush per episode (which serialised the workers).

    Observations are stored contiguously when lossless, so any window of frames is one
    contiguous byte range of the file (what :mod:`csgo_env.datasets.sequence_store` reads).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_target(path, durable=False) as tmp, h5py.File(tmp, "w") as f:
        g = f.create_group(EPISODE_GROUP)
        if jpeg:
            g.create_dataset("observations", data=_encode_jpeg(episode.observations),
                             dtype=h5py.vlen_dtype(np.uint8), chunks=True)
        else:
            g.create_dataset("observations", data=episode.observations)
        g.create_dataset("actions", data=episode.actions.astype(np.int64, copy=False))
        g.create_dataset("rewards", data=episode.rewards.astype(np.float64, copy=False))
        g.create_dataset("terminations", data=episode.terminations.astype(bool))
        g.create_dataset("truncations", data=episode.truncations.astype(bool))
        infos = g.create_group("infos")
        infos.create_dataset("kill", data=episode.kill.astype(bool))
        infos.create_dataset("death", data=episode.death.astype(bool))
        if episode.meta is not None and episode.meta_known is not None:
            meta, known = infos.create_group("meta"), infos.create_group("meta_known")
            for name, values in episode.meta.items():
                meta.create_dataset(name, data=values)
                known.create_dataset(name, data=np.asarray(episode.meta_known[name], bool))
        g.attrs["total_steps"] = episode.total_steps
        for key, value in attrs.items():
            g.attrs[key] = value
    return path


def sync_files(paths: Iterable[Path]) -> None:
    """fsync each file in ``paths`` and then each folder holding them."""
    folders = set()
    for path in paths:
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        folders.add(path.parent)
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_episode_attrs(path: Path) -> dict[str, Any]:
    """Attributes of a per-episode file's group, as plain Python values.

    Raises :class:`DatasetError` if the file is unreadable or lacks the episode group.
    """
    try:
        with h5py.File(path, "r") as f:
            g = f[EPISODE_GROUP]
            out = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in g.attrs.items()}
            out["observations_shape"] = tuple(g["observations"].shape)
            return out
    except (OSError, KeyError) as exc:
        raise DatasetError(explain("episode file is unreadable", got=f"{path}: {exc}",
                                   fix="delete it; rerunning the conversion rebuilds it")) from exc


def episode_files(folder: Path) -> dict[str, Path]:
    """Committed episode files of a staging or data folder, keyed by source file name."""
    eps = folder / EPISODES_DIR
    if not eps.is_dir():
        return {}
    return {p.name: p for p in eps.iterdir() if p.is_file() and not p.name.startswith(".")}


def write_index(folder: Path, files: Iterable[Path]) -> int:
    """Write ``main_data.hdf5`` in ``folder``: ``episode_i`` links to ``files`` in order.

    Links are relative (``episodes/<name>``), so the dataset folder can be moved. Returns
    the number of episodes. Written to a temporary name and renamed.
    """
    n = 0
    with atomic_target(folder / MAIN_FILE, durable=False) as tmp, \
            h5py.File(tmp, "w", track_order=True) as f:
        for n, path in enumerate(files, start=1):
            rel = path.relative_to(folder).as_posix()
            f[f"episode_{n - 1}"] = h5py.ExternalLink(rel, f"/{EPISODE_GROUP}")
    return n


def write_metadata(folder: Path, metadata: Mapping[str, Any]) -> None:
    """Write ``metadata.json`` atomically."""
    atomic_write_bytes(folder / METADATA_FILE, json.dumps(metadata).encode("utf-8"))


def read_metadata(folder: Path) -> dict[str, Any]:
    """``metadata.json`` of a data folder; :class:`DatasetError` if missing or broken."""
    try:
        return json.loads((folder / METADATA_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DatasetError(explain("dataset metadata is unreadable",
                                   got=f"{folder / METADATA_FILE}: {exc}")) from exc


def minari_metadata(dataset_id: str, *, total_episodes: int, total_steps: int, jpeg: bool,
                    description: str, algorithm_name: str, extra: Mapping[str, Any],
                    size_mb: float) -> dict[str, Any]:
    """The fields Minari 0.5.4 writes (spaces, env spec, version) plus ``extra``.

    The env spec is that of ``CSGO-Deathmatch-v0`` (registered by ``import csgo_env``).
    """
    import gymnasium
    import minari
    from minari.serialization import serialize_space

    import csgo_env  # noqa: F401  (registers the env id)
    from csgo_env.actions import action_space

    env_spec = gymnasium.spec("CSGO-Deathmatch-v0")
    return {
        "dataset_id": dataset_id,
        "total_episodes": total_episodes,
        "total_steps": total_steps,
        "data_format": "hdf5",
        "jpeg_encoding": bool(jpeg),
        "observation_space": serialize_space(observation_space()),
        "action_space": serialize_space(action_space()),
        "env_spec": env_spec.to_json(),
        "minari_version": minari.__version__,
        "dataset_size": size_mb,
        "description": description,
        "algorithm_name": algorithm_name,
        "author": ["Tim Pearce", "Jun Zhu"],
        "code_permalink": "https://github.com/TeaPearce/Counter-Strike_Behavioural_Cloning",
        "requirements": ["csgo-env"],
        **dict(extra),
    }


def dir_size_mb(folder: Path | None) -> float:
    """Size of every file under ``folder`` in MB (Minari's ``dataset_size``); 0 for None."""
    if folder is None or not folder.exists():
        return 0.0
    total = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return round(total / 1e6, 1)


def ensure_namespace(root: Path, namespace: str, description: str) -> None:
    """Create ``<root>/<namespace>/namespace_metadata.json`` (Minari's namespace file) once."""
    path = root / namespace / "namespace_metadata.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, json.dumps({"description": description}).encode("utf-8"))


def check_frames(frames: np.ndarray) -> None:
    """Raise :class:`DatasetError` unless ``frames`` is uint8 (n, 150, 280, 3)."""
    if frames.dtype != np.uint8 or frames.shape[1:] != FRAME_SHAPE:
        raise DatasetError(explain("frames have the wrong layout",
                                   expected=f"uint8 (n, {', '.join(map(str, FRAME_SHAPE))})",
                                   got=f"{frames.dtype} {frames.shape}"))
