"""``csgo-env benchmark``: the whole benchmark in one command, resumable stage by stage.

``--quick`` runs it on the embedded default, the stand-in game's arena (SYNTHETIC): records
demonstrations of the arena's scripted expert, converts them to Minari datasets, trains BC,
CQL and IQL with 3 seeds each (``baselines/quick/``), scores every policy offline on the
test split, evaluates every agent, the random policy and the scripted expert live in the
arena (unpaced, recorded as such), scores coverage and outcomes against the
demonstrations, and publishes tables, aggregates and figures under one results folder
(default ``<data home>/benchmark/quick``), ending with a summary of where everything is.
``--config FILE`` runs the real benchmark (``baselines/benchmark.yaml``: real datasets, a
real game, the protocol's run counts). Run the same command again to resume: a stage whose
outputs exist is kept (:mod:`csgo_env.benchmark.pipeline`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "benchmark"
HELP = ("the whole benchmark: --quick on the synthetic arena (minutes on a CPU), or "
        "--config baselines/benchmark.yaml (real data and game); resumable")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env benchmark``."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--quick", action="store_true",
                       help="the arena benchmark: demonstrations -> Minari -> BC/CQL/IQL x 3 "
                            "seeds -> offline and live evaluation -> tables (SYNTHETIC)")
    which.add_argument("--config", type=Path, default=None, metavar="FILE",
                       help="the real benchmark's settings (see baselines/benchmark.yaml)")
    parser.add_argument("--tiny", action="store_true",
                        help="with --quick: a seconds-long smoke run of the same stages "
                             "(its numbers mean nothing)")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="results folder (default: <data home>/benchmark/<name>); an "
                             "existing one is resumed")


def run(args: argparse.Namespace) -> int:
    """Run the benchmark; 0 when every stage finished."""
    import time

    from csgo_env.benchmark.pipeline import run_benchmark
    from csgo_env.benchmark.plan import quick_plan, tiny_plan
    from csgo_env.errors import UsageError, explain

    if args.tiny and not args.quick:
        raise UsageError(explain("--tiny goes with --quick", fix="csgo-env benchmark --quick "
                                                                 "--tiny"))
    if args.quick:
        plan = (tiny_plan if args.tiny else quick_plan)(args.out)
    else:
        from csgo_env.benchmark.config_file import load_plan

        plan = load_plan(args.config, args.out)
    start = time.perf_counter()
    label = " (SYNTHETIC: the stand-in game's arena)" if plan.synthetic else ""
    print(f"benchmark {plan.name}{label} -> {plan.out}", flush=True)
    summaries = run_benchmark(plan, say=lambda text: print(text, flush=True))
    print("", flush=True)
    for name, summary in summaries.items():
        how = "kept" if summary.get("kept") else "ran"
        print(f"  {name:8s} {how:4s} {summary.get('seconds', 0.0):7.1f} s", flush=True)
    print(f"benchmark {plan.name} finished in {time.perf_counter() - start:.0f} s; results in "
          f"{plan.out} (summary: {plan.out / 'summary.md'})", flush=True)
    return 0
