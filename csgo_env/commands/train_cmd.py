"""``csgo-env train --config FILE``: train a baseline (BC, CQL, IQL) from a config file.

The config is checked completely (keys, dataset ids, run folder, checkpoints) before
anything trains; ``--set section.key=value`` overrides any key (value parsed as YAML).
``--resume`` continues the run of ``train.out_dir`` from its ``last.pt``. Runs unchanged
under ``torchrun`` (one process per GPU, DDP). ``--algo d3rlpy:DiscreteCQL`` (or
``d3rlpy:DiscreteBC``) trains d3rlpy's algorithm on a joint-action vocabulary of the same
data instead (needs d3rlpy, kept in its own environment).
"""

from __future__ import annotations

import argparse

NAME = "train"
HELP = "train a BC / CQL / IQL baseline from baselines/<algo>/<dataset>.yaml"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="YAML config (see baselines/)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="KEY=VALUE", help="override a config key, e.g. "
                        "--set train.steps=1000 (repeatable)")
    parser.add_argument("--resume", action="store_true",
                        help="continue the run in train.out_dir from its last.pt")
    parser.add_argument("--out-dir", default=None, help="shorthand for --set train.out_dir=DIR")
    parser.add_argument("--algo", default=None,
                        help="d3rlpy:DiscreteCQL or d3rlpy:DiscreteBC to run d3rlpy's "
                        "algorithm on the same data (interop)")
    parser.add_argument("--vocab", type=int, default=1024,
                        help="with --algo d3rlpy:...: joint actions in the vocabulary")
    parser.add_argument("--max-episodes", type=int, default=20,
                        help="with --algo d3rlpy:...: train episodes exported (held in memory)")


def run(args: argparse.Namespace) -> int:
    from csgo_env.baselines.config import load_config

    overrides = list(args.overrides)
    if args.out_dir is not None:
        overrides.append(f"train.out_dir={args.out_dir}")
    if args.resume:
        overrides.append("train.resume=true")
    config = load_config(args.config, overrides)
    if args.algo is not None:
        from csgo_env.baselines.d3rlpy_interop import run_d3rlpy

        return run_d3rlpy(config, args.algo, args.vocab, args.max_episodes)
    from csgo_env.baselines.trainer import train

    result = train(config)
    label = " (SYNTHETIC data)" if result.synthetic else ""
    best = f", best val loss {result.best['loss']:.4g} at step {int(result.best['step'])}" \
        if result.best else ""
    print(f"trained {config.algo}{label}: steps {result.start_step}..{result.steps}{best}; "
          f"{result.samples_per_s:.0f} samples/s, {100 * result.data_wait_fraction:.0f}% "
          f"waiting for data; policy {result.policy}")
    return 0
