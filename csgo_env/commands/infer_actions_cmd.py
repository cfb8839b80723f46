"""``csgo-env infer-actions PATH...``: label recordings from their metadata.

Applies the dataset authors' rules (:mod:`csgo_env.datasets.pearce.infer_actions`) to each
recording's metadata and writes the recording again in the public layout, same frames,
with the inferred ``y``, ``xaux`` and ``helperarr``, plus its metadata with ``infer_a``
filled in. Files are written atomically. A recording whose metadata does not match (other
file numbers, another frame count) is reported by name and not written. Exit status 0
when every recording was written, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "infer-actions"
HELP = "infer the actions of recordings from their metadata (the dataset authors' rules)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env infer-actions``."""
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="recordings hdf5_{stub}{N}.hdf5, or folders searched for them")
    parser.add_argument("--metadata", nargs="+", default=(), metavar="FILE",
                        help="metadata files currvarsv2_*.npy (default: the one beside each "
                             "recording whose name covers its number)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", type=Path, metavar="DIR",
                       help="write the labelled recordings and metadata into DIR")
    where.add_argument("--in-place", action="store_true",
                       help="replace each recording's labels (and its metadata's infer_a)")
    parser.add_argument("--sensitivity", type=float, default=2.5,
                        help="in-game mouse sensitivity of the recordings (default 2.5)")


def run(args: argparse.Namespace) -> int:
    """Infer every recording; 0 if all were written, 1 otherwise."""
    from csgo_env.commands.inspect_cmd import find_recordings
    from csgo_env.datasets.pearce.infer_batch import FileOutcome, MetadataIndex, infer_files
    from csgo_env.datasets.pearce.infer_rules import InferenceSettings
    from csgo_env.errors import UsageError, explain

    if not args.sensitivity > 0:
        raise UsageError(explain("--sensitivity must be > 0", got=str(args.sensitivity)))
    recordings = find_recordings(args.paths)
    out_dir = None if args.in_place else args.out.resolve()
    if out_dir is not None:
        same = [r for r in recordings if r.parent.resolve() == out_dir]
        if same:
            raise UsageError(explain(
                f"--out {args.out} is the folder of {same[0].name}: that would overwrite it",
                fix="choose another folder, or pass --in-place to replace the labels"))
        out_dir.mkdir(parents=True, exist_ok=True)
    index = MetadataIndex(args.metadata)

    def report(o: FileOutcome) -> None:
        if o.error is not None:
            print(f"{o.recording}: NOT inferred: {o.error}", flush=True)
            return
        s = o.summary()
        keys = "keys logged (own play)" if s["logged"] else "keys from the velocity rules"
        print(f"{o.recording.name}: {s['frames']} frames, {s['skipped']} skipped "
              f"({s['dead']} dead), {keys} -> {o.output}", flush=True)

    outcomes = infer_files(recordings, index, out_dir=out_dir,
                           settings=InferenceSettings(sensitivity=args.sensitivity),
                           report=report)
    failed = sum(o.error is not None for o in outcomes)
    print(f"summary: {len(outcomes) - failed} of {len(outcomes)} recordings labelled"
          + (f", {failed} not (see above)" if failed else ""))
    return 1 if failed else 0
