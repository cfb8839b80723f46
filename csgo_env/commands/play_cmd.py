"""``csgo-env play``: run an agent in the live game with a one-line status.

A thin front of the live runner's episode loop (:func:`csgo_env.evaluation.live_loop.
play_run`, the loop ``csgo-env evaluate --live`` runs), without records.

The status line (step rate, tick lateness, kills, deaths, return) is rewritten in place on
stderr. An episode that reaches ``max_episode_steps`` is reset and play goes on until
``--steps`` or ``--minutes`` is used up. Ctrl-C (or SIGTERM) stops cleanly: every key is
released and the game session closed before the command returns (status 130 on Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

NAME = "play"
HELP = "run an agent (random or an exported .pt2 policy) live with a one-line status"


def add_game_arguments(parser: argparse.ArgumentParser) -> None:
    """The game options ``play`` and ``evaluate --live`` share."""
    from csgo_env.game.launch import LAUNCHERS

    parser.add_argument("--game", choices=sorted(LAUNCHERS), default="csgo",
                        help="the running game to play (default: csgo), or 'replay' / "
                             "'arena': the stand-in game, started here (a private Xvfb "
                             "without DISPLAY)")
    parser.add_argument("--gsi-port", type=int, default=None,
                        help="port the GSI receiver listens on, the one in the game's cfg "
                             "(csgo-env gsi-config --port; default: 3000; replay: a free one)")
    parser.add_argument("--gsi-token", default=None,
                        help="auth token the game's POSTs must carry, as printed by csgo-env "
                             "gsi-config (default: any token; replay: a fresh one)")
    parser.add_argument("--offsets", type=Path, default=None, help="offsets file/folder")
    parser.add_argument("--terminate-on-death", action="store_true",
                        help="end the episode when the player dies (default: play on; "
                             "deathmatch respawns)")
    parser.add_argument("--recording", type=Path, action="append", default=None,
                        help="replay game: recording(s) to play (default: a generated sample)")
    parser.add_argument("--replay-input-log", type=Path, default=None,
                        help="replay and arena: where the stand-in logs the input it receives")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env play``."""
    parser.add_argument("--policy", required=True,
                        help="'random' or a torch.export .pt2 file (see csgo_env.policy)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, default=None, help="wall-clock minutes to play")
    budget.add_argument("--steps", type=int, default=None, help="steps to play")
    parser.add_argument("--seed", type=int, default=0, help="seed of the env and the policy")
    parser.add_argument("--sample", action="store_true",
                        help="sample actions from the policy's softmax (default: argmax)")
    parser.add_argument("--sampling", choices=("authors", "sample", "greedy"), default=None,
                        help="how actions are chosen from the logits (default: the policy "
                        "file's own mode; see csgo_env.policy)")
    add_game_arguments(parser)


def env_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    """``gym.make`` keyword arguments from the game options shared with ``evaluate``."""
    kwargs: dict[str, Any] = {"game": args.game, "terminate_on_death": args.terminate_on_death,
                              "offsets_path": args.offsets, "gsi_token": args.gsi_token}
    if args.gsi_port is not None:
        kwargs["gsi_port"] = args.gsi_port
    if args.recording:
        kwargs["replay_recordings"] = [str(p) for p in args.recording]
    if args.replay_input_log is not None:
        kwargs["replay_input_log"] = str(args.replay_input_log)
    return kwargs


def run(args: argparse.Namespace) -> int:
    """Play one run through the live runner's loop (:mod:`csgo_env.evaluation.live_loop`)."""
    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env id
    from csgo_env.evaluation.live_loop import Budget, play_run
    from csgo_env.evaluation.live_status import StatusLine
    from csgo_env.policy import load_policy

    budget = Budget(steps=args.steps, minutes=args.minutes)  # UsageError when <= 0
    policy = load_policy(args.policy, seed=args.seed, sample=args.sample,
                         sampling=args.sampling)
    env = gym.make("CSGO-Deathmatch-v0", **env_kwargs(args))
    status_line = StatusLine(sys.stderr)
    status = 0
    start = time.monotonic()
    try:
        play_run(env, policy, budget, seed=args.seed, on_step=status_line)
    except KeyboardInterrupt:
        status = 130
    finally:
        env.close()  # releases every key before anything else
        elapsed = time.monotonic() - start
        status_line.end()
        line = status_line
        print(f"played {line.steps} steps in {elapsed:.1f} s: kills {line.kills}, deaths "
              f"{line.deaths}, return {line.ret:+.2f}"
              f"{' (stopped by Ctrl-C; keys released)' if status else ''}")
    return status
