"""The release guardian's X11 side: its own XTest connection, release events only.

Runs inside the guardian process (:mod:`csgo_env.game.input.guardian_process`), so it
imports python-xlib and the standard library only. Key codes are resolved when the
connection opens, so releasing needs no lookups. XTest events from any client act on
the same server input state: a release sent here releases what the agent's connection
pressed, and a release of a key or button that is not down is dropped by the server (no
event reaches the game).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

X_BUTTONS = {"left": 1, "right": 3}
"""Button name -> X button number (as :mod:`csgo_env.game.input.x11`)."""


class X11Releaser:
    """XTest releases on a connection of our own to ``display`` (None: ``$DISPLAY``)."""

    def __init__(self, display: str | None, keysyms: Mapping[str, Any],
                 buttons: Iterable[str]) -> None:
        import importlib

        xdisplay = importlib.import_module("Xlib.display")
        XK = importlib.import_module("Xlib.XK")
        self._X = importlib.import_module("Xlib.X")
        self._xtest = importlib.import_module("Xlib.ext.xtest")
        name = display or os.environ.get("DISPLAY")
        self._d: Any = xdisplay.Display(name)
        if not self._d.has_extension("XTEST"):
            raise RuntimeError(f"the X server {name} lacks the XTEST extension")
        self.keycodes: dict[str, int] = {}
        for key, sym in keysyms.items():
            code = int(self._d.keysym_to_keycode(XK.string_to_keysym(str(sym))))
            if code:  # a key the keyboard map lacks cannot have been pressed
                self.keycodes[key] = code
        self.buttons = {b: X_BUTTONS[b] for b in buttons if b in X_BUTTONS}
        self.connection = f"own X connection to {name}"

    def release(self, keys: list[str], buttons: list[str]) -> None:
        """Release ``keys`` then ``buttons`` and wait until the server processed them."""
        for key in keys:
            if key in self.keycodes:
                self._xtest.fake_input(self._d, self._X.KeyRelease, self.keycodes[key])
        for button in buttons:
            if button in self.buttons:
                self._xtest.fake_input(self._d, self._X.ButtonRelease, self.buttons[button])
        self._d.sync()

    def close(self) -> None:
        self._d.close()
