"""Write the game's Game State Integration cfg: ``gamestate_integration_<name>.cfg``.

The game reads every ``gamestate_integration_*.cfg`` in its cfg folder once, at launch
(CS:GO ``.../Counter-Strike Global Offensive/csgo/cfg``, CS2 ``.../game/csgo/cfg``), and
from then on POSTs JSON to ``uri`` with the ``auth`` block copied into every payload.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

from csgo_env._atomic import atomic_write_text
from csgo_env.errors import GSIConfigError, explain
from csgo_env.game.gsi.steam_paths import (
    KeyValues,
    all_library_folders,
    candidate_steam_roots,
    format_keyvalues,
    parse_keyvalues,
)
from csgo_env.game.profiles import GameProfile, get_profile

DATA_SECTIONS: tuple[str, ...] = ("provider", "map", "round", "player_id", "player_state",
                                  "player_weapons", "player_match_stats")
"""The payload sections the environment needs (reward, alive state, weapon, map phase)."""

DEFAULT_GSI_PORT = 3000
"""Port of the cfg that ``csgo-env gsi-config`` writes, and the receiver's default."""
_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_TOKEN = re.compile(r"[A-Za-z0-9_\-.~+/=]{1,256}")


def new_token() -> str:
    """A fresh random token: 32 lowercase hex characters (128 bits)."""
    return secrets.token_hex(16)


def cfg_filename(name: str = "csgo_env") -> str:
    """``gamestate_integration_<name>.cfg``."""
    return f"gamestate_integration_{name}.cfg"


def _check(port: int, token: str, name: str, host: str) -> None:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise GSIConfigError(explain("invalid GSI port", expected="an integer 1..65535",
                                     got=repr(port), fix="pass e.g. --port 3000"))
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise GSIConfigError(explain(
            "invalid GSI token", expected="1-256 characters from A-Z a-z 0-9 _ - . ~ + / =",
            got=repr(token), fix="leave the token out to get a fresh random one"))
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise GSIConfigError(explain("invalid GSI cfg name",
                                     expected="1-64 characters from A-Z a-z 0-9 _",
                                     got=repr(name)))
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.\-]{1,253}", host):
        raise GSIConfigError(explain("invalid GSI host", expected="a host name or IPv4 address",
                                     got=repr(host), fix="use the default 127.0.0.1"))


def render_gsi_config(*, port: int = DEFAULT_GSI_PORT, token: str, name: str = "csgo_env",
                      host: str = "127.0.0.1", timeout: float = 5.0, buffer: float = 0.0,
                      throttle: float = 0.0, heartbeat: float = 10.0,
                      data: Sequence[str] = DATA_SECTIONS) -> str:
    """The cfg text. ``timeout``/``buffer``/``throttle``/``heartbeat`` are in seconds."""
    _check(port, token, name, host)
    block: KeyValues = {
        "uri": f"http://{host}:{port}/",
        "timeout": f"{timeout:.1f}",
        "buffer": f"{buffer:.1f}",
        "throttle": f"{throttle:.1f}",
        "heartbeat": f"{heartbeat:.1f}",
        "auth": {"token": token},
        "data": {section: "1" for section in data},
    }
    header = ("// Game State Integration for csgo_env: the game POSTs its state to the\n"
              "// environment's local receiver. Read once at game launch.\n")
    return header + format_keyvalues({name: block})


def read_gsi_config(path: str | os.PathLike[str]) -> KeyValues:
    """The settings block of a GSI cfg (``uri``, ``auth``, ``data``, ...) as nested dicts."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GSIConfigError(explain(f"cannot read GSI cfg {path}", got=str(exc))) from exc
    data = parse_keyvalues(text)
    blocks = [v for v in data.values() if isinstance(v, dict)]
    if len(blocks) != 1:
        raise GSIConfigError(explain(f"GSI cfg {path} is not one named block",
                                     expected='"name" { "uri" ... }',
                                     got=f"{len(blocks)} blocks"))
    return blocks[0]


def write_gsi_config(cfg_dir: str | os.PathLike[str], *, port: int = DEFAULT_GSI_PORT,
                     token: str | None = None, name: str = "csgo_env",
                     host: str = "127.0.0.1") -> tuple[Path, str]:
    """Write ``<cfg_dir>/gamestate_integration_<name>.cfg`` atomically; return (path, token).

    ``token=None`` draws a fresh one. ``cfg_dir`` must exist (it is the game's own cfg
    folder); an existing file of the same name is replaced whole, never half-written.
    """
    token = new_token() if token is None else token
    text = render_gsi_config(port=port, token=token, name=name, host=host)
    folder = Path(cfg_dir)
    if not folder.is_dir():
        raise GSIConfigError(explain(
            "GSI cfg folder does not exist", expected="the game's cfg folder",
            got=str(folder), fix="launch the game once so it creates the folder, or pass "
                                 "the right folder with --cfg-dir"))
    target = folder / cfg_filename(name)
    try:
        atomic_write_text(target, text)
    except OSError as exc:
        raise GSIConfigError(explain(f"cannot write {target}", got=str(exc),
                                     fix="check the folder's permissions")) from exc
    return target, token


def find_cfg_dirs(profile: str | GameProfile) -> list[Path]:
    """Existing GSI cfg folders of ``profile`` across every Steam library on this machine."""
    profile = get_profile(profile)
    if profile.cfg_subdir is None:
        raise GSIConfigError(explain(
            f"game {profile.name!r} has no GSI cfg folder", expected="csgo or cs2",
            got=profile.name, fix="the replay game needs no cfg"))
    found = []
    for lib in all_library_folders():
        cfg = lib / profile.cfg_subdir
        if cfg.is_dir():
            found.append(cfg)
    return found


def cfg_dir_not_found(profile: str | GameProfile) -> GSIConfigError:
    """The error for "no cfg folder found": names every place that was searched."""
    profile = get_profile(profile)
    roots = ", ".join(str(p) for p in candidate_steam_roots()) or "(none)"
    return GSIConfigError(explain(
        f"no {profile.display_name} cfg folder found",
        expected=f"<Steam library>/{profile.cfg_subdir}",
        got=f"nothing under the Steam roots {roots} or their libraryfolders.vdf",
        fix="install and launch the game once, or pass its cfg folder with --cfg-dir"))
