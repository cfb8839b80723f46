"""``csgo-env record``: record own play or a spectated player into public-layout files.

Files go to ``--out`` as 1000-frame recordings named like the public family's
(``hdf5_dm_july2021_expert_{N}.hdf5`` for own play by default, ``hdf5_dm_july2021_{N}.hdf5``
when spectating) with one ``currvarsv2_..._{N}_to_{N}.npy`` metadata file each. The labels
come afterwards: ``csgo-env infer-actions``, then ``csgo-env quality``. The status line
(rate, lateness, kills, deaths, files, stale GSI / memory) is rewritten on stderr. Ctrl-C or
SIGTERM stops cleanly (the unfinished file is dropped, keys released, status 130).
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from typing import Any

NAME = "record"
HELP = "record own play or a spectated player at 16 Hz into public-layout files + metadata"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from csgo_env.datasets.pearce.families import FAMILIES
    from csgo_env.game.input.held import HELD_SOURCES
    from csgo_env.game.launch import LAUNCHERS
    from csgo_env.recording.recorder import MODES

    parser.add_argument("--game", choices=sorted(LAUNCHERS), default="csgo",
                        help="the game to record (csgo, cs2, openarena attach or start as "
                             "the env does; replay / arena: the stand-in game, synthetic)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the recordings")
    parser.add_argument("--mode", choices=MODES, default="own",
                        help="own: your (or --policy's) play; spectate: the player watched")
    parser.add_argument("--family", choices=sorted(FAMILIES), default=None,
                        help="file names of this public family (default: dust2-expert for "
                             "own play, dust2-scraped when spectating)")
    parser.add_argument("--first-number", type=int, default=None,
                        help="number of the first file (default: after the highest there)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--files", type=int, default=None, help="stop after N complete files")
    budget.add_argument("--minutes", type=float, default=None, help="stop after M minutes")
    parser.add_argument("--fps", type=float, default=16.0, help="ticks per second (16)")
    parser.add_argument("--policy", default=None,
                        help="own play driven by 'random' or a .pt2 policy (the only input "
                             "the recorder sends besides the spectator's target switch)")
    parser.add_argument("--seed", type=int, default=0, help="seed of --policy random")
    parser.add_argument("--keys", choices=HELD_SOURCES, default="auto",
                        help="own play: where the keys held are read (auto: what --policy "
                             "sends, else the keyboard: X server / GetAsyncKeyState)")
    parser.add_argument("--switch-every", type=int, default=200,
                        help="spectate: switch target every N ticks (the authors' 200)")
    parser.add_argument("--switch-key", default="1",
                        help="spectate: key that switches target ('1': top scorer)")
    parser.add_argument("--gsi-port", type=int, default=None,
                        help="port of the GSI receiver (default: the game's, 3000 for csgo/cs2)")
    parser.add_argument("--gsi-token", default=None,
                        help="the auth token of your GSI cfg (default: accept any)")
    parser.add_argument("--offsets", type=Path, default=None, help="offsets file/folder")
    parser.add_argument("--recording", type=Path, action="append", default=None,
                        help="replay game: recording(s) it plays (default: a generated sample)")
    parser.add_argument("--replay-start-frame", type=int, default=0,
                        help="replay game: the recording frame it starts from")
    parser.add_argument("--replay-input-log", type=Path, default=None,
                        help="replay game: where it logs the input it receives")
    parser.add_argument("--world-seed", type=int, default=None,
                        help="arena: the seed its world is built from")
    parser.add_argument("--unpaced", action="store_true",
                        help="arena only: as fast as it runs, not at --fps (for tests)")
    parser.add_argument("--no-fsync", action="store_true",
                        help="do not fsync finished files (faster, less safe on power loss)")
    parser.add_argument("--quiet", action="store_true", help="no status line")


def _session_kwargs(args: argparse.Namespace) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"game": args.game, "fps": args.fps,
                              "offsets_path": args.offsets, "gsi_token": args.gsi_token,
                              "replay_start_frame": args.replay_start_frame,
                              "paced": not args.unpaced}
    if args.gsi_port is not None:
        kwargs["gsi_port"] = args.gsi_port
    if args.recording:
        kwargs["replay_recordings"] = [str(p) for p in args.recording]
    if args.replay_input_log is not None:
        kwargs["replay_input_log"] = str(args.replay_input_log)
    return kwargs


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from csgo_env.errors import UsageError, explain
    from csgo_env.game.doctor.runner import SAFETY_ADVICE
    from csgo_env.game.session_config import validate_session_config
    from csgo_env.recording.recorder import Recorder, RecordOptions, RecordStatus

    if (args.files is not None and args.files <= 0) or (args.minutes is not None
                                                         and args.minutes <= 0):
        raise UsageError(explain("nothing to record", expected="--files > 0 or --minutes > 0",
                                 got=f"files={args.files} minutes={args.minutes}"))
    config = validate_session_config(**_session_kwargs(args))
    options = RecordOptions(out_dir=args.out, mode=args.mode, family=args.family,
                            first_number=args.first_number, files=args.files,
                            seconds=None if args.minutes is None else 60.0 * args.minutes,
                            keys=args.keys, switch_every=args.switch_every,
                            switch_key=args.switch_key, durable=not args.no_fsync,
                            world_seed=args.world_seed)
    policy = None
    if args.policy is not None:
        from csgo_env.policy import load_policy

        policy = load_policy(args.policy, seed=args.seed)
    recorder = Recorder(config, options, policy=policy)
    if recorder.session.profile.steam_app_id is not None:  # a real game: read-only, offline
        print(SAFETY_ADVICE, file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _interrupt)

    def show(status: RecordStatus) -> None:
        if not args.quiet and status.ticks % 4 == 0:
            sys.stderr.write("\r" + status.line() + "\x1b[K")
            sys.stderr.flush()

    status = 0
    try:
        summary = recorder.run(on_tick=show)
    except KeyboardInterrupt:
        status = 130
        summary = None
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not args.quiet:
            sys.stderr.write("\n")
    summary = summary or recorder.last_summary
    for target in summary.written:
        print(f"wrote {target.recording} + {target.metadata.name}")
    for error in summary.errors:
        print(f"error: {error}", file=sys.stderr)
    clock = summary.clock
    late = f", lateness p99 {1e3 * clock.p99_lateness_s:.2f} ms" if clock else ""
    print(f"recorded {summary.ticks} ticks in {len(summary.written)} files{late}; kills "
          f"{summary.kills}, deaths {summary.deaths}"
          + (f"; dropped the unfinished file ({summary.dropped_frames} frames)"
             if summary.dropped_frames else "")
          + (" (stopped; keys released)" if status else ""))
    if summary.written:
        print(f"next: csgo-env infer-actions {args.out} --in-place && csgo-env quality "
              f"{args.out}")
    return status or (1 if summary.errors else 0)
