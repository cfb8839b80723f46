"""Check a recording against the public layout, collecting every problem with its frame.

Structure (always): readable HDF5, the 4 datasets of every frame ``0..expected_frames-1``
and no others, their shapes and dtypes, data inside the file. Values (``deep=True``): every
screenshot readable, ``frame_{i}_y`` exactly 0/1 with one bin set in each mouse block,
``frame_{i}_helperarr`` 0/1, ``frame_{i}_xaux`` finite. Problems make a file invalid;
warnings note departures from the authors' conventions that readers survive (frame 0 not
the default action or with a kill/death flag, a kill and a death on the same tick).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from csgo_env.actions import MOUSE_X_SLICE, MOUSE_Y_SLICE, NOOP
from csgo_env.datasets.pearce.reader import (
    FRAMES_PER_FILE,
    KEY_PATTERN,
    KINDS,
    SPECS,
    Recording,
)
from csgo_env.errors import CsgoEnvError, RecordingCorrupt

MAX_LISTED = 40
"""Problems listed one by one; the rest are counted in one closing line."""


@dataclass
class ValidationReport:
    """Outcome of :func:`validate_recording`.

    ``ok`` is True iff ``problems`` is empty. Each problem and warning is one line that
    starts with ``frame {i}:`` when it concerns one frame. ``num_frames`` counts the
    contiguous frames ``frame_0_x, frame_1_x, ...`` (0 when the file cannot be opened).
    """

    path: Path
    ok: bool
    num_frames: int
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{self.path}: {'valid' if self.ok else 'INVALID'}, {self.num_frames} frames"
        return "\n".join([head, *(f"  problem: {p}" for p in self.problems),
                          *(f"  warning: {w}" for w in self.warnings)])


class _Lines:
    """A capped list of messages: the first MAX_LISTED verbatim, then a count."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.dropped = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_LISTED:
            self.lines.append(line)
        else:
            self.dropped += 1

    def done(self) -> list[str]:
        return self.lines + ([f"... and {self.dropped} more"] if self.dropped else [])


def validate_recording(path: str | os.PathLike[str], *, expected_frames: int = FRAMES_PER_FILE,
                       deep: bool = True) -> ValidationReport:
    """Check one file; never raises for a bad file (only for a bad argument)."""
    path = Path(path)
    if expected_frames < 1:
        raise ValueError(f"expected_frames must be >= 1, got {expected_frames}")
    problems, warnings = _Lines(), _Lines()
    try:
        rec = Recording(path)
    except CsgoEnvError as exc:
        return ValidationReport(path, False, 0, [str(exc)])
    with rec:
        if rec.num_frames != expected_frames:
            problems.add(f"holds {rec.num_frames} contiguous frames, expected {expected_frames}")
        good = _check_structure(rec, expected_frames, problems)
        if deep and good.size:
            _check_values(rec, good, problems, warnings)
    listed = problems.done()
    return ValidationReport(path, not listed, rec.num_frames, listed, warnings.done())


def _check_structure(rec: Recording, expected: int, problems: _Lines) -> np.ndarray:
    """Record structural problems; return the frames whose 4 datasets are all sound."""
    present: dict[str, set[int]] = {kind: set() for kind in KINDS}
    for raw in rec._h5.id.__iter__():
        name = raw.decode("utf-8", "replace")
        match = KEY_PATTERN.match(name)
        if match is None:
            problems.add(f"unexpected key {name!r} (not frame_<i>_<x|xaux|y|helperarr>)")
        elif int(match.group("i")) >= expected:
            problems.add(f"frame {match.group('i')}: extra dataset {name} beyond the "
                         f"{expected} expected frames")
        else:
            present[match.group("kind")].add(int(match.group("i")))
    sound, absent_from = [], None  # absent_from: first frame of a run with no datasets
    for i in range(expected + 1):
        missing = [f"frame_{i}_{kind}" for kind in KINDS if i not in present[kind]]
        if i < expected and len(missing) == len(KINDS):
            absent_from = i if absent_from is None else absent_from
            continue
        if absent_from is not None:
            problems.add(f"frame {absent_from}: frames {absent_from}..{i - 1} are missing "
                         "(no datasets)" if i - 1 > absent_from
                         else f"frame {absent_from}: missing all 4 datasets")
            absent_from = None
        if i == expected:
            break
        if missing:
            problems.add(f"frame {i}: missing {', '.join(missing)}")
            continue
        if i >= rec.num_frames:
            continue
        ok = True
        for kind in KINDS:
            try:
                rec._offsets[kind][i] = rec._find(kind, i)
            except RecordingCorrupt as exc:
                problems.add(_frame_line(exc, i))
                ok = False
        if ok:
            sound.append(i)
    return np.asarray(sound, dtype=np.int64)


def _check_values(rec: Recording, frames: np.ndarray, problems: _Lines,
                  warnings: _Lines) -> None:
    arrays = {}
    for kind in KINDS:
        shape, dtype = SPECS[kind]
        rows = min(len(frames), 64) if kind == "x" else len(frames)
        out = np.empty((rows, *shape), dtype=dtype)
        try:
            if kind == "x":  # every screenshot readable; 64 at a time to bound memory
                for lo in range(0, len(frames), 64):
                    chunk = frames[lo:lo + 64]
                    rec._read_into(kind, chunk, out[:len(chunk)])
            else:
                arrays[kind] = rec._read_into(kind, frames, out)
        except RecordingCorrupt as exc:
            problems.add(_frame_line(exc, exc.frame))
            return
    y, helper, xaux = arrays["y"], arrays["helperarr"], arrays["xaux"]

    def odd_values(k: int, i: int) -> str:
        odd = y[k][(y[k] != 0) & (y[k] != 1)]
        return f"frame_{i}_y holds values other than 0/1: {sorted(set(odd.tolist()))[:4]}"

    _per_row(problems, frames, ~np.all((y == 0) | (y == 1), axis=1), odd_values)
    for name, block in (("mouse_x", y[:, MOUSE_X_SLICE]), ("mouse_y", y[:, MOUSE_Y_SLICE])):
        counts = block.sum(axis=1)
        def bins_set(k: int, i: int, name: str = name, counts: np.ndarray = counts) -> str:
            return f"frame_{i}_y {name} block has {counts[k]:g} bins set, expected exactly 1"

        _per_row(problems, frames, counts != 1, bins_set)
    _per_row(problems, frames, ~np.all((helper == 0) | (helper == 1), axis=1),
             lambda k, i: f"frame_{i}_helperarr is {helper[k].tolist()}, expected 0/1 flags")
    _per_row(problems, frames, ~np.all(np.isfinite(xaux), axis=1),
             lambda k, i: f"frame_{i}_xaux holds NaN or inf")
    _per_row(warnings, frames, np.all(helper == 1, axis=1),
             lambda k, i: "kill and death flagged on the same tick (the authors never flag both)")
    if frames.size and frames[0] == 0:
        if not np.array_equal(y[0], NOOP.to_vector()):
            warnings.add("frame 0: frame_0_y is not the default (no-op) action")
        if np.any(helper[0] != 0):
            warnings.add("frame 0: frame_0_helperarr is not [0, 0]")


def _per_row(lines: _Lines, frames: np.ndarray, bad: np.ndarray,
             message: Callable[[int, int], str]) -> None:
    """Add ``frame {i}: message(k, i)`` for each row k flagged in ``bad``."""
    for k in np.flatnonzero(bad):
        i = int(frames[k])
        lines.add(f"frame {i}: {message(int(k), i)}")


def _frame_line(exc: RecordingCorrupt, frame: int | None) -> str:
    """A RecordingCorrupt message without the leading path (the report names the file)."""
    text = str(exc)
    if exc.path and text.startswith(f"{exc.path}: "):
        text = text[len(exc.path) + 2:]
    if frame is not None and not text.startswith("frame "):
        text = f"frame {frame}: {text}"
    return text


__all__ = ["ValidationReport", "validate_recording"]
