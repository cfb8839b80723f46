"""``csgo-env gsi-config``: write the game's GSI cfg so it POSTs its state to the env."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "gsi-config"
HELP = "write (or print) the game's Game State Integration cfg with a fresh token"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--game``, ``--cfg-dir``, ``--port``, ``--token``, ``--print``."""
    from csgo_env.game.profiles import PROFILES

    with_cfg = sorted(name for name, p in PROFILES.items() if p.cfg_subdir is not None)
    parser.add_argument("--game", choices=with_cfg, default="csgo",
                        help="which game's cfg folder to look for (default: csgo)")
    parser.add_argument("--cfg-dir", type=Path, default=None,
                        help="the game's cfg folder; default: found through Steam's libraries")
    parser.add_argument("--port", type=int, default=3000,
                        help="port of the environment's GSI receiver (default: 3000)")
    parser.add_argument("--token", default=None,
                        help="auth token the game sends (default: a fresh random one)")
    parser.add_argument("--print", dest="print_only", action="store_true",
                        help="print the cfg to stdout instead of writing it")


def _how_to_use(port: int, token: str, game: str) -> str:
    return (f"token: {token}\n"
            f"Restart the game: it reads the cfg only at launch.\n"
            f"Pass the same port and token to the environment, e.g.\n"
            f'  gymnasium.make("CSGO-Deathmatch-v0", game="{game}", gsi_port={port}, '
            f'gsi_token="{token}")\n'
            f"Safe practice: launch with -insecure and play offline against bots.")


def run(args: argparse.Namespace) -> int:
    """Write the cfg into every cfg folder found (or ``--cfg-dir``), or print it."""
    from csgo_env.game.gsi.cfg import (
        cfg_dir_not_found,
        find_cfg_dirs,
        new_token,
        render_gsi_config,
        write_gsi_config,
    )

    token = args.token if args.token is not None else new_token()
    if args.print_only:
        sys.stdout.write(render_gsi_config(port=args.port, token=token))
        print(f"\nSave it as gamestate_integration_csgo_env.cfg in the game's cfg folder.\n"
              f"{_how_to_use(args.port, token, args.game)}", file=sys.stderr)
        return 0
    render_gsi_config(port=args.port, token=token)  # validate before searching or writing
    if args.cfg_dir is not None:
        folders = [args.cfg_dir]
    else:
        folders = find_cfg_dirs(args.game)
        if not folders:
            raise cfg_dir_not_found(args.game)
    for folder in folders:
        path, _ = write_gsi_config(folder, port=args.port, token=token)
        print(f"wrote {path}")
    print(_how_to_use(args.port, token, args.game))
    return 0
