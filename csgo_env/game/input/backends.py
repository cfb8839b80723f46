"""Keyboard and mouse injection behind one small interface, with a registry of backends.

=========  ==============================================================  ===========
name       how                                                             platform
=========  ==============================================================  ===========
``x11``    XTest through python-xlib (relative motion, keysyms -> keycodes)  Linux (X11)
``win32``  SendInput through pydirectinput-rgx (scan codes, relative moves)  Windows
``auto``   ``win32`` on Windows, else ``x11``
=========  ==============================================================  ===========

Key names are the action's (:data:`csgo_env.actions.KEY_NAMES`) plus ``"n"`` and
``"console"``; each backend maps them through the game profile (DirectInput scan codes or
X11 keysyms). Mouse moves are relative counts (+x right, +y down), the unit the game's raw
input reads. Calls may be buffered until :meth:`InputBackend.flush`.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from csgo_env.errors import InvalidAction, UnknownBackend, explain
from csgo_env.game.profiles import GameProfile, get_profile

Button = Literal["left", "right"]
BUTTONS: tuple[str, ...] = ("left", "right")


@runtime_checkable
class InputBackend(Protocol):
    """Injects key, button and relative mouse events into the focused game."""

    def key_down(self, key: str) -> None: ...

    def key_up(self, key: str) -> None: ...

    def button_down(self, button: Button) -> None: ...

    def button_up(self, button: Button) -> None: ...

    def move_relative(self, dx: int, dy: int) -> None:
        """Move the mouse by (dx, dy) counts, as raw input sees it."""
        ...

    def flush(self) -> None:
        """Deliver everything sent so far before returning."""
        ...

    def close(self) -> None:
        """Release the connection (does not release held keys: the controller does)."""
        ...


_BACKENDS: dict[str, str] = {
    "x11": "csgo_env.game.input.x11:X11Input",
    "win32": "csgo_env.game.input.win32:Win32Input",
}
"""Backend name -> ``module:factory``; a factory takes ``(profile, **kw)``."""


def input_backend_names() -> tuple[str, ...]:
    """Registered backend names (``"auto"`` excluded)."""
    return tuple(_BACKENDS)


def resolve_input_backend_name(name: str) -> str:
    """Map ``"auto"`` to this platform's backend and validate the name."""
    if name == "auto":
        return "win32" if sys.platform == "win32" else "x11"
    if name not in _BACKENDS:
        raise UnknownBackend(explain("unknown input backend",
                                     expected=f"'auto' or one of {sorted(_BACKENDS)}",
                                     got=repr(name), fix="use input_backend='auto'"))
    return name


def get_input_backend(name: str = "auto", *, profile: str | GameProfile = "csgo",
                      **kw: Any) -> InputBackend:
    """Create the input backend ``name`` for the game ``profile`` (keyword args go to it).

    Raises :class:`~csgo_env.errors.DependencyMissing` or
    :class:`~csgo_env.errors.InputBackendError` when the backend cannot run here.
    """
    module_name, factory_name = _BACKENDS[resolve_input_backend_name(name)].split(":")
    factory: Callable[..., InputBackend] = getattr(importlib.import_module(module_name),
                                                   factory_name)
    return factory(get_profile(profile), **kw)


def lookup_key(table: Mapping[str, Any], key: str) -> Any:
    """``table[key]`` or :class:`~csgo_env.errors.InvalidAction` naming the known keys."""
    try:
        return table[key]
    except (KeyError, TypeError):
        raise InvalidAction(explain("unknown key name", expected=f"one of {sorted(table)}",
                                    got=repr(key))) from None


def check_button(button: str) -> str:
    if button not in BUTTONS:
        raise InvalidAction(explain("unknown mouse button", expected="'left' or 'right'",
                                    got=repr(button)))
    return button


def check_move(dx: int, dy: int, limit: int = 32767) -> tuple[int, int]:
    """Validate a relative move: integers within +-``limit`` counts."""
    for name, value in (("dx", dx), ("dy", dy)):
        if isinstance(value, bool) or not hasattr(value, "__index__"):
            raise InvalidAction(explain(f"mouse {name} must be an integer count",
                                        got=f"{type(value).__name__} {value!r}"))
        if not -limit <= int(value) <= limit:
            raise InvalidAction(explain(f"mouse {name} out of range",
                                        expected=f"|{name}| <= {limit}", got=str(value)))
    return int(dx), int(dy)
