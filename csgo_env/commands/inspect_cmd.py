"""``csgo-env inspect PATH...``: validate recordings and summarise their actions.

Per file: frame count, validity with the reasons, whether it is synthetic, key press rates,
fire rate, mouse bin histograms and kill/death counts. Exit status 0 when every file is
valid, 1 when any is not.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

NAME = "inspect"
HELP = "validate recordings (files or folders) and summarise their actions"
RECORDING_SUFFIXES = (".hdf5", ".h5")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env inspect``."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="recording files, or folders searched recursively for *.hdf5")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--expected-frames", type=int, default=1000, metavar="N",
                        help="frames a valid file holds (default: 1000)")
    parser.add_argument("--quick", action="store_true",
                        help="check keys, shapes and dtypes only; do not read every value")


def find_recordings(paths: list[str]) -> list[Path]:
    """Expand files and folders into recording files, numbered families in number order."""
    from csgo_env.datasets.pearce.families import family_of
    from csgo_env.errors import DatasetNotFound

    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = [p for p in path.rglob("*") if p.suffix in RECORDING_SUFFIXES and p.is_file()]
            if not inside:
                raise DatasetNotFound(f"no *.hdf5 recordings in folder {path}")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise DatasetNotFound(f"{path} does not exist")

    def order(p: Path) -> tuple:
        fam = family_of(p)
        return (str(p.parent), fam[0].name if fam else p.name, fam[1] if fam else 0, p.name)

    return sorted(dict.fromkeys(found), key=order)


def action_stats(vectors: np.ndarray, helper: np.ndarray) -> dict[str, Any]:
    """Summary of (n, 51) action vectors and (n, 2) helper flags; malformed rows are skipped."""
    from csgo_env.actions import (
        BUTTON_NAMES,
        KEY_NAMES,
        MOUSE_X_BINS,
        MOUSE_X_ZERO_BIN,
        MOUSE_Y_BINS,
        MOUSE_Y_ZERO_BIN,
        N_BINARY,
        vectors_to_multidiscrete,
    )
    from csgo_env.datasets.pearce.reader import valid_vectors

    good = valid_vectors(vectors)
    factored = vectors_to_multidiscrete(vectors[good]) if good.any() \
        else np.zeros((0, N_BINARY + 2), dtype=np.int64)
    rates = factored[:, :N_BINARY].mean(axis=0) if len(factored) else np.zeros(N_BINARY)
    mx, my = factored[:, N_BINARY], factored[:, N_BINARY + 1]
    dx, dy = np.abs(MOUSE_X_BINS[mx]), np.abs(MOUSE_Y_BINS[my])

    def share(mask: np.ndarray) -> float:
        return float(mask.mean()) if len(mask) else 0.0

    return {
        "kills": int(helper[:, 0].sum()), "deaths": int(helper[:, 1].sum()),
        "malformed_actions": int((~good).sum()),
        "press_rate": {name: float(r) for name, r in zip(KEY_NAMES + BUTTON_NAMES, rates,
                                                         strict=True)},
        "fire_rate": float(rates[len(KEY_NAMES)]),
        "mouse_x": {"still": share(mx == MOUSE_X_ZERO_BIN),
                    "mean_abs_counts": float(dx.mean()) if len(dx) else 0.0,
                    "flicks_100_plus": share(dx >= 100),
                    "histogram": np.bincount(mx, minlength=len(MOUSE_X_BINS)).tolist()},
        "mouse_y": {"still": share(my == MOUSE_Y_ZERO_BIN),
                    "mean_abs_counts": float(dy.mean()) if len(dy) else 0.0,
                    "histogram": np.bincount(my, minlength=len(MOUSE_Y_BINS)).tolist()},
    }


def inspect_file(path: Path, *, expected_frames: int, deep: bool) -> dict[str, Any]:
    """Validation and statistics of one file, as a JSON-ready dict."""
    from csgo_env.datasets.pearce.families import family_of
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.pearce.validate import validate_recording
    from csgo_env.datasets.synthetic.recordings import is_synthetic
    from csgo_env.errors import CsgoEnvError

    report = validate_recording(path, expected_frames=expected_frames, deep=deep)
    fam = family_of(path)
    entry: dict[str, Any] = {
        "path": str(path), "family": fam[0].name if fam else None,
        "number": fam[1] if fam else None, "synthetic": is_synthetic(path),
        "frames": report.num_frames, "valid": report.ok, "problems": report.problems,
        "warnings": report.warnings, "stats": None}
    try:
        with Recording(path) as rec:
            entry["stats"] = action_stats(rec.action_vectors(), rec.helper())
    except CsgoEnvError as exc:
        text = str(exc)
        said = any(text in p or p in text for p in report.problems)
        entry["stats_error"] = "the file cannot be read (see its problems)" if said else text
    return entry


def _format(entry: dict[str, Any]) -> str:
    tags = [f"{entry['family']} #{entry['number']}"] if entry["family"] else []
    if entry["synthetic"]:
        tags.append("synthetic")
    lines = [f"{entry['path']}" + (f"  [{', '.join(tags)}]" if tags else ""),
             f"  frames {entry['frames']}, {'valid' if entry['valid'] else 'INVALID'}"]
    lines += [f"  problem: {p}" for p in entry["problems"]]
    lines += [f"  warning: {w}" for w in entry["warnings"]]
    stats = entry["stats"]
    if stats is None:
        lines.append(f"  no statistics: {entry.get('stats_error', 'unreadable')}")
        return "\n".join(lines)
    rates = " ".join(f"{k} {100 * v:.1f}%" for k, v in stats["press_rate"].items())
    mx, my = stats["mouse_x"], stats["mouse_y"]
    lines += [f"  kills {stats['kills']}, deaths {stats['deaths']}"
              + (f", malformed actions {stats['malformed_actions']}"
                 if stats["malformed_actions"] else ""),
              f"  press rates: {rates}",
              f"  fire rate {100 * stats['fire_rate']:.1f}%",
              f"  mouse_x: still {100 * mx['still']:.1f}%, mean |dx| "
              f"{mx['mean_abs_counts']:.1f} counts, |dx| >= 100 {100 * mx['flicks_100_plus']:.1f}%,"
              f" bins {mx['histogram']}",
              f"  mouse_y: still {100 * my['still']:.1f}%, mean |dy| "
              f"{my['mean_abs_counts']:.1f} counts, bins {my['histogram']}"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Inspect every file; 0 if all are valid, 1 otherwise."""
    from csgo_env.errors import UsageError

    if args.expected_frames < 1:
        raise UsageError(f"--expected-frames must be >= 1, got {args.expected_frames}")
    files = find_recordings(args.paths)
    entries = []
    for path in files:
        entry = inspect_file(path, expected_frames=args.expected_frames, deep=not args.quick)
        entries.append(entry)
        if not args.json:
            print(_format(entry), flush=True)
    invalid = sum(not e["valid"] for e in entries)
    summary = {"files": len(entries), "valid": len(entries) - invalid, "invalid": invalid,
               "synthetic": sum(e["synthetic"] for e in entries)}
    if args.json:
        print(json.dumps({"files": entries, "summary": summary}, indent=1))
    else:
        print(f"summary: {summary['files']} files, {summary['valid']} valid, "
              f"{summary['invalid']} invalid, {summary['synthetic']} synthetic")
    return 1 if invalid else 0
