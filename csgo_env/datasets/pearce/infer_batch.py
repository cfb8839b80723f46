"""Inferring the actions of many recordings: pairing, checking, writing.

:class:`MetadataIndex` finds the metadata file of each recording (given explicitly, or
beside it) and loads each file once. :func:`infer_files` writes, per recording, a new file
in the public layout with the same frames and the inferred ``y``, ``xaux`` and
``helperarr`` (atomically, through :func:`~csgo_env.datasets.pearce.write.write_recording`),
plus the metadata with ``infer_a`` and ``helper`` filled in. A recording whose metadata
does not match is reported with both names and left out; the others go on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csgo_env.datasets.pearce.infer_actions import InferredActions, infer_actions
from csgo_env.datasets.pearce.infer_rules import InferenceSettings
from csgo_env.datasets.pearce.metadata_pairing import (
    METADATA_NAME,
    MetadataFile,
    carry_synthetic_marker,
    merge_metadata,
    metadata_beside,
    recording_number,
)
from csgo_env.errors import CsgoEnvError, DatasetNotFound, MetadataMismatch, explain


class MetadataIndex:
    """The metadata files of a run, loaded on first use and kept.

    With ``explicit`` paths, a recording is paired with the one of them that holds its file
    number (and, for public names, its family stub); otherwise with the metadata file
    beside it whose name covers its number.
    """

    def __init__(self, explicit: Sequence[str | os.PathLike[str]] = ()) -> None:
        self.explicit = [Path(p) for p in explicit]
        for path in self.explicit:
            if not path.is_file():
                raise DatasetNotFound(f"metadata file {path} does not exist")
        self._loaded: dict[Path, MetadataFile] = {}

    def load(self, path: Path) -> MetadataFile:
        """The loaded metadata file at ``path`` (cached)."""
        if path not in self._loaded:
            self._loaded[path] = MetadataFile.load(path)
        return self._loaded[path]

    @property
    def loaded(self) -> list[MetadataFile]:
        """Every metadata file loaded so far."""
        return list(self._loaded.values())

    def for_recording(self, recording: Path) -> MetadataFile:
        """The metadata file of ``recording``; MetadataMismatch / DatasetNotFound if none."""
        stub, number = recording_number(recording)
        if not self.explicit:
            found = metadata_beside(recording)
            if found is None:
                raise DatasetNotFound(explain(
                    f"{recording.name}: no metadata file beside it",
                    expected=f"currvarsv2_{stub}A_to_B.npy with A <= {number} <= B in "
                             f"{recording.parent}", fix="pass it with --metadata FILE"))
            return self.load(found)
        for path in self.explicit:
            m = METADATA_NAME.match(path.name)
            if m and m.group("stub") != stub:
                continue
            meta = self.load(path)
            if number in meta.frames:
                return meta
        names = ", ".join(p.name for p in self.explicit)
        raise MetadataMismatch(explain(
            f"{recording.name}: none of the metadata files given ({names}) holds file number "
            f"{number} of family {stub!r}",
            fix="pass the metadata file written with this recording"))


@dataclass
class FileOutcome:
    """What happened to one recording: ``output`` written, or ``error`` saying why not."""

    recording: Path
    metadata: Path | None = None
    output: Path | None = None
    error: str | None = None
    inferred: InferredActions | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """JSON-ready counts: frames, skipped, dead, frames with logged keys."""
        out: dict[str, Any] = {"recording": str(self.recording), "error": self.error,
                               "metadata": str(self.metadata) if self.metadata else None,
                               "output": str(self.output) if self.output else None}
        if self.inferred is not None:
            inf = self.inferred
            out.update(frames=inf.num_frames, skipped=int(inf.skipped.sum()),
                       dead=int(inf.dead.sum()), logged=int(inf.logged.sum()))
        return out


def infer_files(recordings: Sequence[Path], index: MetadataIndex, *, out_dir: Path | None,
                settings: InferenceSettings | None = None,
                report: Callable[[FileOutcome], None] | None = None) -> list[FileOutcome]:
    """Infer and write every recording; ``out_dir`` None rewrites them in place.

    Output names are the input names; metadata files are written under the same names
    (in place: the source file, rewritten atomically). Returns one outcome per recording.
    """
    outcomes: list[FileOutcome] = []
    touched: dict[Path, set[int]] = {}
    for recording in recordings:
        outcome = FileOutcome(recording)
        try:
            meta = _infer_one(outcome, index, out_dir, settings)
            touched.setdefault(meta, set()).add(recording_number(recording)[1])
        except (CsgoEnvError, OSError, ValueError) as exc:
            outcome.error = str(exc)
            outcome.output = None
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    _write_metadata(index, touched, out_dir)
    if out_dir is not None:
        by_folder: dict[Path, list[str]] = {}
        for o in outcomes:
            if o.output is not None:
                by_folder.setdefault(o.recording.parent, []).append(o.recording.name)
        for folder, names in by_folder.items():
            carry_synthetic_marker(folder, out_dir, names)
    return outcomes


def _infer_one(outcome: FileOutcome, index: MetadataIndex, out_dir: Path | None,
               settings: InferenceSettings | None) -> Path:
    """Infer and write one recording; returns the path of its metadata file."""
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.pearce.write import write_recording

    recording = outcome.recording
    _, number = recording_number(recording)
    meta = index.for_recording(recording)
    outcome.metadata = meta.path
    with Recording(recording) as rec:
        curr_vars = meta.curr_vars(number, rec.num_frames, recording=recording.name)
        inferred = infer_actions(curr_vars, settings=settings,
                                 source=f"{meta.path.name} file {number}")
        frames = rec.frames()
    y, xaux, helper = inferred.targets()
    dest = (out_dir / recording.name) if out_dir is not None else recording
    outcome.output = write_recording(dest, frames, y, xaux, helper)
    outcome.inferred = inferred
    meta.replace_file(number, inferred.infer_a(), helper)
    return meta.path


def _write_metadata(index: MetadataIndex, touched: dict[Path, set[int]],
                    out_dir: Path | None) -> None:
    from csgo_env.datasets.pearce.metadata import write_metadata

    for path, numbers in touched.items():
        meta = index.load(path)
        if out_dir is None:
            write_metadata(path, meta.content)
        else:
            merge_metadata(out_dir / path.name, meta.entries(sorted(numbers)))


__all__ = ["FileOutcome", "MetadataIndex", "infer_files"]
