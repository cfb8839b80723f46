"""``csgo-env synthesize OUT_DIR``: write synthetic recordings in the public layout.

The files carry the family's public names and are marked synthetic (a ``SYNTHETIC`` file
and ``SYNTHETIC_README.txt`` beside them). ``--source simulation`` (the default) writes
files for testing code, whose actions do not cause their frames; ``--source arena`` records
the arena's scripted expert in closed loop
(:mod:`csgo_env.datasets.synthetic.arena_recordings`): demonstrations an agent can learn
from and be evaluated on live in the arena, still synthetic.
"""

from __future__ import annotations

import argparse

NAME = "synthesize"
HIDDEN_ALIASES: tuple[str, ...] = ("sample",)
"""The command's name before 0.2; kept working for one release, not listed in --help."""
HELP = "write synthetic recordings (public layout and names, marked SYNTHETIC) for testing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env synthesize``."""
    from csgo_env.datasets.pearce.families import FAMILIES

    parser.add_argument("out_dir", metavar="OUT_DIR", help="folder to write into")
    parser.add_argument("--source", choices=("simulation", "arena"), default="simulation",
                        help="simulation: frames and actions for testing code (default); "
                             "arena: the arena's scripted expert in closed loop "
                             "(demonstrations, synthetic)")
    parser.add_argument("--family", default=None, choices=sorted(FAMILIES),
                        help="file family whose names (and map) to use (default: "
                             "dust2-expert; aim-expert with --source arena)")
    parser.add_argument("--files", type=int, default=2, metavar="N",
                        help="number of recordings (default: 2)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default: 0)")
    parser.add_argument("--first-number", type=int, default=1, metavar="N",
                        help="number of the first file (default: 1)")
    parser.add_argument("--frames", type=int, default=1000, metavar="N",
                        help="frames per recording (default: 1000, as the public files)")
    parser.add_argument("--no-metadata", action="store_true",
                        help="skip the currvarsv2 metadata file")


def run(args: argparse.Namespace) -> int:
    """Write the recordings and print their paths; 0 on success."""
    from csgo_env.datasets.synthetic.recordings import SYNTHETIC_MARKER, write_synthetic_recordings
    from csgo_env.errors import UsageError, explain

    for name in ("files", "first_number", "frames"):
        if getattr(args, name) < 1:
            raise UsageError(explain(f"--{name.replace('_', '-')} must be >= 1",
                                     got=str(getattr(args, name))))
    common = {"files": args.files, "seed": args.seed, "first_number": args.first_number,
              "with_metadata": not args.no_metadata, "num_frames": args.frames}
    if args.source == "arena":
        from csgo_env.datasets.synthetic.arena_recordings import write_arena_recordings

        paths = write_arena_recordings(args.out_dir, family=args.family or "aim-expert",
                                       **common)
        use = ("arena demonstrations of its scripted expert: train and evaluate in the "
               "arena, never report them as Counter-Strike results")
    else:
        paths = write_synthetic_recordings(args.out_dir, family=args.family or "dust2-expert",
                                           **common)
        use = "they are for testing code, not for training"
    for path in paths:
        print(path)
    print(f"wrote {len(paths)} synthetic recordings (marked in {SYNTHETIC_MARKER}); {use}")
    return 0
