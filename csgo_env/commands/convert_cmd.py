"""``csgo-env convert``: recordings (files, folders, .tar archives) -> Minari datasets."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "convert"
HELP = "convert recordings or the authors' .tar archives into the catalog's Minari datasets"


def _shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected k/N such as 3/8, got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"expected 1 <= k <= N, got {text!r}")
    return k, n


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Sources, ``--out-dir``, ``--dataset-id``, ``--workers``, ``--shard``, ``--merge``..."""
    parser.add_argument("sources", nargs="*", type=Path, metavar="SRC",
                        help="recording files, folders (searched recursively) or .tar archives "
                             "(read as streams, never unpacked)")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="Minari datasets root (default: $MINARI_DATASETS_PATH, else "
                             "~/.minari/datasets)")
    parser.add_argument("--dataset-id", action="append", default=None, metavar="ID",
                        help="convert only recordings of this catalog id (repeatable), e.g. "
                             "csgo/dust2-expert-test-v0")
    parser.add_argument("--workers", type=int, default=os.cpu_count(),
                        help="worker processes (default: all cores, %(default)s here); each "
                             "holds about one episode (~0.4 GB) in memory")
    parser.add_argument("--shard", type=_shard, default=(1, 1), metavar="K/N",
                        help="convert only the K-th of N interleaved parts of the sorted "
                             "sources (files or whole archives); finish with --merge")
    parser.add_argument("--merge", action="store_true",
                        help="finish the datasets of a sharded conversion (all N shards done)")
    parser.add_argument("--force", action="store_true",
                        help="with --merge: finish whatever is staged even if shards are missing")
    parser.add_argument("--jpeg", action="store_true",
                        help="store frames as JPEG (Minari's lossy encoding, ~30x smaller); "
                             "recorded in the metadata. Default: lossless")
    parser.add_argument("--metadata", nargs="+", type=Path, default=None, metavar="FILE",
                        help="currvarsv2_*.npy files to take each episode's game state from "
                             "(default: the one beside each recording or archive)")
    parser.add_argument("--no-metadata", action="store_true",
                        help="do not look for metadata beside the recordings")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first recording that fails its checks")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """0: everything converted; 1: some recordings were skipped (listed); 2: error."""
    from csgo_env.datasets.minari.export import convert, merge

    if args.merge:
        done = merge(args.out_dir, force=args.force)
        for did, n in sorted(done.items()):
            print(f"dataset {did}: {n} episodes")
        return 0
    if not args.sources:
        print("csgo-env convert: error: give at least one SRC (or --merge)", file=sys.stderr)
        return 2
    if args.workers is None or args.workers < 1:
        print(f"csgo-env convert: error: --workers must be >= 1, got {args.workers}",
              file=sys.stderr)
        return 2
    report = convert(args.sources, out_dir=args.out_dir, dataset_ids=args.dataset_id,
                     workers=args.workers, shard=args.shard, jpeg=args.jpeg,
                     strict=args.strict, progress=not args.quiet, metadata=args.metadata,
                     find_metadata=not args.no_metadata)
    print(report.summary())
    if report.stopped_early:
        print("stopped at the first failure (--strict); rerun to resume", file=sys.stderr)
    elif args.shard != (1, 1):
        print(f"shard {args.shard[0]}/{args.shard[1]} done; when all shards are done run "
              f"`csgo-env convert --merge`", file=sys.stderr)
    return 0 if report.ok else 1
