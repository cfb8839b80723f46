"""``csgo-env quality PATH...``: the dataset authors' per-file quality statistics and flags.

PATH: recordings (their metadata found beside them or given with ``--metadata``), folders
of recordings, or metadata files ``currvarsv2_*.npy`` (every file number they hold). One
row per recording: dead frames, memory/GSI disagreements on health and ammo,
non-first-person frames, frames with a still mouse and without movement, and the flags
over the authors' limits. ``--move-flagged DIR`` sets flagged recordings and their
metadata entries aside. Exit status 0 when no file is flagged and every pairing matched,
1 otherwise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

NAME = "quality"
HELP = "per-file quality statistics and flags of recordings' metadata (the authors' checks)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env quality``."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="recordings, folders, or metadata files currvarsv2_*.npy")
    parser.add_argument("--metadata", nargs="+", default=(), metavar="FILE",
                        help="metadata files for the recordings (default: beside each)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--move-flagged", type=Path, default=None, metavar="DIR",
                        help="move flagged recordings and their metadata entries into DIR")


def _split_inputs(paths: list[str]) -> tuple[list[Path], list[str]]:
    """(metadata files, recording paths) named by ``paths``; folders without recordings
    give their metadata files."""
    from csgo_env.commands.inspect_cmd import RECORDING_SUFFIXES
    from csgo_env.errors import DatasetNotFound

    npys: list[Path] = []
    recordings: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file() and path.suffix == ".npy":
            npys.append(path)
        elif path.is_dir() and not any(p.suffix in RECORDING_SUFFIXES for p in path.rglob("*")):
            found = sorted(path.rglob("currvarsv2_*.npy"))
            if not found:
                raise DatasetNotFound(f"no recordings or metadata files in folder {path}")
            npys.extend(found)
        else:
            recordings.append(raw)
    return npys, recordings


def _items(paths: list[str], index: Any) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(name, recording or None, metadata file, number, curr_vars) per file, and errors."""
    from csgo_env.commands.inspect_cmd import find_recordings
    from csgo_env.datasets.pearce.metadata_pairing import (
        METADATA_NAME,
        recording_name,
        recording_number,
    )
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.errors import CsgoEnvError

    items: list[tuple[Any, ...]] = []
    errors: list[str] = []
    npys, recordings = _split_inputs(paths)
    for npy in npys:
        meta = index.load(npy)
        m = METADATA_NAME.match(npy.name)
        for number in meta.numbers():
            name = recording_name(m.group("stub"), number) if m else f"file_num{number}"
            beside = npy.parent / name
            try:
                items.append((name, beside if beside.is_file() else None, meta, number,
                              meta.curr_vars(number, recording=name)))
            except CsgoEnvError as exc:
                errors.append(f"{name}: {exc}")
    for rec in find_recordings(recordings) if recordings else []:
        try:
            meta = index.for_recording(rec)
            number = recording_number(rec)[1]
            with Recording(rec) as r:
                frames = r.num_frames
            items.append((rec.name, rec, meta, number,
                          meta.curr_vars(number, frames, recording=rec.name)))
        except CsgoEnvError as exc:
            errors.append(f"{rec}: {exc}")
    return items, errors


def run(args: argparse.Namespace) -> int:
    """Report every file; move flagged ones when asked. 0 if none flagged and no errors."""
    from csgo_env.datasets.pearce.infer_batch import MetadataIndex
    from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
    from csgo_env.datasets.pearce.quality import LIMITS, file_quality, quality_table
    from csgo_env.datasets.pearce.set_aside import Flagged, set_aside
    from csgo_env.datasets.synthetic.recordings import is_synthetic
    from csgo_env.errors import CsgoEnvError

    index = MetadataIndex(args.metadata)
    items, errors = _items(args.paths, index)
    rows, flagged, synthetic = [], [], []
    for name, recording, meta, number, curr_vars in items:
        try:
            row = file_quality(columns_from_curr_vars(curr_vars, source=f"{meta.path.name} "
                                                      f"file {number}"), name=name)
        except CsgoEnvError as exc:
            errors.append(f"{name}: {exc}")
            continue
        rows.append(row)
        synthetic.append(bool(recording is not None and is_synthetic(recording))
                         or bool(curr_vars and curr_vars[0].get("synthetic")))
        if not row.ok:
            flagged.append(Flagged(recording, meta, number))
    moved = set_aside(flagged, args.move_flagged) if args.move_flagged and flagged else []
    n_flagged = sum(not r.ok for r in rows)
    summary = {"files": len(rows), "flagged": n_flagged, "errors": len(errors),
               "synthetic": sum(synthetic), "moved": len(moved)}
    if args.json:
        files = [{**r.to_dict(), "synthetic": s} for r, s in zip(rows, synthetic, strict=True)]
        print(json.dumps({"limits": LIMITS, "files": files, "errors": errors,
                          "moved": moved, "summary": summary}, indent=1))
    else:
        if rows:
            table = quality_table(rows).splitlines()
            print("\n".join(table[:2] + [line + ("  (synthetic)" if s else "")
                                          for line, s in zip(table[2:], synthetic,
                                                             strict=True)]))
        for line in errors:
            print(f"error: {line}")
        for line in moved:
            print(line)
        print(f"summary: {summary['files']} files, {n_flagged} flagged, {len(errors)} "
              f"not checked, {summary['synthetic']} synthetic"
              + (f", {len(moved)} set aside in {args.move_flagged}" if moved else ""))
    return 1 if n_flagged or errors else 0
