"""``csgo-env evaluate --live``: seeded live runs of agents, one JSON-lines record per run.

Plays every ``--agent`` (and always the random policy) for ``--runs`` runs of ``--minutes``
(or ``--steps``) each in ``CSGO-Deathmatch-v0`` (``--game csgo|cs2|replay|arena``; any
registered live env with ``--env-id``), writing ``OUT/runs.jsonl``
(:mod:`csgo_env.evaluation.live_runner`). Run again with the same ``--out`` to finish an
interrupted evaluation: finished runs are kept, the rest (a crashed run included) played.
``csgo-env publish OUT/runs.jsonl [OTHER/runs.jsonl ...] --out DIR`` makes the tables, also
from several machines' files together.
"""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "evaluate"
HELP = ("evaluate agents live (--live): seeded runs with kills/deaths per minute, K/D, "
        "lifetimes, coverage; resumable JSON-lines records for `csgo-env publish`")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env evaluate``."""
    from csgo_env.commands.play_cmd import add_game_arguments

    parser.add_argument("--live", action="store_true", required=True,
                        help="run the agents in a live game (the offline metrics of a "
                             "checkpoint are csgo_env.evaluation.offline_eval)")
    parser.add_argument("--agent", action="append", default=[], metavar="SPEC",
                        help="'random', 'expert' (arena), 'scripted', a .pt2 file, or "
                             "NAME=A.pt2[,B.pt2] (run i plays file i mod n); repeatable; "
                             "random is always added")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="folder of runs.jsonl (existing finished runs are kept)")
    parser.add_argument("--runs", type=int, default=5, help="runs per agent (default: 5, the "
                                                            "protocol's minimum)")
    budget = parser.add_mutually_exclusive_group(required=True)
    budget.add_argument("--minutes", type=float, default=None,
                        help="minutes per run: wall-clock when paced, game minutes unpaced "
                             "(the protocol: 10)")
    budget.add_argument("--steps", type=int, default=None, help="steps per run")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seed of run 0 (run i: first + i; default: 0)")
    parser.add_argument("--unpaced", action="store_true",
                        help="arena only: each step waits for its frame, not the 16 Hz clock "
                             "(recorded; rates per game minute)")
    parser.add_argument("--opponents", type=int, default=None,
                        help="arena only: number of opponents (default: the arena's 3)")
    parser.add_argument("--env-id", default="CSGO-Deathmatch-v0",
                        help="the registered live env to play (default: %(default)s)")
    parser.add_argument("--setting", default=None,
                        help="name of the results column (default: env id, game, pacing)")
    parser.add_argument("--reference", default=None, metavar="DATASET_ID",
                        help="score coverage and outcomes against this converted dataset")
    parser.add_argument("--reference-root", default=None, help="its Minari root")
    parser.add_argument("--reference-metadata", type=Path, action="append", default=[],
                        help="currvarsv2 metadata files or folders (positions for coverage)")
    parser.add_argument("--sampling", choices=("authors", "sample", "greedy"), default=None,
                        help="how .pt2 policies choose actions (default: the file's mode)")
    add_game_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Run the evaluation; print one line per run and where the records are."""
    import dataclasses
    import sys

    from csgo_env.commands.play_cmd import env_kwargs
    from csgo_env.errors import UsageError, explain
    from csgo_env.evaluation.live_agents import parse_agent
    from csgo_env.evaluation.live_loop import Budget
    from csgo_env.evaluation.live_runner import LiveEvaluation, run_live
    from csgo_env.evaluation.live_status import StatusLine

    if args.runs < 1:
        raise UsageError(explain("--runs must be >= 1", got=str(args.runs)))
    budget = Budget(steps=args.steps, minutes=args.minutes)
    agents = [dataclasses.replace(parse_agent(a), sampling=args.sampling) for a in args.agent]
    kwargs = env_kwargs(args)
    if args.env_id != "CSGO-Deathmatch-v0":  # other envs start their own game: only what
        kwargs = {k: v for k, v in kwargs.items()  # was asked for, none of the CS:GO game's
                  if k not in ("game", "offsets_path", "gsi_token") and v not in (None, False)}
    if args.unpaced:
        kwargs["paced"] = False
    if args.opponents is not None:
        kwargs["replay_args"] = ("--opponents", str(args.opponents))
    reference = None
    if args.reference:
        from csgo_env.evaluation.live_reference import LiveReference

        reference = LiveReference.from_dataset(args.reference, args.reference_root,
                                               metadata=tuple(args.reference_metadata))
    evaluation = LiveEvaluation(agents=agents, out=args.out, budget=budget, runs=args.runs,
                                env_id=args.env_id, env_kwargs=kwargs,
                                first_seed=args.first_seed, setting=args.setting,
                                reference=reference)
    status = StatusLine(sys.stderr, every=16)

    def say(text: str) -> None:
        sys.stderr.write("\r\033[K")
        print(text, flush=True)

    records = run_live(evaluation, say=say, on_step=status)
    print(f"{len(records)} finished runs in {args.out / 'runs.jsonl'}; publish them with "
          f"`csgo-env publish {args.out / 'runs.jsonl'} --out DIR`")
    return 0
