"""``csgo-env doctor``: check the live setup step by step and print the fix for each failure."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "doctor"
HELP = "check the game, window, GSI, offsets, mouse settings and loop timing; print fixes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags mirror :class:`csgo_env.game.doctor.runner.DoctorOptions`."""
    from csgo_env.game.launch import LAUNCHERS

    parser.add_argument("--game", choices=sorted(LAUNCHERS), default="csgo",
                        help="which game to check (default: csgo)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--gsi-port", type=int, default=None,
                        help="port to listen on for GSI (default: the installed cfg's, or 3000)")
    parser.add_argument("--gsi-token", default=None,
                        help="token the POSTs must carry (default: the installed cfg's)")
    parser.add_argument("--offsets", type=Path, default=None,
                        help="offsets file/folder to test (hazedumper csgo.json / cs2-dumper)")
    parser.add_argument("--gsi-timeout", type=float, default=12.0,
                        help="seconds to wait for a GSI POST (default 12; heartbeat is 10)")
    parser.add_argument("--turn-counts", type=int, default=100,
                        help="mouse counts of the test turn (default 100 = 5.5 deg)")
    parser.add_argument("--fps", type=float, default=16.0, help="rate of the timing loop")
    parser.add_argument("--loop-ticks", type=int, default=48,
                        help="ticks of the timing loop (default 48 = 3 s)")


def run(args: argparse.Namespace) -> int:
    """Exit status 0 when no check failed, 1 otherwise."""
    from csgo_env.game.doctor.runner import DoctorOptions, run_doctor

    report = run_doctor(DoctorOptions(
        game=args.game, gsi_port=args.gsi_port, gsi_token=args.gsi_token,
        offsets_path=args.offsets, gsi_timeout_s=args.gsi_timeout,
        turn_counts=args.turn_counts, fps=args.fps, loop_ticks=args.loop_ticks))
    print(report.to_json() if args.json else report.format())
    return 0 if report.ok else 1
