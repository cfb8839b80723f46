"""``csgo-env publish RESULTS... --out evaluation/results/NAME``: tables, JSON and figures."""

from __future__ import annotations

import argparse

NAME = "publish"
HELP = ("turn run result records (JSON) into Markdown, LaTeX and CSV tables, raw per-seed "
        "JSON and rliable figures; refuses runs that must not be combined")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env publish``."""
    from csgo_env.evaluation.aggregates import DEFAULT_REPS

    parser.add_argument("results", nargs="+", metavar="RESULTS",
                        help="run record files (*.json) or folders searched recursively")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="output folder, e.g. evaluation/results/NAME")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of NumPy's global generator before each rliable call "
                             "(default: 0; recorded in results.json)")
    parser.add_argument("--reps", type=int, default=DEFAULT_REPS,
                        help=f"bootstrap replications (default: {DEFAULT_REPS}, rliable's)")
    parser.add_argument("--metrics", default=None, metavar="A,B",
                        help="metrics for the text tables and aggregates (default: every "
                             "metric without a '/' in its name)")
    parser.add_argument("--title", default=None, help="title of the tables (default: the "
                                                      "output folder's name)")
    parser.add_argument("--force", action="store_true", help="replace an existing --out")


def run(args: argparse.Namespace) -> int:
    """Publish; print the files written. Refusals exit with status 2 and the reasons."""
    from csgo_env.errors import ResultsRefused, explain
    from csgo_env.evaluation.publish import publish

    if args.reps < 100:
        raise ResultsRefused(explain("--reps is too small for a 95% interval",
                                     expected=">= 100", got=str(args.reps)))
    metrics = [m.strip() for m in args.metrics.split(",") if m.strip()] if args.metrics \
        else None
    summary = publish(args.results, args.out, seed=args.seed, reps=args.reps, metrics=metrics,
                      force=args.force, title=args.title)
    for name in summary["files"]:
        print(f"{summary['out']}/{name}")
    label = " (SYNTHETIC DATA, not results)" if summary["synthetic"] else ""
    print(f"published {summary['runs']} runs in {summary['rows']} rows{label}")
    return 0
