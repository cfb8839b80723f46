"""X11 input through the XTest extension (python-xlib).

Relative mouse motion is ``fake_input(MotionNotify, detail=True, x=dx, y=dy)``: the server
moves the pointer by (dx, dy) and raw-input clients (SDL relative mode, games reading
XInput2 raw motion) receive exactly that delta. An absolute warp (what pynput does) would
arrive as a wrong delta. Keys go as keycodes looked up from the profile's keysyms; buttons
are X buttons 1 (left) and 3 (right). Requests are buffered until :meth:`X11Input.flush`.
"""

from __future__ import annotations

from typing import Any

from csgo_env._optional import require
from csgo_env.errors import InputBackendError, explain
from csgo_env.game.input_backends import Button, check_button, check_move, lookup_key
from csgo_env.game.profiles import GameProfile

_X_BUTTONS = {"left": 1, "right": 3}


class X11Input:
    """XTest injection on the X display ``display`` (default: ``$DISPLAY``)."""

    def __init__(self, profile: GameProfile, *, display: str | None = None) -> None:
        xdisplay = require("Xlib.display", extra="live", package="python-xlib",
                           purpose="X11 input injection")
        xerror = require("Xlib.error", extra="live", package="python-xlib")
        self._X = require("Xlib.X", extra="live", package="python-xlib")
        self._XK = require("Xlib.XK", extra="live", package="python-xlib")
        self._xtest = require("Xlib.ext.xtest", extra="live", package="python-xlib")
        try:
            self._d: Any = xdisplay.Display(display)
        except (xerror.DisplayError, OSError) as exc:
            raise InputBackendError(explain(
                "cannot connect to the X server", expected="a running X display",
                got=f"{type(exc).__name__}: {exc}",
                fix="run inside the desktop session (DISPLAY set), or under Xvfb")) from exc
        if not self._d.has_extension("XTEST"):
            self._d.close()
            raise InputBackendError(explain(
                "the X server lacks the XTEST extension", expected="XTEST",
                got=f"extensions {sorted(self._d.list_extensions())}",
                fix="enable XTEST in the X server (Xvfb and Xorg have it by default)"))
        self.profile = profile
        self._keycodes: dict[str, int] = {}

    def _keycode(self, key: str) -> int:
        code = self._keycodes.get(key)
        if code is None:
            name = lookup_key(self.profile.keysyms, key)
            code = int(self._d.keysym_to_keycode(self._XK.string_to_keysym(name)))
            if code == 0:
                raise InputBackendError(explain(
                    f"the keyboard map has no key for {key!r}", expected=f"keysym {name!r}",
                    got="keycode 0", fix="use a keyboard layout that has this key"))
            self._keycodes[key] = code
        return code

    def _check_open(self) -> Any:
        if self._d is None:
            raise InputBackendError("the X11 input backend is closed")
        return self._d

    def key_down(self, key: str) -> None:
        self._xtest.fake_input(self._check_open(), self._X.KeyPress, self._keycode(key))

    def key_up(self, key: str) -> None:
        self._xtest.fake_input(self._check_open(), self._X.KeyRelease, self._keycode(key))

    def button_down(self, button: Button) -> None:
        self._xtest.fake_input(self._check_open(), self._X.ButtonPress,
                               _X_BUTTONS[check_button(button)])

    def button_up(self, button: Button) -> None:
        self._xtest.fake_input(self._check_open(), self._X.ButtonRelease,
                               _X_BUTTONS[check_button(button)])

    def move_relative(self, dx: int, dy: int) -> None:
        dx, dy = check_move(dx, dy)
        if dx or dy:
            self._xtest.fake_input(self._check_open(), self._X.MotionNotify, detail=True,
                                   x=dx, y=dy)

    def flush(self) -> None:
        """Send buffered requests and wait until the server has processed them."""
        self._check_open().sync()

    def close(self) -> None:
        if self._d is not None:
            self._d.close()
            self._d = None
