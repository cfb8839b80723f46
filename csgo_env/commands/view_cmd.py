"""``csgo-env view PATH --out FILE``: look at a recording with its actions drawn over it.

One recording: frames ``--frames A:B`` (default all) with keys, clicks, the mouse arrow
and kill/death marks (:mod:`csgo_env.datasets.view.overlay`), written as PNG contact
sheets, a GIF or an MP4 by the suffix of FILE. ``--stats`` instead: PATH... recordings
or folders, FILE a folder receiving action histograms, weapon use and trajectories
(:mod:`csgo_env.datasets.view.figures`; weapons and positions need the metadata beside
the recordings or given with ``--metadata``). Needs ``pip install "csgo-env[viz]"``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

NAME = "view"
HELP = "draw a recording's actions over its frames (PNG/GIF/MP4), or dataset figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env view``."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a recording (several, or folders, with --stats)")
    parser.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="output .png / .gif / .mp4 (a folder with --stats)")
    parser.add_argument("--frames", default=None, metavar="A:B",
                        help="frame range, half-open, as a Python slice (default: all)")
    parser.add_argument("--scale", type=int, default=2, help="screenshot zoom (default 2)")
    parser.add_argument("--columns", type=int, default=10,
                        help="frames per row of a PNG sheet (default 10)")
    parser.add_argument("--rows", type=int, default=10,
                        help="rows per PNG sheet (default 10; more frames make more sheets)")
    parser.add_argument("--stats", action="store_true",
                        help="write dataset statistics figures into the --out folder")
    parser.add_argument("--metadata", nargs="+", default=(), metavar="FILE",
                        help="metadata files for --stats (default: beside each recording)")


def render_recording(path: Path, out: Path, *, frames: str | None = None, scale: int = 2,
                     columns: int = 10, rows: int = 10) -> list[Path]:
    """Draw the actions of frames ``frames`` (``A:B``) of recording ``path`` into ``out``,
    chunk by chunk (memory stays at one chunk, except for GIF); returns the files written."""
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.synthetic.recordings import is_synthetic
    from csgo_env.datasets.view.output import (
        check_output,
        chunk_frames,
        parse_frames,
        write_frames,
    )
    from csgo_env.datasets.view.overlay import OverlayStyle, event_ages, overlay_frames

    check_output(out)
    style = OverlayStyle(scale=scale, label=path.name, synthetic=is_synthetic(path))
    with Recording(path) as rec:
        start, stop = parse_frames(frames, rec.num_frames)
        helper = rec.helper()
        actions = rec.actions(start, stop)
        kills, deaths = event_ages(helper[:, 0]), event_ages(helper[:, 1])

        def draw(lo: int, hi: int) -> Any:
            return overlay_frames(rec.frames(lo, hi), actions[lo - start:hi - start],
                                  kills[lo:hi], deaths[lo:hi], first_frame=lo, style=style)

        step = chunk_frames(out, columns, rows)
        chunks = (draw(lo, min(lo + step, stop)) for lo in range(start, stop, step))
        picks = np.linspace(start, stop - 1, min(16, stop - start)).astype(int)
        sample = np.concatenate([draw(int(f), int(f) + 1) for f in picks]) \
            if out.suffix.lower() == ".gif" else None
        return write_frames(out, chunks, total=stop - start, columns=columns, rows=rows,
                            sample=sample)


def _stats(paths: list[str], metadata: tuple[str, ...], out: Path) -> list[Path]:
    from csgo_env.commands.inspect_cmd import find_recordings
    from csgo_env.datasets.pearce.families import family_of
    from csgo_env.datasets.pearce.infer_batch import MetadataIndex
    from csgo_env.datasets.pearce.metadata_columns import columns_from_curr_vars
    from csgo_env.datasets.pearce.metadata_pairing import recording_number
    from csgo_env.datasets.pearce.reader import Recording
    from csgo_env.datasets.synthetic.recordings import is_synthetic
    from csgo_env.datasets.view.figures import RecordingStats, write_figures
    from csgo_env.errors import CsgoEnvError

    index = MetadataIndex(metadata)
    stats, synthetic = [], False
    for path in find_recordings(paths):
        with Recording(path) as rec:
            item = RecordingStats(path.name, rec.actions(), rec.helper())
            n = rec.num_frames
        fam = family_of(path)
        item.map_name = fam[0].map_name if fam else None
        try:
            meta = index.for_recording(path)
            c = columns_from_curr_vars(meta.curr_vars(recording_number(path)[1], n,
                                                      recording=path.name), source=path.name)
            item.positions, item.weapons = c.position[:, :2], c.weapon_name
        except CsgoEnvError as exc:
            print(f"{path.name}: no weapons or positions: {exc}")
        stats.append(item)
        synthetic = synthetic or is_synthetic(path)
    return write_figures(stats, out, synthetic=synthetic)


def run(args: argparse.Namespace) -> int:
    """Render and print the files written; 0 on success."""
    from csgo_env.errors import UsageError, explain

    for name in ("scale", "columns", "rows"):
        if getattr(args, name) < 1:
            raise UsageError(explain(f"--{name} must be >= 1", got=str(getattr(args, name))))
    written: list[Any]
    if args.stats:
        written = _stats(args.paths, tuple(args.metadata), args.out)
    else:
        if len(args.paths) != 1 or not Path(args.paths[0]).is_file():
            raise UsageError(explain("view draws one recording file",
                                       got=" ".join(args.paths),
                                       fix="give one .hdf5 file, or use --stats for several"))
        written = render_recording(Path(args.paths[0]), args.out, frames=args.frames,
                                   scale=args.scale, columns=args.columns, rows=args.rows)
    for path in written:
        print(path)
    return 0
