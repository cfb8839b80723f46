"""Command line of the stand-in game process: ``python -m csgo_env.standin [options]``.

``--mode replay`` (the default) plays recordings back (:mod:`csgo_env.standin.game`);
``--mode arena`` plays the closed-loop arena (:mod:`csgo_env.standin.arena_game`, synthetic).

The process keeps the real stdout for its JSON replies (``ready``, ``shown``) and points
file descriptor 1 at stderr, so nothing a library prints can corrupt the reply channel.
Exit status: 0 after ``quit``/end of input/SIGTERM, 2 for bad options or a failed start
(the reason is on stderr and, as ``{"type": "error"}``, on the reply channel).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.game.profiles import ARENA, REPLAY
from csgo_env.observations import CROP, WINDOW_SIZE, size_text
from csgo_env.standin.game import ReplayOptions, run


def _pair(text: str, sep: str, n: int) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(sep))
    except ValueError:
        values = ()
    if len(values) != n:
        raise argparse.ArgumentTypeError(f"expected {n} integers separated by {sep!r}, "
                                         f"got {text!r}")
    return values


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m csgo_env.standin",
                                description="The replay game: a recording played back in a "
                                            "real window, standing in for Counter-Strike.")
    p.add_argument("--mode", choices=("replay", "arena"), default="replay",
                   help="replay: play recordings back; arena: the closed-loop arena "
                        "(synthetic)")
    p.add_argument("--recording", action="append", default=[], type=Path,
                   help="Pearce-layout .hdf5 file; repeat to play several back to back "
                        "(replay mode, required there)")
    p.add_argument("--seed", type=int, default=0, help="arena: seed of the first world")
    p.add_argument("--opponents", type=int, default=3, help="arena: number of opponents")
    p.add_argument("--input-log", required=True, type=Path,
                   help="JSON-lines log of every key/button/motion event received")
    p.add_argument("--title", default=None,
                   help=f"window title (default {REPLAY.window_titles[0]!r}; arena: "
                        f"{ARENA.window_titles[0]!r})")
    p.add_argument("--window-size", type=lambda s: _pair(s, "x", 2), default=WINDOW_SIZE,
                   help=f"client size WxH (default {size_text(WINDOW_SIZE)})")
    p.add_argument("--crop", type=lambda s: _pair(s, ",", 4), default=CROP,
                   help="crop box L,T,R,B the env captures (default "
                        f"{','.join(map(str, CROP))})")
    p.add_argument("--position", type=lambda s: _pair(s, ",", 2), default=(0, 0),
                   help="window position X,Y on the screen (default 0,0)")
    p.add_argument("--gsi-url", default=None, help="receiver URL, e.g. http://127.0.0.1:3000/ "
                                                   "(default: send no GSI)")
    p.add_argument("--token", default=None, help="auth token copied into every payload")
    p.add_argument("--offsets", type=Path, default=None,
                   help="hazedumper-shaped offsets file: lay the pose out in memory there")
    p.add_argument("--control", choices=("stdio", "free"), default="stdio",
                   help="stdio: advance on commands (the env); free: advance at --fps")
    p.add_argument("--fps", type=float, default=16.0,
                   help="frame rate in free mode; arena: its ticks per game second")
    p.add_argument("--sensitivity", type=float, default=SENSITIVITY,
                   help=f"in-game mouse sensitivity (degrees per count = {M_YAW_DEG:g} x this)")
    p.add_argument("--ignore-mouse", action="store_true",
                   help="the view does not follow the mouse (a misconfigured game)")
    p.add_argument("--start-frame", type=int, default=0, help="frame shown at start")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.mode == "replay" and not args.recording:
        parser.error("replay mode needs at least one --recording")
    if args.opponents < 0:
        parser.error(f"--opponents must be >= 0, got {args.opponents}")
    if args.title is None:
        args.title = (ARENA if args.mode == "arena" else REPLAY).window_titles[0]
    reply = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # stray prints go to stderr, never into the reply channel
    sys.stdout = sys.stderr
    try:
        if args.mode == "arena":
            return _run_arena(args, reply)
        return _run_replay(args, reply)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        print(f"stand-in game failed: {message}", file=sys.stderr)
        try:
            reply.write(json.dumps({"type": "error", "message": message}) + "\n")
            reply.flush()
        except OSError:
            pass
        return 2


def _run_arena(args: argparse.Namespace, reply: IO[str]) -> int:
    from csgo_env.standin.arena_control import run_arena
    from csgo_env.standin.arena_game import ArenaOptions

    options = ArenaOptions(
        input_log=args.input_log, title=args.title, window_size=tuple(args.window_size),
        crop=tuple(args.crop), position=tuple(args.position),
        gsi_url=args.gsi_url, token=args.token, offsets=args.offsets, control=args.control,
        fps=args.fps, sensitivity=args.sensitivity, mouse_to_view=not args.ignore_mouse,
        seed=args.seed, opponents=args.opponents)
    return run_arena(options, reply=reply)


def _run_replay(args: argparse.Namespace, reply: IO[str]) -> int:
    options = ReplayOptions(
        recordings=tuple(args.recording), input_log=args.input_log, title=args.title,
        window_size=tuple(args.window_size), crop=tuple(args.crop),
        position=tuple(args.position),
        gsi_url=args.gsi_url, token=args.token, offsets=args.offsets, control=args.control,
        fps=args.fps, sensitivity=args.sensitivity, mouse_to_view=not args.ignore_mouse,
        start_frame=args.start_frame)
    return run(options, reply=reply)
