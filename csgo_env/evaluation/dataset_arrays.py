"""A dataset's small per-step arrays (actions, kill/death flags), its identity and version,
without reading any frame.

``dataset_version`` identifies a dataset's *content*: the id's ``-vN`` suffix, the tool
version that converted it and a hash of its sources (file names and sha256 in the order of
the episodes), e.g. ``v0+0.1.0+3f2a9c01d4e5``. Two datasets with the same id and version hold
the same episodes; results and cached references are keyed by it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.sequence_store import EpisodeRef, index_sources
from csgo_env.errors import DatasetNotFound, explain

_VERSION = re.compile(r"-(v\d+)$")


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset: ``dataset_id``, ``version``, whether it is synthetic, its family and map
    (None when unknown), and its episodes."""

    dataset_id: str
    version: str
    synthetic: bool
    family: str | None
    map_name: str | None
    episodes: tuple[EpisodeRef, ...]


@dataclass(frozen=True)
class EpisodeArrays:
    """Small arrays of one episode of T steps, aligned per step t: ``actions`` (T, 15) int64;
    ``kill``, ``death`` (T,) bool, the flags that arrived after step t (frame t+1); ``source``
    (file name) and ``file_number`` (None when unknown)."""

    actions: np.ndarray
    kill: np.ndarray
    death: np.ndarray
    source: str
    file_number: int | None


def _metadata_folder(dataset_id: str, root: str | os.PathLike[str] | None) -> Path | None:
    folder = ms.data_dir(ms.minari_root(root), dataset_id)
    if (folder / ms.METADATA_FILE).is_file():
        return folder
    path = Path(dataset_id).expanduser()
    for candidate in (path, path / ms.DATA_DIR):
        if (candidate / ms.METADATA_FILE).is_file():
            return candidate
    return None


def dataset_version(meta: dict[str, Any], dataset_id: str) -> str:
    """``<vN>+<tool version>+<12 hex of the sources' hash>`` from a dataset's metadata."""
    block = meta.get("csgo_env", {})
    sources = [(s.get("file"), s.get("sha256")) for s in block.get("sources", [])]
    digest = hashlib.sha256(json.dumps(sources).encode("utf-8")).hexdigest()[:12]
    match = _VERSION.search(dataset_id)
    return f"{match.group(1) if match else 'v?'}+{block.get('tool_version', '?')}+{digest}"


def open_dataset(dataset_id: str, root: str | os.PathLike[str] | None = None) -> DatasetInfo:
    """Identify a converted dataset (id under ``root`` / ``MINARI_DATASETS_PATH``, or a
    dataset folder). Raises DatasetNotFound with the fix when it is not there."""
    folder = _metadata_folder(dataset_id, root)
    if folder is None:
        raise DatasetNotFound(explain(
            "dataset not found", expected=f"a dataset converted under {ms.minari_root(root)}",
            got=dataset_id, fix="convert it first with `csgo-env convert`, or pass --root"))
    meta = ms.read_metadata(folder)
    block = meta.get("csgo_env", {})
    family = block.get("family")
    map_name = None
    if family:
        from csgo_env.datasets.pearce.families import FAMILIES

        map_name = FAMILIES[family].map_name if family in FAMILIES else None
    name = meta.get("dataset_id", dataset_id)
    return DatasetInfo(str(name), dataset_version(meta, str(name)),
                       bool(block.get("synthetic", False)), family, map_name,
                       tuple(index_sources([folder])))


def read_episode(ref: EpisodeRef) -> EpisodeArrays:
    """Actions and flags of one episode (store or public-layout recording), no frames."""
    import h5py

    if ref.kind == "recording":
        from csgo_env.datasets.pearce.reader import Recording

        with Recording(ref.path) as rec:
            actions = rec.actions(0, ref.steps)
            helper = rec.helper(1, ref.steps + 1)
        return EpisodeArrays(actions, helper[:, 0] == 1.0, helper[:, 1] == 1.0, ref.source,
                             _number(ref.source))
    with h5py.File(ref.path, "r") as f:
        group = f[ref.group]
        actions = np.asarray(group["actions"][:], dtype=np.int64)
        kill = np.asarray(group["infos/kill"][1:], dtype=bool)
        death = np.asarray(group["infos/death"][1:], dtype=bool)
        number = group.attrs.get("file_number")
    return EpisodeArrays(actions, kill, death, ref.source,
                         int(number) if number is not None else _number(ref.source))


def iter_episodes(info: DatasetInfo) -> Iterator[EpisodeArrays]:
    """:func:`read_episode` for each episode of ``info``, in order."""
    for ref in info.episodes:
        yield read_episode(ref)


def _number(source: str) -> int | None:
    from csgo_env.datasets.pearce.families import family_of

    found = family_of(source)
    return found[1] if found else None


__all__ = ["DatasetInfo", "EpisodeArrays", "dataset_version", "iter_episodes", "open_dataset",
           "read_episode"]
