"""X11 window lookup with python-xlib (works on a bare X server: no window manager needed).

Windows are found by walking ``query_tree`` from the root (a few levels deep, so clients
reparented into window-manager frames are found too), reading the title from
``_NET_WM_NAME`` (UTF-8) or ``WM_NAME`` and the owner from ``_NET_WM_PID``. The client
rectangle is the window's geometry with its origin translated to root coordinates.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from csgo_env._optional import require
from csgo_env.errors import WindowNotFound, explain
from csgo_env.game.screen.windows import WindowInfo, minimised_error, not_found_error

_MAX_DEPTH = 3  # root -> WM frame -> client (-> one more for nested frames)


class X11Windows:
    """One connection to the X server named by ``display`` (default: ``$DISPLAY``)."""

    def __init__(self, display: str | None = None) -> None:
        xdisplay = require("Xlib.display", extra="live", package="python-xlib",
                           purpose="finding windows on X11")
        self._xerror = require("Xlib.error", extra="live", package="python-xlib")
        self._X = require("Xlib.X", extra="live", package="python-xlib")
        try:
            self._d = xdisplay.Display(display)
        except (self._xerror.DisplayError, OSError) as exc:
            raise WindowNotFound(explain(
                "cannot connect to the X server", expected="a running X display",
                got=f"{type(exc).__name__}: {exc}",
                fix="run inside the desktop session (DISPLAY set), or under Xvfb")) from exc
        self._root = self._d.screen().root
        atom = self._d.intern_atom
        self._net_wm_name = atom("_NET_WM_NAME")
        self._utf8 = atom("UTF8_STRING")
        self._net_wm_pid = atom("_NET_WM_PID")
        self._net_wm_state = atom("_NET_WM_STATE")
        self._hidden = atom("_NET_WM_STATE_HIDDEN")

    # --- properties ------------------------------------------------------------------
    def _title(self, window: Any) -> str | None:
        prop = window.get_full_property(self._net_wm_name, self._utf8)
        if prop is not None and prop.value:
            value = prop.value
            return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        name = window.get_wm_name()
        if isinstance(name, bytes):
            name = name.decode("latin-1")
        return name or None

    def _pid(self, window: Any) -> int | None:
        prop = window.get_full_property(self._net_wm_pid, self._X.AnyPropertyType)
        return int(prop.value[0]) if prop is not None and len(prop.value) else None

    def _hidden_state(self, window: Any) -> str | None:
        """``None`` if viewable, else why not (``"unmapped"`` or ``"minimised"``)."""
        if window.get_attributes().map_state != self._X.IsViewable:
            return "minimised or unmapped"
        prop = window.get_full_property(self._net_wm_state, self._X.AnyPropertyType)
        if prop is not None and self._hidden in prop.value:
            return "minimised"
        return None

    def _walk(self) -> Iterator[tuple[Any, str]]:
        """Yield (window, title) for every titled window down to ``_MAX_DEPTH``."""
        stack = [(self._root, 0)]
        while stack:
            window, depth = stack.pop()
            try:
                children = window.query_tree().children
            except self._xerror.XError:
                continue  # closed while we looked
            for child in reversed(children):  # query_tree lists bottom to top
                try:
                    title = self._title(child)
                except self._xerror.XError:
                    continue
                if title:
                    yield child, title
                elif depth + 1 < _MAX_DEPTH:
                    stack.append((child, depth + 1))

    def _info(self, window: Any, title: str, pid: int | None) -> WindowInfo:
        geometry = window.get_geometry()
        origin = self._root.translate_coords(window, 0, 0)
        return WindowInfo(handle=int(window.id), title=title, pid=pid, left=int(origin.x),
                          top=int(origin.y), width=int(geometry.width),
                          height=int(geometry.height))

    # --- WindowBackend ---------------------------------------------------------------
    def find(self, titles: Sequence[str], pid: int | None) -> WindowInfo:
        matches: list[tuple[Any, str, int | None]] = []
        visible: list[str] = []
        for window, title in self._walk():
            try:
                hidden = self._hidden_state(window)
                owner = self._pid(window)
            except self._xerror.XError:
                continue
            if hidden is None:
                visible.append(title)
            if (not titles or title in titles) and (pid is None or owner == pid):
                matches.append((window, title, owner))
        order = {t: i for i, t in enumerate(titles)}
        matches.sort(key=lambda m: order.get(m[1], 0))
        hidden_match: tuple[WindowInfo, str] | None = None
        for window, title, owner in matches:
            try:
                hidden = self._hidden_state(window)
                info = self._info(window, title, owner)
            except self._xerror.XError:
                continue
            if hidden is None:
                return info
            hidden_match = hidden_match or (info, hidden)
        if hidden_match is not None:
            raise minimised_error(*hidden_match)
        raise not_found_error(titles, pid, visible)

    def rect(self, info: WindowInfo) -> WindowInfo:
        window = self._d.create_resource_object("window", info.handle)
        try:
            hidden = self._hidden_state(window)
            if hidden is not None:
                raise minimised_error(info, hidden)
            fresh = self._info(window, info.title, info.pid)
        except self._xerror.XError as exc:
            raise WindowNotFound(explain(
                f"game window {info.title!r} is gone", expected=f"window {info.handle:#x}",
                got=type(exc).__name__, fix="restart the game, then look the window up again")
            ) from exc
        return fresh

    def visible_titles(self) -> list[str]:
        out = []
        for window, title in self._walk():
            try:
                if self._hidden_state(window) is None:
                    out.append(title)
            except self._xerror.XError:
                continue
        return out

    def close(self) -> None:
        if self._d is not None:
            self._d.close()
            self._d = None
