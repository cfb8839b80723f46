"""Type commands into the game's developer console (``setup_console``).

A local bot match is set up with console commands (``bot_kick``, ``mp_warmup_end`` ...).
The console opens with the key left of ``1`` (``console``: scan code 0x29, X11 ``grave``);
the game needs ``-console`` or "Enable developer console" on. Commands may use
``a-z A-Z 0-9``, space and ``_ - . / = ;``; each is typed with key presses (shift for
capitals and ``_``) and ended with Enter, then the console is closed again.

:func:`console_profile` widens a game profile's key tables with those characters, so the
ordinary input backends can type them (DirectInput scan codes, set 1; X11 keysyms).
"""

from __future__ import annotations

import dataclasses
import string
import time
from collections.abc import Sequence
from types import MappingProxyType

from csgo_env.errors import ArgumentError, explain
from csgo_env.game.input.backends import InputBackend
from csgo_env.game.profiles import GameProfile

_LETTER_CODES = dict(zip("qwertyuiop", range(0x10, 0x1A), strict=True)) | dict(
    zip("asdfghjkl", range(0x1E, 0x27), strict=True)) | dict(
    zip("zxcvbnm", range(0x2C, 0x33), strict=True))
_SCAN_CODES: dict[str, int] = {
    **_LETTER_CODES, **{str(d): 0x02 + (d - 1) for d in range(1, 10)}, "0": 0x0B,
    "minus": 0x0C, "equal": 0x0D, "enter": 0x1C, "period": 0x34, "slash": 0x35,
    "semicolon": 0x27, "space": 0x39, "shift": 0x2A}
_KEYSYMS: dict[str, str] = {
    **{c: c for c in string.ascii_lowercase + string.digits}, "minus": "minus",
    "equal": "equal", "enter": "Return", "period": "period", "slash": "slash",
    "semicolon": "semicolon", "space": "space", "shift": "Shift_L"}
_PUNCTUATION = {" ": ("space", False), "_": ("minus", True), "-": ("minus", False),
                ".": ("period", False), "/": ("slash", False), "=": ("equal", False),
                ";": ("semicolon", False)}


def console_profile(profile: GameProfile) -> GameProfile:
    """``profile`` with key tables that also cover the console characters."""
    return dataclasses.replace(
        profile, scan_codes=MappingProxyType({**_SCAN_CODES, **profile.scan_codes}),
        keysyms=MappingProxyType({**_KEYSYMS, **profile.keysyms}))


def keystrokes(command: str) -> list[tuple[str, bool]]:
    """``(key name, with shift)`` for every character of ``command``.

    Raises :class:`ArgumentError` for a character that cannot be typed.
    """
    out = []
    for ch in command:
        if ch in string.ascii_lowercase or ch in string.digits:
            out.append((ch, False))
        elif ch in string.ascii_uppercase:
            out.append((ch.lower(), True))
        elif ch in _PUNCTUATION:
            out.append(_PUNCTUATION[ch])
        else:
            raise ArgumentError(explain(
                "setup_console command has a character that cannot be typed",
                expected="a-z A-Z 0-9, space and _ - . / = ;", got=f"{ch!r} in {command!r}",
                fix="put complex commands in a cfg file and type 'exec NAME'"))
    return out


def check_commands(commands: Sequence[str]) -> None:
    """Validate ``commands`` without typing anything (raises ArgumentError)."""
    for command in commands:
        keystrokes(command)


def type_console(backend: InputBackend, commands: Sequence[str], *,
                 key_delay_s: float = 0.01) -> None:
    """Open the console, type each command and Enter, close the console.

    ``backend`` must come from :func:`console_profile` (it needs the extra keys). Every
    key is released before the next is pressed; nothing stays held.
    """

    def tap(key: str, shift: bool = False) -> None:
        if shift:
            backend.key_down("shift")
        backend.key_down(key)
        backend.key_up(key)
        if shift:
            backend.key_up("shift")
        backend.flush()
        time.sleep(key_delay_s)

    if not commands:
        return
    tap("console")
    for command in commands:
        for key, shift in keystrokes(command):
            tap(key, shift)
        tap("enter")
    tap("console")
