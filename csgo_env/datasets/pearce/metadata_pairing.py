"""Pairing recordings with their metadata files, and writing inferred recordings.

A recording ``hdf5_{stub}{N}.hdf5`` is described by the metadata file
``currvarsv2_{stub}{a}_to_{b}.npy`` with a <= N <= b, whose dict holds
``'file_num{N}_frame_{j}': [curr_vars, infer_a, helper]`` for j = 0 .. frames-1 (the
naming of the released files). Every pairing is checked: a
metadata file without the recording's file number, or with another frame count, raises
:class:`~csgo_env.errors.MetadataMismatch` naming both files, and nothing from it is used.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from csgo_env._atomic import atomic_write_text
from csgo_env.errors import DatasetError, MetadataMismatch, explain

RECORDING_NAME = re.compile(r"^hdf5_(?P<stub>.*?)(?P<n>[1-9][0-9]*)\.hdf5$")
"""A recording's file name; ``stub`` names its family (``dm_july2021_``), ``n`` its number."""
METADATA_NAME = re.compile(r"^currvarsv2_(?P<stub>.*?)(?P<a>[1-9][0-9]*)_to_(?P<b>[1-9][0-9]*)"
                           r"\.npy$")
"""A metadata file's name covering recordings ``a`` .. ``b`` of family ``stub``."""
FRAME_KEY = re.compile(r"^file_num(?P<n>[0-9]+)_frame_(?P<j>[0-9]+)$")


def recording_number(path: str | os.PathLike[str]) -> tuple[str, int]:
    """``(stub, N)`` of a recording named like the public files; DatasetError otherwise."""
    m = RECORDING_NAME.match(Path(path).name)
    if not m:
        raise DatasetError(explain(f"{Path(path).name}: not a recording name of the public form",
                                   expected="hdf5_{stub}{N}.hdf5, e.g. hdf5_dm_july2021_7.hdf5",
                                   fix="rename the file; its number pairs it with metadata"))
    return m.group("stub"), int(m.group("n"))


def recording_name(stub: str, number: int) -> str:
    """The recording file name of file ``number`` of family ``stub``."""
    return f"hdf5_{stub}{number}.hdf5"


def metadata_beside(recording: str | os.PathLike[str]) -> Path | None:
    """The metadata file in the recording's folder whose name covers its number, or None."""
    path = Path(recording)
    stub, number = recording_number(path)
    for candidate in sorted(path.parent.glob(f"currvarsv2_{glob_escape(stub)}*_to_*.npy")):
        m = METADATA_NAME.match(candidate.name)
        if m and m.group("stub") == stub and int(m.group("a")) <= number <= int(m.group("b")):
            return candidate
    return None


def glob_escape(text: str) -> str:
    """``text`` with glob wildcards escaped."""
    return re.sub(r"([*?\[])", r"[\1]", text)


@dataclass
class MetadataFile:
    """A loaded metadata file with its entries indexed by file number.

    ``frames[N]`` maps frame index j to the dict key of ``file_num{N}_frame_{j}``.
    """

    path: Path
    content: dict
    frames: dict[int, dict[int, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> MetadataFile:
        """Load safely (:func:`~csgo_env.datasets.pearce.metadata.load_metadata`) and index."""
        from csgo_env.datasets.pearce.metadata import load_metadata

        out = cls(Path(path), load_metadata(path))
        for key in out.content:
            m = FRAME_KEY.match(key) if isinstance(key, str) else None
            if m:
                out.frames.setdefault(int(m.group("n")), {})[int(m.group("j"))] = key
        return out

    def numbers(self) -> list[int]:
        """File numbers with at least one frame here, ascending."""
        return sorted(self.frames)

    def curr_vars(self, number: int, num_frames: int | None = None, *,
                  recording: str = "the recording") -> list[dict[str, Any]]:
        """The ``curr_vars`` of frames 0 .. m-1 of file ``number``, checked.

        Raises MetadataMismatch naming this file and ``recording`` when the number is absent,
        the frames are not exactly 0 .. m-1, m differs from ``num_frames`` (when given) or
        an entry is not ``[curr_vars, infer_a, helper]``.
        """
        frames = self.frames.get(number)
        if not frames:
            raise MetadataMismatch(explain(
                f"metadata {self.path.name} does not match {recording}: it holds no frames of "
                f"file number {number}", expected=f"keys file_num{number}_frame_0 ...",
                got=f"file numbers {_ranges(self.numbers())}",
                fix="pass the metadata file that covers this recording (--metadata)"))
        m = len(frames)
        if set(frames) != set(range(m)):
            missing = sorted(set(range(max(frames) + 1)) - set(frames))[:5]
            raise MetadataMismatch(explain(
                f"metadata {self.path.name} does not match {recording}: frames of file "
                f"{number} are not contiguous", expected=f"frames 0..{max(frames)}",
                got=f"missing frames {missing}"))
        if num_frames is not None and m != num_frames:
            raise MetadataMismatch(explain(
                f"metadata {self.path.name} does not match {recording}: another frame count "
                f"for file {number}", expected=f"{num_frames} frames (the recording's)",
                got=f"{m} frames", fix="pair each recording with the metadata written with it"))
        out = []
        for j in range(m):
            entry = self.content[frames[j]]
            if not isinstance(entry, (list, tuple)) or len(entry) < 1 \
                    or not isinstance(entry[0], dict):
                raise MetadataMismatch(explain(
                    f"metadata {self.path.name}: {frames[j]} is not [curr_vars, infer_a, helper]",
                    got=type(entry).__name__))
            out.append(entry[0])
        return out

    def replace_file(self, number: int, infer_a: list[list[Any]], helper: np.ndarray) -> None:
        """Set ``infer_a`` and ``helper`` of every frame of file ``number`` (in memory)."""
        for j, key in self.frames[number].items():
            self.content[key] = [self.content[key][0], infer_a[j], np.asarray(helper[j])]

    def entries(self, numbers: Iterable[int]) -> dict[str, Any]:
        """The dict entries of the given file numbers."""
        return {key: self.content[key] for n in numbers for key in self.frames.get(n, {}).values()}

    def without(self, numbers: Iterable[int]) -> dict[str, Any]:
        """The content minus the entries of the given file numbers."""
        drop = set(self.entries(numbers))
        return {key: value for key, value in self.content.items() if key not in drop}


def merge_metadata(path: Path, entries: dict[str, Any]) -> Path:
    """Add ``entries`` to the metadata file at ``path`` (created if absent), atomically."""
    from csgo_env.datasets.pearce.metadata import load_metadata, write_metadata

    content = load_metadata(path) if path.is_file() else {}
    content.update(entries)
    return write_metadata(path, content)


def mark_synthetic(dest_dir: Path, names: Iterable[str], *, generator: str,
                   family: str | None = None, seed: int | None = None,
                   readme: str | None = None) -> None:
    """Add ``names`` to the ``SYNTHETIC`` marker of ``dest_dir`` (JSON, as the synthetic
    writer's) and write its README, atomically."""
    from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER, SYNTHETIC_README

    marker = dest_dir / SYNTHETIC_MARKER
    known: list[str] = []
    if marker.is_file():
        try:
            known = list(json.loads(marker.read_text(encoding="utf-8"))["files"])
        except (ValueError, KeyError, TypeError):
            known = []
    content = {"synthetic": True, "generator": generator, "family": family, "seed": seed,
               "files": sorted(set(known) | set(names))}
    dest_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(marker, json.dumps(content, indent=1) + "\n")
    atomic_write_text(dest_dir / SYNTHETIC_README, readme or (
        "SYNTHETIC DATA - NOT REAL GAMEPLAY\n\nThe recordings listed in "
        f"{SYNTHETIC_MARKER} were generated by {generator}. Use them to test code, never "
        "to train or evaluate an agent.\n"))


def carry_synthetic_marker(source_dir: Path, dest_dir: Path, names: Iterable[str]) -> bool:
    """If ``source_dir`` marks any of ``names`` synthetic, mark them in ``dest_dir`` too
    (same generator, family, seed and README). Returns whether anything was marked."""
    from csgo_env.datasets.synthetic.recordings import (
        SYNTHETIC_MARKER,
        SYNTHETIC_README,
        is_synthetic,
    )

    moved = sorted(name for name in names if is_synthetic(source_dir / name))
    if not moved:
        return False
    try:
        info = json.loads((source_dir / SYNTHETIC_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = {}
    readme = source_dir / SYNTHETIC_README
    mark_synthetic(dest_dir, moved, generator=str(info.get("generator", "unknown")),
                   family=info.get("family"), seed=info.get("seed"),
                   readme=readme.read_text(encoding="utf-8") if readme.is_file() else None)
    return True


def _ranges(numbers: list[int]) -> str:
    if not numbers:
        return "none"
    parts, start, prev = [], numbers[0], numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts[:6]) + (" ..." if len(parts) > 6 else "")


__all__ = ["METADATA_NAME", "RECORDING_NAME", "MetadataFile", "carry_synthetic_marker",
           "mark_synthetic", "merge_metadata", "metadata_beside", "recording_name",
           "recording_number"]
