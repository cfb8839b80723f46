"""The ``csgo-env`` command: a dispatcher over :mod:`csgo_env.commands`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from csgo_env import __version__
from csgo_env.errors import CsgoEnvError

COMMAND_MODULES: tuple[str, ...] = (
    "benchmark_cmd",
    "demo_cmd",
    "inspect_cmd",
    "synthesize_cmd",
    "gsi_config_cmd",
    "convert_cmd",
    "datasets_cmd",
    "doctor_cmd",
    "play_cmd",
    "evaluate_cmd",
    "publish_cmd",
    "infer_actions_cmd",
    "quality_cmd",
    "view_cmd",
    "train_cmd",
    "export_cmd",
    "record_cmd",
)
"""Modules of :mod:`csgo_env.commands`, in the order ``--help`` lists them. A module's
``HIDDEN_ALIASES`` (old command names) keep working but are not listed."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="csgo-env",
        description="Counter-Strike as a Gymnasium environment and an offline-RL benchmark.")
    parser.add_argument("--version", action="version", version=f"csgo-env {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True,
                                help="one of the commands below; `csgo-env COMMAND --help` "
                                     "lists its options")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"csgo_env.commands.{name}")
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
        for alias in getattr(module, "HIDDEN_ALIASES", ()):  # old names: work, not listed
            old = sub.add_parser(alias, description=f"{module.HELP} (old name of "
                                                    f"`csgo-env {module.NAME}`)")
            module.add_arguments(old)
            old.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 partial failure, 2 error)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args))
    except CsgoEnvError as exc:
        print(f"csgo-env {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"csgo-env {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `csgo-env inspect --json DIR | head`: the reader left
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes at exit
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
