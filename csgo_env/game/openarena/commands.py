"""Command lines and config files of the OpenArena server and client for one match.

The engine joins its arguments into one command line of at most 1023 characters (longer
ones are cut short, silently) and loses empty or quoted values, so only what the engine
needs before it reads any file goes on the command line (the file system, the protocol,
the network and dedicated mode of the server); everything else goes in config files
written into the run's fresh home folder: the client's ``autoexec.cfg`` (run at start-up,
before the renderer, the sound and the network open: video mode, input, key bindings) and
the server's config, run with ``+exec`` (gameplay, then the map). Saved settings never leak
between runs: every run has its own ``fs_homepath``. Extra ``+set`` tokens given by the
user go on the command line, where they override the config files.

The action keys are bound to OpenArena's commands (:data:`KEY_BINDS`); ``r`` (reload: the
game's weapons have no magazines) and ``n`` (clear decals) are left unbound, so pressing
them does nothing (:data:`NO_OP_KEYS`). The mouse is set up as in the recordings:
``sensitivity 2.5``, ``m_yaw``/``m_pitch`` 0.022 degrees per count, no acceleration or
filtering, so a mouse bin turns the view by the same angle as in Counter-Strike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from csgo_env.actions import M_YAW_DEG, SENSITIVITY
from csgo_env.errors import ArgumentError, explain
from csgo_env.game.openarena.install import GAME_DIR, OpenArenaInstall

PROTOCOL = 71
"""The network protocol of OpenArena 0.8.8 (``com_protocol``/``com_legacyprotocol``)."""

KEY_BINDS: Mapping[str, str] = MappingProxyType({
    "w": "+forward", "a": "+moveleft", "s": "+back", "d": "+moveright",
    "SPACE": "+moveup", "CTRL": "+movedown", "SHIFT": "+speed",
    "1": "weapon 3; weapon 4; weapon 8; weapon 6; weapon 5; weapon 7",
    "2": "weapon 2", "3": "weapon 1", "MOUSE1": "+attack", "MOUSE2": "+zoom",
})
"""OpenArena key name -> bound command. Action ``w a s d`` move, ``space`` jumps, ``ctrl``
crouches, ``shift`` walks (``+speed`` with ``cl_run 1``); ``1`` (primary) selects the best
held of shotgun, grenade launcher, plasma gun, lightning gun, rocket launcher, railgun (a
``weapon N`` the player lacks is ignored, so the last held one wins); ``2`` (pistol) the
machine gun; ``3`` (knife) the gauntlet; fire is ``+attack``, scope is ``+zoom``."""

NO_OP_KEYS: tuple[str, ...] = ("r", "n")
"""Action keys OpenArena has no use for: left unbound, pressing them does nothing."""

BOT_NAMES: tuple[str, ...] = (
    "Sarge", "Grism", "Gargoyle", "Kyonshi", "Major", "Merman", "Sergei", "Penguin",
    "Angelyss", "Arachna", "Neko", "Skelebot", "Sorceress", "Tony", "Grunt", "Jenna")
"""Bots added in this order (names from the game's ``scripts/bots.txt``)."""

FAST_RENDERING: tuple[str, ...] = (
    "set r_picmip 3", "set r_textureMode GL_NEAREST", "set r_detailtextures 0",
    "set r_dynamiclight 0", "set r_flares 0", "set r_fastsky 1", "set cg_shadows 0",
    "set cg_marks 0", "set cg_simpleItems 1")
"""Cheaper software rendering (Mesa llvmpipe): low-resolution textures, nearest filtering,
no dynamic lights, flares, sky, shadows or marks, flat items. Measured here at 1024x768 on
a loaded 2-core machine: 33 frames per second instead of 15. The 280x150 observation
hardly shows the difference; ``openarena_client_args`` can set them back."""

SERVER_CFG = "csgo_env_server.cfg"
CLIENT_CFG = "autoexec.cfg"
GAME_LOG = "games.log"
COMMAND_LINE_LIMIT = 1023
"""The engine's command-line buffer (``MAX_STRING_CHARS`` - 1)."""


@dataclass(frozen=True)
class MatchSettings:
    """One local match: the map, the bots, the ports, the client's window and name.

    ``port``/``client_port``: UDP ports on 127.0.0.1. ``bot_skill`` 1 (easiest) .. 5.
    ``max_fps``: the client's frame cap (``com_maxfps``). ``name``: the own player's
    name (unique per run). ``server_args``/``client_args``: extra command-line tokens.
    """

    map_name: str
    bots: int
    bot_skill: float
    port: int
    client_port: int
    max_fps: int
    window_size: tuple[int, int]
    name: str
    server_args: Sequence[str] = ()
    client_args: Sequence[str] = ()


def _engine_args(install: OpenArenaInstall, home: Path) -> list[str]:
    return ["+set", "com_basegame", GAME_DIR, "+set", "fs_basepath", str(install.basepath),
            "+set", "fs_homepath", str(home), "+set", "com_protocol", str(PROTOCOL),
            "+set", "com_legacyprotocol", str(PROTOCOL)]


def check_length(argv: Sequence[str]) -> list[str]:
    """``argv`` as a list, or :class:`ArgumentError` when the engine would cut it short."""
    length = len(" ".join(argv[1:]))
    if length > COMMAND_LINE_LIMIT:
        raise ArgumentError(explain(
            "the OpenArena command line is too long", expected=f"at most "
            f"{COMMAND_LINE_LIMIT} characters (the engine cuts the rest off)",
            got=f"{length} characters", fix="pass fewer openarena_*_args, or a shorter "
            "TMPDIR (the run's folder is in it)"))
    return list(argv)


def server_cfg(settings: MatchSettings) -> str:
    """The server's config: free-for-all with no frag or time limit, the game log on, fast
    respawn, no masters, then the map."""
    lines = [
        'set sv_master1 ""', 'set sv_master2 ""', 'set sv_master3 ""',
        "set sv_hostname csgo_env", "set sv_pure 0", "set sv_maxclients 16",
        "set g_gametype 0", "set fraglimit 0", "set timelimit 0", "set g_doWarmup 0",
        f"set g_log {GAME_LOG}", "set g_logsync 1", "set g_forcerespawn 1",
        "set g_inactivity 0", "set g_allowVote 0", "set bot_nochat 1", "set bot_minplayers 0",
        f"map {settings.map_name}",
    ]
    return "\n".join(lines) + "\n"


def bot_commands(settings: MatchSettings) -> list[str]:
    """Server console lines that add the bots (run once the map is up)."""
    skill = f"{settings.bot_skill:g}"
    return [f"addbot {BOT_NAMES[i % len(BOT_NAMES)]} {skill}" for i in range(settings.bots)]


def client_cfg(settings: MatchSettings) -> str:
    """The client's ``autoexec.cfg``: the loopback network, a window of ``window_size``
    (software OpenGL works, :data:`FAST_RENDERING`), no sound, the native game modules
    (their memory is read for the pose), only our bindings, the recordings' mouse, the
    frame cap."""
    width, height = settings.window_size
    lines = [
        "set net_enabled 1", "set net_ip 127.0.0.1", f"set net_port {settings.client_port}",
        "set vm_cgame 0", "set vm_ui 0", "set s_initsound 0", "set r_fullscreen 0",
        "set r_mode -1", f"set r_customwidth {width}", f"set r_customheight {height}",
        "set cl_renderer opengl1", "set in_mouse 1", "set in_nograb 0",
        "set com_introplayed 1", "set cl_motd 0", "set cl_allowDownload 0",
        *FAST_RENDERING, "unbindall",
    ]
    lines += [f'bind {key} "{command}"' for key, command in KEY_BINDS.items()]
    lines += [
        f"set sensitivity {SENSITIVITY:g}", f"set m_yaw {M_YAW_DEG:g}",
        f"set m_pitch {M_YAW_DEG:g}", "set cl_mouseAccel 0", "set m_filter 0",
        "set cl_freelook 1", "set cl_run 1", "set con_autochat 0",
        f"set com_maxfps {settings.max_fps}", "set cg_drawFPS 0",
    ]
    return "\n".join(lines) + "\n"


def server_argv(install: OpenArenaInstall, settings: MatchSettings, home: Path) -> list[str]:
    """The dedicated server's command line (its config file is :func:`server_cfg`)."""
    return check_length([
        str(install.server), *_engine_args(install, home), "+set", "dedicated", "1",
        "+set", "net_enabled", "1", "+set", "net_ip", "127.0.0.1",
        "+set", "net_port", str(settings.port), "+set", "vm_game", "0",
        *settings.server_args, "+exec", SERVER_CFG])


def client_argv(install: OpenArenaInstall, settings: MatchSettings, home: Path) -> list[str]:
    """The client's command line: its home, its name, the user's extras, then connect (the
    rest is in :func:`client_cfg`)."""
    return check_length([
        str(install.client), *_engine_args(install, home), "+set", "name", settings.name,
        *settings.client_args, "+connect", f"127.0.0.1:{settings.port}"])


def write_configs(settings: MatchSettings, server_home: Path, client_home: Path) -> None:
    """Write both config files into the game folder of each home."""
    for home, name, text in ((server_home, SERVER_CFG, server_cfg(settings)),
                             (client_home, CLIENT_CFG, client_cfg(settings))):
        folder = home / GAME_DIR
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
