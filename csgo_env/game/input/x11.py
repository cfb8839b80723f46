"""X11 input through the XTest extension (python-xlib).

Relative mouse motion is ``fake_input(MotionNotify, detail=True, x=dx, y=dy)``: the server
moves the pointer by (dx, dy) and raw-input clients (SDL relative mode, games reading
XInput2 raw motion) receive exactly that delta. An absolute warp (what pynput does) would
arrive as a wrong delta. Keys go as keycodes looked up from the profile's keysyms; buttons
are X buttons 1 (left) and 3 (right). Requests are buffered until :meth:`X11Input.flush`.

SDL (2.26, the one OpenArena's Debian package uses) drops a raw motion event that carries
the same delta and the same server timestamp (milliseconds) as the one before it, taking
it for a duplicate. Two equal half-moves sent back to back would lose the second, so a move
equal to the previous one within :data:`DUPLICATE_GAP_S` is held back until the previous
one has reached the server and that much time has passed (about 1 ms, spent before the
step's tick wait).

python-xlib is not reentrant, yet the release-on-signal handler
(:mod:`csgo_env.game.input.safety`) may run while the main thread is inside an Xlib call.
So a call that arrives while another is in progress goes over a fresh *side* connection
(synced and closed at its flush), and a connection whose call was cut short by an
exception is never used again: the next call reconnects. XTest events from any client
act on the same server input state, so a release sent on the side connection releases
what the main one pressed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from csgo_env._optional import require
from csgo_env.errors import InputBackendError, explain
from csgo_env.game.input.backends import Button, check_button, check_move, lookup_key
from csgo_env.game.input.guardian import GuardianSpec
from csgo_env.game.profiles import GameProfile

_X_BUTTONS = {"left": 1, "right": 3}
DUPLICATE_GAP_S = 0.0012
"""Least time between two equal relative moves, so the X server stamps them with different
milliseconds (a clock step of 1 ms, plus a margin)."""


class X11Input:
    """XTest injection on the X display ``display`` (default: ``$DISPLAY``)."""

    def __init__(self, profile: GameProfile, *, display: str | None = None) -> None:
        xdisplay = require("Xlib.display", extra="live", package="python-xlib",
                           purpose="X11 input injection")
        xerror = require("Xlib.error", extra="live", package="python-xlib")
        self._X = require("Xlib.X", extra="live", package="python-xlib")
        self._XK = require("Xlib.XK", extra="live", package="python-xlib")
        self._xtest = require("Xlib.ext.xtest", extra="live", package="python-xlib")
        self._xdisplay, self._xerror, self._display_name = xdisplay, xerror, display
        self._busy = False  # an Xlib call of this backend is in progress
        self._broken = False  # a call was cut short: reconnect before the next one
        self._side: Any = None  # the connection of calls that arrive while busy
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
        self._last_move: tuple[int, int, float] | None = None  # dx, dy, when it was synced

    def _connect(self) -> Any:
        try:
            return self._xdisplay.Display(self._display_name)
        except (self._xerror.DisplayError, OSError) as exc:
            raise InputBackendError(explain(
                "cannot reconnect to the X server", expected="a running X display",
                got=f"{type(exc).__name__}: {exc}", fix="check that the X server still runs")
            ) from exc

    @contextmanager
    def _display(self) -> Iterator[Any]:
        """The connection for one call: the main one, or a side one when re-entered."""
        if self._d is None:
            raise InputBackendError("the X11 input backend is closed")
        if self._busy:  # re-entered from a signal handler in the middle of an Xlib call
            if self._side is None:
                self._side = self._connect()
            yield self._side
            return
        if self._broken:
            with suppress(Exception):
                self._d.close()
            self._d, self._broken = self._connect(), False
        self._busy = True
        try:
            yield self._d
        except BaseException:
            self._broken = True  # the request stream may be cut mid-way
            raise
        finally:
            self._busy = False

    def _keycode(self, d: Any, key: str) -> int:
        code = self._keycodes.get(key)
        if code is None:
            name = lookup_key(self.profile.keysyms, key)
            code = int(d.keysym_to_keycode(self._XK.string_to_keysym(name)))
            if code == 0:
                raise InputBackendError(explain(
                    f"the keyboard map has no key for {key!r}", expected=f"keysym {name!r}",
                    got="keycode 0", fix="use a keyboard layout that has this key"))
            self._keycodes[key] = code
        return code

    def key_down(self, key: str) -> None:
        with self._display() as d:
            self._xtest.fake_input(d, self._X.KeyPress, self._keycode(d, key))

    def key_up(self, key: str) -> None:
        with self._display() as d:
            self._xtest.fake_input(d, self._X.KeyRelease, self._keycode(d, key))

    def button_down(self, button: Button) -> None:
        number = _X_BUTTONS[check_button(button)]
        with self._display() as d:
            self._xtest.fake_input(d, self._X.ButtonPress, number)

    def button_up(self, button: Button) -> None:
        number = _X_BUTTONS[check_button(button)]
        with self._display() as d:
            self._xtest.fake_input(d, self._X.ButtonRelease, number)

    def move_relative(self, dx: int, dy: int) -> None:
        dx, dy = check_move(dx, dy)
        if dx or dy:
            with self._display() as d:
                last = self._last_move
                if last is not None and last[:2] == (dx, dy):
                    if last[2] == 0.0:  # not yet synced: make sure the server has it
                        d.sync()
                        last = (dx, dy, time.monotonic())
                    wait = last[2] + DUPLICATE_GAP_S - time.monotonic()
                    if wait > 0:
                        time.sleep(wait)
                self._xtest.fake_input(d, self._X.MotionNotify, detail=True, x=dx, y=dy)
                self._last_move = (dx, dy, 0.0)

    def guardian_spec(self) -> GuardianSpec:
        """What a release guardian needs to reach this X server on its own connection."""
        return GuardianSpec("x11", dict(self.profile.keysyms), tuple(_X_BUTTONS),
                            display=self._display_name or os.environ.get("DISPLAY"))

    def flush(self) -> None:
        """Send buffered requests and wait until the server has processed them."""
        with self._display() as d:
            d.sync()
            if self._last_move is not None and self._last_move[2] == 0.0:
                self._last_move = (*self._last_move[:2], time.monotonic())
            if d is self._side:
                self._side = None
                d.close()

    def close(self) -> None:
        for conn in (self._side, self._d):
            if conn is not None:
                with suppress(Exception):
                    conn.close()
        self._side = self._d = None
