"""Find the game window and its client area in screen pixels.

Backends sit in a registry of lazily imported factories (``"x11"``: python-xlib,
``"win32"``: ctypes user32); ``"auto"`` picks by ``sys.platform``. Nothing platform-specific
is imported until a backend is asked for.

Frame of reference: ``left``/``top`` are the screen coordinates (physical pixels, origin at
the top-left of the virtual screen) of the client area's top-left pixel; ``width`` and
``height`` are the client area's size. Title bars and borders are not part of it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from csgo_env.errors import ArgumentError, UnknownBackend, WindowNotFound, explain


@dataclass(frozen=True)
class WindowInfo:
    """A top-level window: platform handle, title, owning pid and client rectangle."""

    handle: int
    title: str
    pid: int | None
    left: int
    top: int
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        """Client size (width, height) in pixels."""
        return self.width, self.height

    def moved(self, left: int, top: int, width: int, height: int) -> WindowInfo:
        return replace(self, left=left, top=top, width=width, height=height)


class WindowBackend(Protocol):
    """What a platform backend provides (one connection to the windowing system)."""

    def find(self, titles: Sequence[str], pid: int | None) -> WindowInfo:
        """The first window whose title is in ``titles`` (in order; any title if empty)
        and, if ``pid`` is given, owned by ``pid``. Raises WindowNotFound."""
        ...

    def rect(self, info: WindowInfo) -> WindowInfo:
        """``info`` with its current client rectangle; WindowNotFound if gone or minimised."""
        ...

    def visible_titles(self) -> list[str]:
        """Titles of the visible top-level windows (for error messages)."""
        ...

    def close(self) -> None:
        ...


_BACKENDS: dict[str, str] = {
    "x11": "csgo_env.game.screen.windows_x11:X11Windows",
    "win32": "csgo_env.game.screen.windows_win32:Win32Windows",
}
"""Backend name -> ``module:factory``; the factory takes no arguments."""


def backend_names() -> tuple[str, ...]:
    """Registered backend names (``"auto"`` excluded)."""
    return tuple(_BACKENDS)


def resolve_backend_name(name: str) -> str:
    """Map ``"auto"`` to this platform's backend and validate the name."""
    if name == "auto":
        return "win32" if sys.platform == "win32" else "x11"
    if name not in _BACKENDS:
        raise UnknownBackend(explain("unknown window backend",
                                     expected=f"'auto' or one of {sorted(_BACKENDS)}",
                                     got=repr(name), fix="use window_backend='auto'"))
    return name


def get_window_backend(name: str = "auto") -> WindowBackend:
    """Create a backend instance (caller closes it)."""
    module_name, factory_name = _BACKENDS[resolve_backend_name(name)].split(":")
    factory: Callable[[], WindowBackend] = getattr(importlib.import_module(module_name),
                                                   factory_name)
    return factory()


def find_window(titles: Sequence[str], *, pid: int | None = None,
                backend: str = "auto") -> WindowInfo:
    """Find a top-level window by exact title (first match in ``titles`` order) and pid.

    Raises :class:`~csgo_env.errors.WindowNotFound` naming the visible window titles when
    nothing matches, and with the fix (restore it) when the match is minimised or unmapped.
    """
    titles = _check_titles(titles, pid)
    windows = get_window_backend(backend)
    try:
        return windows.find(titles, pid)
    finally:
        windows.close()


def window_rect(info: WindowInfo, backend: str = "auto") -> WindowInfo:
    """Re-read ``info``'s client rectangle (follow a moved window)."""
    windows = get_window_backend(backend)
    try:
        return windows.rect(info)
    finally:
        windows.close()


def _check_titles(titles: Sequence[str], pid: int | None) -> tuple[str, ...]:
    if isinstance(titles, str):
        titles = (titles,)
    titles = tuple(titles)
    if not all(isinstance(t, str) and t for t in titles):
        raise ArgumentError(explain("window titles must be non-empty strings",
                                    got=repr(titles)))
    if not titles and pid is None:
        raise ArgumentError(explain("nothing to look for", expected="titles or a pid",
                                    got="neither"))
    return titles


def not_found_error(titles: Sequence[str], pid: int | None,
                    visible: Sequence[str]) -> WindowNotFound:
    """The WindowNotFound raised by every backend when nothing matches."""
    wanted = " or ".join(repr(t) for t in titles) or "any title"
    if pid is not None:
        wanted += f" owned by pid {pid}"
    shown = sorted({t for t in visible if t})
    listed = ", ".join(repr(t) for t in shown[:25]) + (" ..." if len(shown) > 25 else "")
    return WindowNotFound(explain(
        "game window not found", expected=f"a visible window titled {wanted}",
        got=f"visible windows: {listed or 'none'}",
        fix="start the game in windowed mode (1024x768) and check the title, or pass the "
            "right window title"))


def minimised_error(info: WindowInfo, state: str) -> WindowNotFound:
    """The WindowNotFound raised when the window exists but cannot be captured."""
    return WindowNotFound(explain(
        f"game window {info.title!r} is {state}", expected="a visible window on screen",
        got=state, fix="restore the game window (un-minimise it) and keep it on screen"))
