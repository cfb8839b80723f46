"""Game profiles: everything game-specific as data, so another game is one more profile.

A profile names the window titles, process and module names, GSI cfg folder, pointer size
and key codes of one game. Key codes are given for both injection backends: DirectInput
scan codes (Windows) and X11 keysym names (Linux). The ``replay`` and ``arena`` profiles
describe the stand-in game used in CI (``game="replay"``: a recording played back;
``game="arena"``: its closed-loop arena); ``openarena`` the OpenArena client (ioquake3
engine, Linux), the real game of the CI (its key bindings:
:mod:`csgo_env.game.openarena.commands`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from csgo_env.errors import UnknownGame, explain

DIRECTINPUT_SCAN_CODES: Mapping[str, int] = MappingProxyType({
    "w": 0x11, "a": 0x1E, "s": 0x1F, "d": 0x20, "space": 0x39, "ctrl": 0x1D, "shift": 0x2A,
    "1": 0x02, "2": 0x03, "3": 0x04, "r": 0x13, "n": 0x31, "console": 0x29,
})
"""Action key name -> DirectInput scan code (set 1), as the game reads them."""

X11_KEYSYMS: Mapping[str, str] = MappingProxyType({
    "w": "w", "a": "a", "s": "s", "d": "d", "space": "space", "ctrl": "Control_L",
    "shift": "Shift_L", "1": "1", "2": "2", "3": "3", "r": "r", "n": "n", "console": "grave",
})
"""Action key name -> X11 keysym name (as ``Xlib.XK.string_to_keysym`` takes it)."""


@dataclass(frozen=True)
class GameProfile:
    """Static facts about one game.

    ``process_names``, ``client_module``, ``engine_module`` and ``pointer_size`` are keyed
    by ``sys.platform`` (``"win32"`` or ``"linux"``). ``cfg_subdir`` is the GSI cfg folder
    relative to a Steam library root. Window titles are matched exactly, in order.
    """

    name: str
    display_name: str
    window_titles: tuple[str, ...]
    process_names: Mapping[str, tuple[str, ...]]
    client_module: Mapping[str, str]
    engine_module: Mapping[str, str]
    pointer_size: Mapping[str, int]
    cfg_subdir: str | None
    steam_app_id: int | None
    offsets_format: str | None
    """``"hazedumper"`` (CS:GO ``csgo.json``) or ``"cs2-dumper"`` (``offsets.json`` ...)."""
    launch_hint: str = ""
    scan_codes: Mapping[str, int] = field(default_factory=lambda: DIRECTINPUT_SCAN_CODES)
    keysyms: Mapping[str, str] = field(default_factory=lambda: X11_KEYSYMS)


CSGO = GameProfile(
    name="csgo",
    display_name="Counter-Strike: Global Offensive (csgo_legacy)",
    window_titles=("Counter-Strike: Global Offensive - Direct3D 9",
                   "Counter-Strike: Global Offensive"),
    process_names=MappingProxyType({"win32": ("csgo.exe",), "linux": ("csgo_linux64",)}),
    client_module=MappingProxyType({"win32": "client.dll", "linux": "client_client.so"}),
    engine_module=MappingProxyType({"win32": "engine.dll", "linux": "engine_client.so"}),
    pointer_size=MappingProxyType({"win32": 4, "linux": 8}),
    cfg_subdir="steamapps/common/Counter-Strike Global Offensive/csgo/cfg",
    steam_app_id=730,
    offsets_format="hazedumper",
    launch_hint="steam://run/730//-beta csgo_legacy with launch options -insecure -windowed "
                "-w 1024 -h 768",
)

CS2 = GameProfile(
    name="cs2",
    display_name="Counter-Strike 2",
    window_titles=("Counter-Strike 2",),
    process_names=MappingProxyType({"win32": ("cs2.exe",), "linux": ("cs2",)}),
    client_module=MappingProxyType({"win32": "client.dll", "linux": "libclient.so"}),
    engine_module=MappingProxyType({"win32": "engine2.dll", "linux": "libengine2.so"}),
    pointer_size=MappingProxyType({"win32": 8, "linux": 8}),
    cfg_subdir="steamapps/common/Counter-Strike Global Offensive/game/csgo/cfg",
    steam_app_id=730,
    offsets_format="cs2-dumper",
    launch_hint="launch CS2 with -insecure -windowed -w 1024 -h 768",
)

REPLAY = GameProfile(
    name="replay",
    display_name="csgo_env replay game (a recording played back in a real window)",
    window_titles=("csgo_env replay",),
    process_names=MappingProxyType({"win32": ("python.exe",), "linux": ("python3", "python")}),
    client_module=MappingProxyType({"win32": "client.dll", "linux": "client.dll"}),
    engine_module=MappingProxyType({"win32": "engine.dll", "linux": "engine.dll"}),
    pointer_size=MappingProxyType({"win32": 8, "linux": 8}),
    cfg_subdir=None,
    steam_app_id=None,
    offsets_format="hazedumper",
    launch_hint="started by the environment itself (game='replay')",
)

ARENA = dataclasses.replace(
    REPLAY, name="arena",
    display_name="csgo_env arena (the stand-in game's closed-loop deathmatch, synthetic)",
    window_titles=("csgo_env arena",),
    launch_hint="started by the environment itself (game='arena')")
"""The stand-in game's arena mode: the same process, channels and memory layout as
``replay``, its own window title."""

OPENARENA = GameProfile(
    name="openarena",
    display_name="OpenArena 0.8.8 (ioquake3), a local match against bots",
    window_titles=("ioquake3", "OpenArena"),
    process_names=MappingProxyType({"linux": ("ioquake3",)}),
    client_module=MappingProxyType({"linux": "cgamex86_64.so"}),
    engine_module=MappingProxyType({"linux": "ioquake3"}),
    pointer_size=MappingProxyType({"linux": 8}),
    cfg_subdir=None,
    steam_app_id=None,
    offsets_format=None,
    launch_hint="started by the environment itself (game='openarena'; install it with "
                "scripts/setup_openarena.sh)",
)

PROFILES: Mapping[str, GameProfile] = MappingProxyType(
    {p.name: p for p in (CSGO, CS2, REPLAY, ARENA, OPENARENA)})


def get_profile(name: str | GameProfile) -> GameProfile:
    """Return the profile called ``name`` (or ``name`` itself if it is a profile)."""
    if isinstance(name, GameProfile):
        return name
    try:
        return PROFILES[name]
    except KeyError:
        raise UnknownGame(explain("unknown game", expected=f"one of {sorted(PROFILES)}",
                                  got=repr(name))) from None
