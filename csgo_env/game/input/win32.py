"""Windows input through pydirectinput-rgx: DirectInput scan codes and relative mouse moves.

Games reading DirectInput or raw input ignore virtual-key events and absolute cursor
warps; they see ``SendInput`` with ``KEYEVENTF_SCANCODE`` keys and ``MOUSEEVENTF_MOVE``
(relative) motion, which is what this backend sends:

* keys: ``scancode_keyDown`` / ``scancode_keyUp`` with the profile's scan codes
  (:data:`csgo_env.game.profiles.DIRECTINPUT_SCAN_CODES`);
* buttons: ``mouseDown`` / ``mouseUp`` with the left / right button (not "primary", so a
  swapped-buttons setting does not swap fire and scope);
* motion: ``moveRel(dx, dy, relative=True)`` — without ``relative=True`` the library moves
  to an absolute point, which a game reading raw input sees as a wrong delta.

The library's per-call pause (``PAUSE``, 10-100 ms by default) is switched off and every
call passes ``_pause=False``; its fail-safe (raise when the cursor sits at (0, 0)) is
switched off too, because a game captures the cursor wherever it likes — our own safety is
that every held key is released on every exit path (:mod:`csgo_env.game.input.safety`).
Everything is sent at once, so :meth:`Win32Input.flush` has nothing to do.
"""

from __future__ import annotations

import sys
from typing import Any

from csgo_env._optional import require
from csgo_env.errors import DependencyMissing, InputBackendError, explain
from csgo_env.game.input.backends import Button, check_button, check_move, lookup_key
from csgo_env.game.input.guardian import GuardianSpec
from csgo_env.game.profiles import GameProfile


def load_pydirectinput() -> Any:
    """Import pydirectinput-rgx configured for games: no pause, no fail-safe."""
    if sys.platform != "win32":
        raise DependencyMissing(explain("the win32 input backend runs only on Windows",
                                        got=f"sys.platform == {sys.platform!r}",
                                        fix="use backend='x11' (or 'auto') on Linux"))
    pydirectinput = require("pydirectinput", extra="live", package="pydirectinput-rgx",
                            purpose="Windows input injection")
    pydirectinput.PAUSE = 0
    pydirectinput.FAILSAFE = False
    return pydirectinput


class Win32Input:
    """SendInput injection (scan codes, relative moves) for the game ``profile``."""

    def __init__(self, profile: GameProfile) -> None:
        self._pdi: Any = load_pydirectinput()
        self.profile = profile
        self._buttons = {"left": self._pdi.MOUSE_LEFT, "right": self._pdi.MOUSE_RIGHT}

    def _check_open(self) -> Any:
        if self._pdi is None:
            raise InputBackendError("the win32 input backend is closed")
        return self._pdi

    def _key(self, key: str, down: bool) -> None:
        pdi = self._check_open()
        code = int(lookup_key(self.profile.scan_codes, key))
        send = pdi.scancode_keyDown if down else pdi.scancode_keyUp
        if not send(code, _pause=False):
            raise InputBackendError(explain(
                f"SendInput did not insert the {key!r} key event", expected="1 event inserted",
                got="0", fix="run with the same privileges as the game (UIPI blocks input "
                             "from a lower integrity level) and keep the game focused"))

    def key_down(self, key: str) -> None:
        self._key(key, True)

    def key_up(self, key: str) -> None:
        self._key(key, False)

    def button_down(self, button: Button) -> None:
        self._check_open().mouseDown(button=self._buttons[check_button(button)], _pause=False)

    def button_up(self, button: Button) -> None:
        self._check_open().mouseUp(button=self._buttons[check_button(button)], _pause=False)

    def move_relative(self, dx: int, dy: int) -> None:
        dx, dy = check_move(dx, dy)
        if dx or dy:
            self._check_open().moveRel(dx, dy, relative=True, _pause=False)

    def guardian_spec(self) -> GuardianSpec:
        """What a release guardian needs: this profile's scan codes, both buttons."""
        return GuardianSpec("win32", dict(self.profile.scan_codes), tuple(self._buttons))

    def flush(self) -> None:
        """Nothing is buffered: each call has gone through SendInput already."""

    def close(self) -> None:
        self._pdi = None
