"""``csgo-env synthesize OUT_DIR``: write synthetic recordings in the public layout.

The files carry the family's public names and are marked synthetic (a ``SYNTHETIC`` file
and ``SYNTHETIC_README.txt`` beside them); they are for testing code, not for training.
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
    parser.add_argument("--family", default="dust2-expert", choices=sorted(FAMILIES),
                        help="file family whose names and map to use (default: dust2-expert)")
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
    paths = write_synthetic_recordings(args.out_dir, family=args.family, files=args.files,
                                    seed=args.seed, first_number=args.first_number,
                                    with_metadata=not args.no_metadata,
                                    num_frames=args.frames)
    for path in paths:
        print(path)
    print(f"wrote {len(paths)} synthetic recordings (marked in {SYNTHETIC_MARKER}); "
          "they are for testing code, not for training")
    return 0
