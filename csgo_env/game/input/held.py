"""What the player holds right now: keys and mouse buttons, read (never sent).

An own-play recording logs the keys and clicks held at each tick (the dataset authors'
``tp_wasd`` / ``tp_lclick``). :class:`HeldInput` sources answer :meth:`HeldInput.held` with
action key names (:data:`~csgo_env.actions.KEY_NAMES`) plus ``"fire"`` (left button) and
``"scope"`` (right button):

- :class:`SentInput`: what this process's input controller holds, i.e. what an agent or a
  policy sends (exact, no device involved);
- :class:`X11HeldInput`: the X server's key and button state (``QueryKeymap``,
  ``QueryPointer``), which includes real keyboards and XTest input alike; key codes come
  from the profile's keysyms;
- :class:`Win32HeldInput`: ``GetAsyncKeyState`` for each key's virtual key, mapped from the
  profile's DirectInput scan codes with ``MapVirtualKeyW`` (written for real, not executed
  in this project's CI).

:func:`open_held_input` picks one by name. Nothing here injects input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, Protocol

from csgo_env._optional import require
from csgo_env.actions import KEY_NAMES
from csgo_env.errors import ArgumentError, InputBackendError, explain
from csgo_env.game.profiles import GameProfile

HELD_SOURCES = ("auto", "sent", "x11", "win32")
"""Names :func:`open_held_input` takes."""
_BUTTON_MASKS = {"fire": 1 << 8, "scope": 1 << 10}  # X Button1Mask, Button3Mask
_VK_BUTTONS = {"fire": 0x01, "scope": 0x02}  # VK_LBUTTON, VK_RBUTTON
_MAPVK_VSC_TO_VK = 1


class HeldInput(Protocol):
    """A source of the input held now."""

    def held(self) -> frozenset[str]:
        """Key names and ``"fire"`` / ``"scope"`` held at this instant."""
        ...

    def close(self) -> None:
        """Release the source's handles (idempotent)."""
        ...


class SentInput:
    """The input this process sends: ``read()`` is e.g. the session's ``held_input``."""

    def __init__(self, read: Callable[[], frozenset[str]]) -> None:
        self._read = read

    def held(self) -> frozenset[str]:
        return frozenset(self._read())

    def close(self) -> None:
        """Nothing to release."""


class X11HeldInput:
    """The X server's key and button state on ``display`` (default ``$DISPLAY``)."""

    def __init__(self, profile: GameProfile, *, display: str | None = None) -> None:
        xdisplay = require("Xlib.display", extra="live", package="python-xlib",
                           purpose="reading the keys held (X11)")
        xerror = require("Xlib.error", extra="live", package="python-xlib")
        xk = require("Xlib.XK", extra="live", package="python-xlib")
        try:
            self._d: Any = xdisplay.Display(display)
        except (xerror.DisplayError, OSError) as exc:
            raise InputBackendError(explain(
                "cannot connect to the X server to read the keys held",
                expected="a running X display", got=f"{type(exc).__name__}: {exc}",
                fix="run inside the desktop session (DISPLAY set), or under Xvfb")) from exc
        self._root = self._d.screen().root
        self._codes: dict[str, int] = {}
        for key in KEY_NAMES:
            code = int(self._d.keysym_to_keycode(xk.string_to_keysym(profile.keysyms[key])))
            if code:
                self._codes[key] = code

    def held(self) -> frozenset[str]:
        if self._d is None:
            raise InputBackendError("the X11 held-input reader is closed")
        keymap = self._d.query_keymap()
        out = {key for key, code in self._codes.items() if keymap[code // 8] >> (code % 8) & 1}
        mask = int(self._root.query_pointer().mask)
        out |= {name for name, bit in _BUTTON_MASKS.items() if mask & bit}
        return frozenset(out)

    def close(self) -> None:
        if self._d is not None:
            self._d.close()
            self._d = None


class Win32HeldInput:
    """``GetAsyncKeyState`` of each key (virtual keys from the profile's scan codes)."""

    def __init__(self, profile: GameProfile) -> None:
        if sys.platform != "win32":
            raise InputBackendError(explain("the win32 held-input reader needs Windows",
                                            got=f"sys.platform == {sys.platform!r}",
                                            fix="use --keys x11 (Linux) or --keys sent"))
        import ctypes

        self._user32: Any = ctypes.WinDLL("user32", use_last_error=True)
        self._vk: dict[str, int] = {key: int(self._user32.MapVirtualKeyW(
            profile.scan_codes[key], _MAPVK_VSC_TO_VK)) for key in KEY_NAMES}
        self._vk.update(_VK_BUTTONS)

    def held(self) -> frozenset[str]:
        state = self._user32.GetAsyncKeyState
        return frozenset(name for name, vk in self._vk.items() if vk and state(vk) & 0x8000)

    def close(self) -> None:
        """Nothing to release."""


def open_held_input(name: str, *, profile: GameProfile,
                    sent: Callable[[], frozenset[str]] | None = None) -> HeldInput:
    """The source called ``name`` (:data:`HELD_SOURCES`). ``"auto"``: ``"sent"`` when
    ``sent`` is given (a policy drives the input), else the platform's device state."""
    if name not in HELD_SOURCES:
        raise ArgumentError(explain("unknown source of the keys held",
                                    expected=f"one of {HELD_SOURCES}", got=repr(name)))
    if name == "auto":
        name = "sent" if sent is not None else "win32" if sys.platform == "win32" else "x11"
    if name == "sent":
        if sent is None:
            raise ArgumentError(explain(
                "--keys sent needs a policy that sends the input",
                fix="pass --policy, or read the device state with --keys x11 / win32"))
        return SentInput(sent)
    if name == "win32":
        return Win32HeldInput(profile)
    return X11HeldInput(profile)


__all__ = ["HELD_SOURCES", "HeldInput", "SentInput", "Win32HeldInput", "X11HeldInput",
           "open_held_input"]
