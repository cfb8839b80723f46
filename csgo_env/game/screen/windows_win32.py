"""Windows window lookup through ctypes user32 (imported by the registry only on Windows).

The process is made DPI-aware first (``SetProcessDpiAwarenessContext(PER_MONITOR_AWARE_V2)``,
falling back to ``SetProcessDPIAware`` on Windows < 10 1703), so ``GetClientRect`` and
``ClientToScreen`` report physical pixels — the same pixels mss grabs. Without it, a
scaled display (125 %, 150 %) would give a shrunken, shifted rectangle and a wrong image.

The ``user32`` argument exists so the OS calls can be replaced at the lowest level in tests
(an object with the same function names); by default the real ``user32.dll`` is loaded.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Sequence
from ctypes import wintypes
from typing import Any

from csgo_env.errors import DependencyMissing, WindowNotFound, explain
from csgo_env.game.screen.windows import WindowInfo, minimised_error, not_found_error

DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 = -4
"""``(DPI_AWARENESS_CONTEXT)-4`` from WinUser.h."""

# WINFUNCTYPE (stdcall) exists only on Windows; the CFUNCTYPE fallback is used when the OS
# calls are replaced in tests on other platforms (on x64 Windows both are the same ABI).
_FUNCTYPE = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)
WNDENUMPROC = _FUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)


def load_user32() -> Any:
    """Load ``user32.dll`` with the prototypes this module uses (Windows only)."""
    if sys.platform != "win32":
        raise DependencyMissing(explain("the win32 window backend runs only on Windows",
                                        got=f"sys.platform == {sys.platform!r}",
                                        fix="use backend='x11' (or 'auto') on Linux"))
    user32 = ctypes.WinDLL("user32", use_last_error=True)
    hwnd, rect_p, point_p = wintypes.HWND, ctypes.POINTER(wintypes.RECT), \
        ctypes.POINTER(wintypes.POINT)
    protos = {
        "FindWindowW": (hwnd, [wintypes.LPCWSTR, wintypes.LPCWSTR]),
        "EnumWindows": (wintypes.BOOL, [WNDENUMPROC, wintypes.LPARAM]),
        "IsWindow": (wintypes.BOOL, [hwnd]),
        "IsWindowVisible": (wintypes.BOOL, [hwnd]),
        "IsIconic": (wintypes.BOOL, [hwnd]),
        "GetWindowTextLengthW": (ctypes.c_int, [hwnd]),
        "GetWindowTextW": (ctypes.c_int, [hwnd, wintypes.LPWSTR, ctypes.c_int]),
        "GetWindowThreadProcessId": (wintypes.DWORD, [hwnd, ctypes.POINTER(wintypes.DWORD)]),
        "GetClientRect": (wintypes.BOOL, [hwnd, rect_p]),
        "ClientToScreen": (wintypes.BOOL, [hwnd, point_p]),
        "SetProcessDPIAware": (wintypes.BOOL, []),
    }
    for name, (restype, argtypes) in protos.items():
        function = getattr(user32, name)
        function.restype, function.argtypes = restype, argtypes
    if hasattr(user32, "SetProcessDpiAwarenessContext"):
        user32.SetProcessDpiAwarenessContext.restype = wintypes.BOOL
        user32.SetProcessDpiAwarenessContext.argtypes = [ctypes.c_void_p]
    return user32


def make_dpi_aware(user32: Any) -> str:
    """Make this process per-monitor DPI-aware; return which call did it.

    A ``False`` return (awareness already set, e.g. by mss or a manifest) is not an error:
    awareness can be set once per process.
    """
    set_context = getattr(user32, "SetProcessDpiAwarenessContext", None)
    if set_context is not None:
        set_context(ctypes.c_void_p(DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2))
        return "SetProcessDpiAwarenessContext"
    user32.SetProcessDPIAware()
    return "SetProcessDPIAware"


class Win32Windows:
    """Window lookup via user32; ``user32`` defaults to :func:`load_user32`."""

    def __init__(self, user32: Any | None = None) -> None:
        self._u = load_user32() if user32 is None else user32
        self.dpi_call = make_dpi_aware(self._u)

    def _text(self, hwnd: int) -> str:
        length = int(self._u.GetWindowTextLengthW(hwnd))
        if length <= 0:
            return ""
        buffer = ctypes.create_unicode_buffer(length + 1)
        self._u.GetWindowTextW(hwnd, buffer, length + 1)
        return buffer.value

    def _pid(self, hwnd: int) -> int:
        pid = wintypes.DWORD(0)
        self._u.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return int(pid.value)

    def _top_level(self) -> list[int]:
        handles: list[int] = []

        def collect(hwnd: int, _lparam: int) -> bool:
            handles.append(int(hwnd or 0))
            return True

        self._u.EnumWindows(WNDENUMPROC(collect), 0)
        return handles

    def _client_rect(self, hwnd: int) -> tuple[int, int, int, int]:
        rect = wintypes.RECT()
        if not self._u.GetClientRect(hwnd, ctypes.byref(rect)):
            raise WindowNotFound(explain("GetClientRect failed", got=f"window {hwnd:#x}",
                                         fix="restart the game, then look the window up again"))
        origin = wintypes.POINT(0, 0)
        if not self._u.ClientToScreen(hwnd, ctypes.byref(origin)):
            raise WindowNotFound(explain("ClientToScreen failed", got=f"window {hwnd:#x}"))
        return (int(origin.x), int(origin.y), int(rect.right - rect.left),
                int(rect.bottom - rect.top))

    def _info(self, hwnd: int, title: str, pid: int | None) -> WindowInfo:
        info = WindowInfo(hwnd, title, pid, 0, 0, 0, 0)
        if self._u.IsIconic(hwnd):
            raise minimised_error(info, "minimised")
        if not self._u.IsWindowVisible(hwnd):
            raise minimised_error(info, "hidden")
        return info.moved(*self._client_rect(hwnd))

    def find(self, titles: Sequence[str], pid: int | None) -> WindowInfo:
        if pid is None:
            for title in titles:
                hwnd = int(self._u.FindWindowW(None, title) or 0)
                if hwnd:
                    return self._info(hwnd, title, self._pid(hwnd))
        else:
            found: dict[str, int] = {}
            for hwnd in self._top_level():
                if self._pid(hwnd) == pid and self._u.IsWindowVisible(hwnd):
                    title = self._text(hwnd)
                    if (not titles or title in titles) and title:
                        found.setdefault(title, hwnd)
            for title in (titles or tuple(found)):
                if title in found:
                    return self._info(found[title], title, pid)
        raise not_found_error(titles, pid, self.visible_titles())

    def rect(self, info: WindowInfo) -> WindowInfo:
        if not self._u.IsWindow(info.handle):
            raise WindowNotFound(explain(f"game window {info.title!r} is gone",
                                         expected=f"window {info.handle:#x}", got="no window",
                                         fix="restart the game, then look the window up again"))
        return self._info(info.handle, info.title, info.pid)

    def visible_titles(self) -> list[str]:
        return [t for h in self._top_level() if self._u.IsWindowVisible(h) and
                (t := self._text(h))]

    def close(self) -> None:
        """Nothing to release (user32 needs no connection)."""
