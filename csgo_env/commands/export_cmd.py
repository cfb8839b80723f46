"""``csgo-env export-policy CHECKPOINT --out FILE.pt2``: a checkpoint as a playable policy.

The file runs with ``csgo-env play --policy FILE.pt2`` and ``csgo_env.policy``;
it keeps its frame stack and recurrent state across steps (see
:mod:`csgo_env.baselines.export`).
"""

from __future__ import annotations

import argparse

NAME = "export-policy"
HELP = "turn a training checkpoint into a policy file for csgo-env play"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("checkpoint", help="last.pt or best.pt of a run folder")
    parser.add_argument("--out", required=True, help="the policy file to write (.pt2)")
    parser.add_argument("--sampling", choices=("authors", "sample", "greedy"),
                        default="authors", help="the file's default sampling mode")


def run(args: argparse.Namespace) -> int:
    from csgo_env.baselines.export import export_policy

    path = export_policy(args.checkpoint, args.out, sampling=args.sampling)
    print(f"wrote {path}")
    return 0
