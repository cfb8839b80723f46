"""Setting flagged recordings aside: the file and its metadata entries, losing nothing.

For each metadata file involved, in this order: (1) the entries of the flagged recordings
are added to a metadata file of the same name in the destination (written atomically);
(2) each recording is moved (a rename on the same file system; otherwise a copy written
atomically and synced, then the original removed); (3) the source metadata file is
rewritten without those entries (removed if none remain). A crash at any point leaves
every entry and frame in at least one place. A destination file that already exists is
never overwritten: that recording stays where it is, with the reason.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from csgo_env._atomic import atomic_target
from csgo_env.datasets.pearce.metadata_pairing import (
    MetadataFile,
    carry_synthetic_marker,
    merge_metadata,
)


@dataclass(frozen=True)
class Flagged:
    """One flagged recording: its file (None when only the metadata is at hand), its
    metadata file and file number."""

    recording: Path | None
    metadata: MetadataFile
    number: int


def set_aside(flagged: Sequence[Flagged], dest: Path) -> list[str]:
    """Move ``flagged`` recordings and their metadata entries into ``dest``.

    Returns one line per recording saying what moved or why it did not.
    """
    from csgo_env.datasets.pearce.metadata import write_metadata

    dest.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    movable: list[Flagged] = []
    for item in flagged:
        target = dest / item.recording.name if item.recording is not None else None
        if target is not None and target.exists():
            lines.append(f"{item.recording}: NOT moved: {target} already exists")
            continue
        movable.append(item)
    by_meta: dict[Path, list[Flagged]] = {}
    for item in movable:
        by_meta.setdefault(item.metadata.path, []).append(item)
    for path, items in by_meta.items():
        meta = items[0].metadata
        numbers = [item.number for item in items]
        merge_metadata(dest / path.name, meta.entries(numbers))
        present = [item.recording for item in items if item.recording is not None]
        carry_synthetic_marker(path.parent, dest, [p.name for p in present])
        for item in items:
            if item.recording is None:
                lines.append(f"file {item.number} of {path.name}: metadata moved to "
                             f"{dest / path.name} (no recording found)")
                continue
            move_file(item.recording, dest / item.recording.name)
            lines.append(f"{item.recording}: moved to {dest} with its metadata "
                         f"({dest / path.name})")
        remaining = meta.without(numbers)
        if remaining:
            write_metadata(path, remaining)
        else:
            path.unlink()
    return lines


def move_file(src: Path, dst: Path) -> Path:
    """Move ``src`` to ``dst`` (which must not exist): rename, or copy + sync + remove."""
    try:
        os.rename(src, dst)
        return dst
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    with atomic_target(dst) as tmp:
        shutil.copyfile(src, tmp)
    src.unlink()
    return dst


__all__ = ["Flagged", "move_file", "set_aside"]
