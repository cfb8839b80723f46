"""State of a conversion on disk: what is done, what failed, shards, and finishing a dataset.

Everything needed to resume lives in the output folder, so a conversion killed at any
moment (even SIGKILL) continues where it stopped when run again:

* an episode is done when ``<dataset>/.partial/episodes/<source name>`` exists: it was
  written under a temporary name and renamed after being closed (finishing fsyncs every
  episode before the index and metadata are written);
* leftover temporary files (``.<name>.<host>.<pid>.tmp``) of dead processes on this host
  are deleted on start;
* failures are appended to ``.partial/failures.jsonl`` and retried by the next run;
* a shard ``k/N`` records itself in ``<root>/.csgo_env_convert/shard-k-of-N.json`` when it
  ends; ``csgo-env convert --merge`` finishes the datasets once all N shards are recorded.

Finishing (:func:`finalize`) writes the index and ``metadata.json`` into ``.partial`` and
renames ``.partial`` to ``data``: Minari sees the dataset complete or not at all. Adding
recordings to a finished dataset renames ``data`` back to ``.partial`` first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_bytes
from csgo_env._pids import pid_alive
from csgo_env.datasets.minari import storage as ms
from csgo_env.datasets.minari.catalog import CATALOG, NAMESPACE, get_dataset_info, split_rule
from csgo_env.datasets.pearce.families import family_of
from csgo_env.errors import DatasetError, explain

SHARDS_DIR = ".csgo_env_convert"
FAILURES_FILE = "failures.jsonl"
NAMESPACE_DESCRIPTION = ("Counter-Strike deathmatch recordings (Pearce & Zhu, IEEE CoG 2022), "
                         "converted by csgo-env")
"""Written to ``<root>/csgo/namespace_metadata.json`` with the first finished dataset."""


def clean_stale_temps(folder: Path) -> int:
    """Delete temporary files under ``folder`` left by dead processes of this host."""
    host = socket.gethostname()
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.rglob(".*.tmp"):
        parts = path.name[1:-4].rsplit(".", 2)
        if len(parts) == 3 and parts[1] == host and parts[2].isdigit() \
                and not pid_alive(int(parts[2])):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def done_sources(root: Path, dataset_id: str) -> set[str]:
    """Source names already converted for ``dataset_id`` (finished or staged)."""
    names = set(ms.episode_files(ms.staging_dir(root, dataset_id)))
    return names | set(ms.episode_files(ms.data_dir(root, dataset_id)))


def open_for_writing(root: Path, dataset_id: str) -> Path:
    """The staging folder of ``dataset_id``, reopening a finished dataset if need be."""
    staging = ms.staging_dir(root, dataset_id)
    data = ms.data_dir(root, dataset_id)
    if data.exists() and not staging.exists():
        os.replace(data, staging)  # the dataset leaves Minari's view in one step
    for name in (ms.MAIN_FILE, ms.METADATA_FILE):
        (staging / name).unlink(missing_ok=True)
    (staging / ms.EPISODES_DIR).mkdir(parents=True, exist_ok=True)
    clean_stale_temps(staging)
    return staging


def record_failure(root: Path, dataset_id: str, source: str, problems: list[str]) -> None:
    """Append a failed source to the dataset's failure journal."""
    staging = ms.staging_dir(root, dataset_id)
    staging.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"source": source, "problems": problems, "time": time.time()})
    with open(staging / FAILURES_FILE, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_failures(staging: Path) -> dict[str, list[str]]:
    """Latest problems per source name from a failure journal (a torn last line is ignored)."""
    out: dict[str, list[str]] = {}
    path = staging / FAILURES_FILE
    if not path.exists():
        return out
    for line in path.read_text("utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        out[entry["source"]] = list(entry["problems"])
    return out


def _number(name: str) -> int:
    found = family_of(name)
    return found[1] if found else 0


def finalize(root: Path, dataset_id: str, *, tool_version: str) -> dict[str, Any] | None:
    """Finish a staged dataset: index, metadata, then rename ``.partial`` -> ``data``.

    Returns the written metadata, or None when there is nothing staged (or nothing
    converted: an empty staging folder is removed instead of becoming a dataset).
    """
    staging = ms.staging_dir(root, dataset_id)
    if not staging.is_dir():
        return None
    info = get_dataset_info(dataset_id) if dataset_id in CATALOG else None
    files = sorted(ms.episode_files(staging).values(), key=lambda p: (_number(p.name), p.name))
    failures = {k: v for k, v in read_failures(staging).items()
                if k not in {p.name for p in files}}
    if not files:
        shutil.rmtree(staging)
        return None
    sources, total_steps, synthetic = [], 0, False
    jpeg_values = set()
    for i, path in enumerate(files):
        attrs = ms.read_episode_attrs(path)
        total_steps += int(attrs["total_steps"])
        synthetic |= bool(attrs.get("synthetic", False))
        jpeg_values.add(bool(attrs.get("jpeg", False)))
        sources.append({"episode": i, "file": path.name, "sha256": attrs.get("source_sha256"),
                        "steps": int(attrs["total_steps"]),
                        "metadata_file": attrs.get("metadata_file") or None})
    if len(jpeg_values) != 1:
        raise DatasetError(explain(
            f"{dataset_id} mixes JPEG and lossless episodes", expected="one encoding",
            got="both", fix="convert again into a fresh --out-dir with or without --jpeg"))
    jpeg = jpeg_values.pop()
    ms.sync_files(files)
    ms.write_index(staging, files)
    extra = {"csgo_env": {
        "tool_version": tool_version,
        "env_id": "CSGO-Deathmatch-v0",
        "family": info.family.name if info else None,
        "split": info.split if info else None,
        "split_rule": split_rule(info.family) if info else None,
        "encoding": "jpeg" if jpeg else "lossless",
        "jpeg_quality": ms.JPEG_QUALITY if jpeg else None,
        "synthetic": synthetic,
        "reward": _reward_note(),
        "episode_layout": "one source file = one episode: observations = frames 0..999 "
                          "(RGB), actions = frames 0..998, truncated at the end",
        "sources": sources,
        "skipped": [{"file": k, "problems": v} for k, v in sorted(failures.items())],
        "game_state": _game_state_note(sum(1 for src in sources if src["metadata_file"])),
        "expected_files": info.expected_files if info else None,
    }}
    description = (f"{info.family.description}; {info.split} split. " if info else "") + \
        "Converted from the Pearce & Zhu CS:GO recordings by csgo-env."
    algorithm = "human play" if info is None or info.family.name != "dust2-scraped" \
        else "human play, spectated; actions inferred"
    metadata = ms.minari_metadata(
        dataset_id, total_episodes=len(files), total_steps=total_steps, jpeg=jpeg,
        description=description, algorithm_name=algorithm, extra=extra,
        size_mb=ms.dir_size_mb(staging))
    ms.write_metadata(staging, metadata)
    ms.ensure_namespace(root, NAMESPACE, NAMESPACE_DESCRIPTION)
    for leftover in ("incoming", FAILURES_FILE):
        target = staging / leftover
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    data = ms.data_dir(root, dataset_id)
    if data.exists():
        raise DatasetError(explain(f"{data} exists next to {staging}", fix="remove one of them"))
    os.replace(staging, data)
    return metadata


def remove_empty_folders(root: Path, dataset_ids: Iterable[str], *,
                         remove_root: bool = False) -> None:
    """After an unsharded run: drop what it made for nothing.

    The staging folder of each of ``dataset_ids`` that holds no converted episode (every
    file failed) goes, then the dataset's folder if empty, then the namespace folder if no
    dataset is left in it (with its ``namespace_metadata.json``), then ``root`` if
    ``remove_root`` (the run created it) and it is empty. Nothing that holds an episode or
    any other file is touched. Not for sharded runs: another shard may be filling a
    staging folder at the same time.
    """
    for did in dataset_ids:
        staging = ms.staging_dir(root, did)
        if staging.is_dir() and not ms.episode_files(staging):
            shutil.rmtree(staging)
        with contextlib.suppress(OSError):
            (root / did).rmdir()
    namespace = root / NAMESPACE
    if namespace.is_dir() and not any(p.is_dir() for p in namespace.iterdir()):
        (namespace / "namespace_metadata.json").unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            namespace.rmdir()
    if remove_root:
        with contextlib.suppress(OSError):
            root.rmdir()


def _game_state_note(episodes: int) -> dict[str, Any]:
    from csgo_env.datasets.minari.episode_meta import FIELDS

    return {"episodes": episodes,
            "fields": {f.name: f.unit for f in FIELDS},
            "layout": "infos/meta/<field>: one row per frame (T+1), float64 with NaN where "
                      "unknown (weapon: bytes); infos/meta_known/<field>: bool; row t is the "
                      "curr_vars read just after frame t, once action t took effect"}


def _reward_note() -> dict[str, str]:
    from csgo_env.rewards import DEFAULT_REWARD, REWARD_ALIGNMENT

    return {"spec": str(DEFAULT_REWARD), "alignment": REWARD_ALIGNMENT}


def write_manifest(root: Path, shard: int, of: int, entry: Mapping[str, Any]) -> Path:
    """Record that shard ``shard``/``of`` ended, with its datasets, counts and failures."""
    folder = root / SHARDS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"shard-{shard}-of-{of}.json"
    atomic_write_bytes(path, json.dumps({"shard": shard, "of": of, **entry}).encode())
    return path


def read_manifests(root: Path) -> list[dict[str, Any]]:
    """Every shard manifest under ``root``."""
    folder = root / SHARDS_DIR
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("shard-*-of-*.json"))]


def missing_shards(manifests: Iterable[Mapping[str, Any]]) -> tuple[int, list[int]]:
    """(N, shards not yet recorded); raises if manifests disagree on N."""
    manifests = list(manifests)
    counts = {int(m["of"]) for m in manifests}
    if len(counts) > 1:
        raise DatasetError(explain("shard manifests disagree on the number of shards",
                                   expected="one N", got=str(sorted(counts)),
                                   fix=f"remove stale files in {SHARDS_DIR}/"))
    if not counts:
        return 0, []
    n = counts.pop()
    have = {int(m["shard"]) for m in manifests}
    return n, [k for k in range(1, n + 1) if k not in have]


def clear_manifests(root: Path) -> None:
    """Remove the shard manifests after a merge."""
    shutil.rmtree(root / SHARDS_DIR, ignore_errors=True)


def local_state(out_dir: str | os.PathLike[str] | None = None) -> tuple[Path, dict[str, str]]:
    """(Minari root, {catalog id: what is on disk}) for ``csgo-env datasets``."""
    root = ms.minari_root(out_dir)
    states = {}
    for did, info in CATALOG.items():
        data, staging = ms.data_dir(root, did), ms.staging_dir(root, did)
        parts = []
        if (data / ms.METADATA_FILE).exists():
            meta = ms.read_metadata(data)
            block = meta.get("csgo_env", {})
            n = int(meta.get("total_episodes", 0))
            whole = "the full dataset" if n == info.expected_files \
                else f"the full dataset has {info.expected_files}"
            text = (f"loadable: {n} episode{'' if n == 1 else 's'} ({whole}), "
                    f"{block.get('encoding', '?')}")
            if block.get("synthetic"):
                text += ", SYNTHETIC"
            if block.get("skipped"):
                text += f", {len(block['skipped'])} skipped"
            parts.append(text)
        if staging.is_dir():
            parts.append(f"in progress: {len(ms.episode_files(staging))} episodes staged")
        states[did] = "; ".join(parts) or "-"
    return root, states
