"""``csgo-env play``: run an agent in the live game with a one-line status.

The status line (step rate, tick lateness, kills, deaths, return) is rewritten in place on
stderr. An episode that reaches ``max_episode_steps`` is reset and play goes on until
``--steps`` or ``--minutes`` is used up. Ctrl-C (or SIGTERM) stops cleanly: every key is
released and the game session closed before the command returns (status 130 on Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

NAME = "play"
HELP = "run an agent (random or an exported .pt2 policy) live with a one-line status"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of ``csgo-env play``."""
    from csgo_env.game.launch import LAUNCHERS

    parser.add_argument("--policy", required=True,
                        help="'random' or a torch.export .pt2 file (see csgo_env.policy)")
    parser.add_argument("--game", choices=sorted(LAUNCHERS), default="csgo",
                        help="the running game to play (default: csgo), or 'replay': the "
                             "replay game, started here (a private Xvfb without DISPLAY)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, default=None, help="wall-clock minutes to play")
    budget.add_argument("--steps", type=int, default=None, help="steps to play")
    parser.add_argument("--seed", type=int, default=0, help="seed of the env and the policy")
    parser.add_argument("--sample", action="store_true",
                        help="sample actions from the policy's softmax (default: argmax)")
    parser.add_argument("--sampling", choices=("authors", "sample", "greedy"), default=None,
                        help="how actions are chosen from the logits (default: the policy "
                        "file's own mode; see csgo_env.policy)")
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
                        help="replay game: where it logs the input it receives")


def _status(steps: int, rate: float, late_ms: float, kills: int, deaths: int,
            ret: float) -> str:
    return (f"\rstep {steps:6d} | {rate:5.1f} steps/s | late p99 {late_ms:5.2f} ms | "
            f"kills {kills:3d} | deaths {deaths:3d} | return {ret:+8.2f}")


def run(args: argparse.Namespace) -> int:
    import gymnasium as gym
    import numpy as np

    import csgo_env  # noqa: F401 - registers the env id
    from csgo_env.errors import UsageError, explain
    from csgo_env.policy import load_policy

    if (args.steps is not None and args.steps <= 0) or (args.minutes is not None
                                                         and args.minutes <= 0):
        raise UsageError(explain("nothing to play", expected="--steps > 0 or --minutes > 0",
                                 got=f"steps={args.steps} minutes={args.minutes}"))
    policy = load_policy(args.policy, seed=args.seed, sample=args.sample,
                         sampling=args.sampling)
    kwargs: dict[str, Any] = {"game": args.game, "terminate_on_death": args.terminate_on_death,
                                 "offsets_path": args.offsets, "gsi_token": args.gsi_token}
    if args.gsi_port is not None:
        kwargs["gsi_port"] = args.gsi_port
    if args.recording:
        kwargs["replay_recordings"] = [str(p) for p in args.recording]
    if args.replay_input_log is not None:
        kwargs["replay_input_log"] = str(args.replay_input_log)
    env = gym.make("CSGO-Deathmatch-v0", **kwargs)
    end = None if args.minutes is None else time.monotonic() + 60.0 * args.minutes
    steps = kills = deaths = 0
    ret = 0.0
    late: deque[float] = deque(maxlen=160)
    stamps: deque[float] = deque(maxlen=17)
    status = 0
    start = time.monotonic()
    try:
        obs, _ = env.reset(seed=args.seed)
        policy.reset()
        while (args.steps is None or steps < args.steps) and (end is None
                                                              or time.monotonic() < end):
            obs, reward, terminated, truncated, info = env.step(policy.act(obs))
            steps += 1
            kills, deaths = kills + info["step_kills"], deaths + info["step_deaths"]
            ret += float(reward)
            late.append(info["tick_lateness_s"])
            stamps.append(time.monotonic())
            rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
            sys.stderr.write(_status(steps, rate, 1e3 * float(np.percentile(late, 99)),
                                     kills, deaths, ret))
            sys.stderr.flush()
            if terminated or truncated:
                obs, _ = env.reset()
                policy.reset()
    except KeyboardInterrupt:
        status = 130
    finally:
        env.close()  # releases every key before anything else
        elapsed = time.monotonic() - start
        sys.stderr.write("\n")
        print(f"played {steps} steps in {elapsed:.1f} s: kills {kills}, deaths {deaths}, "
              f"return {ret:+.2f}{' (stopped by Ctrl-C; keys released)' if status else ''}")
    return status
