"""``csgo-env datasets``: the catalog of dataset ids and what is converted locally."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "datasets"
HELP = "list the benchmark's Minari dataset ids, their split rules, and what is present locally"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--out-dir`` and ``--rules``."""
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="Minari datasets root (default: $MINARI_DATASETS_PATH, else "
                             "~/.minari/datasets)")
    parser.add_argument("--rules", action="store_true", help="also print each split rule")


def run(args: argparse.Namespace) -> int:
    """Print one line per catalog id: expected files, size, local state."""
    from csgo_env.datasets.minari.catalog import CATALOG
    from csgo_env.datasets.minari.convert_state import local_state

    root, states = local_state(args.out_dir)
    print(f"Minari root: {root}")
    print(f"{'dataset id':34} {'files':>6} {'steps':>9} {'GB':>6}  local")
    for did, info in CATALOG.items():
        print(f"{did:34} {info.expected_files:6d} {info.expected_steps:9d} "
              f"{info.approx_size_gb:6.1f}  {states[did]}")
        if args.rules:
            print(f"    {info.split_rule}")
    return 0
