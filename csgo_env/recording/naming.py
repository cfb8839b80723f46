"""File names of new recordings: the public families' names, numbered on from what exists.

A recording of family ``dust2-expert`` is ``hdf5_dm_july2021_expert_{N}.hdf5`` with its
metadata ``currvarsv2_dm_july2021_expert_{N}_to_{N}.npy`` (one metadata file per recording,
so each is written once and atomically; the pairing rules of
:mod:`csgo_env.datasets.pearce.metadata_pairing` find it beside the recording). Numbers
start after the highest number of that family already in the folder (recordings or
metadata), and an existing file is never overwritten.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from csgo_env.datasets.pearce.families import Family
from csgo_env.datasets.pearce.metadata_pairing import METADATA_NAME, recording_number
from csgo_env.errors import ArgumentError, explain
from csgo_env.recording.writer import FileTarget

DEFAULT_FAMILY = {"own": "dust2-expert", "spectate": "dust2-scraped"}
"""The family a mode writes by default: own play as the authors' dust2 expert files,
spectating as their scraped files."""


def highest_number(folder: Path, family: Family) -> int:
    """The highest file number of ``family`` among recordings and metadata in ``folder``
    (0 when there are none)."""
    best = 0
    stub = family.file_format.split("{n}")[0].removeprefix("hdf5_")
    if not folder.is_dir():
        return 0
    for name in os.listdir(folder):
        n = family.number_of(name)
        if n is not None:
            best = max(best, n)
            continue
        m = METADATA_NAME.match(name)
        if m and m.group("stub") == stub:
            best = max(best, int(m.group("b")))
    return best


def file_targets(folder: Path, family: Family, first: int | None = None
                 ) -> Iterator[FileTarget]:
    """Targets for files ``first``, ``first + 1``, ... (default: after the highest number).

    Raises :class:`ArgumentError` when a recording or metadata file of a target exists."""
    number = highest_number(folder, family) + 1 if first is None else int(first)
    if number < 1:
        raise ArgumentError(explain("file numbers start at 1", got=str(number)))
    while True:
        recording = folder / family.file_name(number)
        stub, _ = recording_number(recording)
        metadata = folder / f"currvarsv2_{stub}{number}_to_{number}.npy"
        for path in (recording, metadata):
            if path.exists():
                raise ArgumentError(explain(
                    f"{path.name} exists in {folder}", expected="a new file number",
                    fix="leave out --first-number (numbers continue after the highest) or "
                        "record into another folder"))
        yield FileTarget(number, recording, metadata)
        number += 1


__all__ = ["DEFAULT_FAMILY", "file_targets", "highest_number"]
