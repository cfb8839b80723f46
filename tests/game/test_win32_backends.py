"""Windows backends with the OS calls replaced at the lowest level.

Window lookup runs against a fake ``user32`` (the same function names, writing RECTs and
POINTs through the ctypes pointers it is given). Input runs the real pydirectinput-rgx code
with only ``user32.dll`` replaced, so the INPUT structures it builds for ``SendInput`` are
decoded and checked: scan codes, KEYEVENTF_SCANCODE / KEYUP flags, relative MOUSEEVENTF_MOVE.

These tests are not executed on Windows here: on Windows the real user32 would be used,
which this machine does not have.
"""

from __future__ import annotations

import ctypes
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from ctypes import wintypes
from typing import Any

import pytest

from csgo_env.errors import DependencyMissing, WindowNotFound
from csgo_env.game.profiles import DIRECTINPUT_SCAN_CODES

pytestmark = pytest.mark.windows_os_call_replaced

Win32Fixture = tuple[Any, list]
"""(Win32Input backend, log of fake user32 calls)."""

WIN = {"title": "Counter-Strike: Global Offensive - Direct3D 9", "hwnd": 0x1A2B, "pid": 4242}


class FakeUser32:
    """user32 with one game window whose client area is 1024x768 at (308, 161)."""

    def __init__(self, *, iconic: bool = False, with_context_call: bool = True) -> None:
        self.calls: list[tuple] = []
        self.iconic = iconic
        self.windows = {0x10: ("Desktop helper", 11, True), WIN["hwnd"]:
                        (WIN["title"], WIN["pid"], True), 0x20: ("Hidden thing", 12, False)}
        if with_context_call:
            self.SetProcessDpiAwarenessContext = self._set_context

    def _set_context(self, context: ctypes.c_void_p) -> int:
        self.calls.append(("SetProcessDpiAwarenessContext", context.value))
        return 1

    def SetProcessDPIAware(self) -> int:
        self.calls.append(("SetProcessDPIAware",))
        return 1

    def FindWindowW(self, cls: None, title: str) -> int:
        self.calls.append(("FindWindowW", title))
        return next((h for h, (t, _, _) in self.windows.items() if t == title), 0)

    def EnumWindows(self, callback: Any, lparam: int) -> int:
        for hwnd in self.windows:
            if not callback(hwnd, lparam):
                break
        return 1

    def IsWindow(self, hwnd: int) -> int:
        return int(hwnd in self.windows)

    def IsWindowVisible(self, hwnd: int) -> int:
        return int(self.windows[hwnd][2])

    def IsIconic(self, hwnd: int) -> int:
        return int(self.iconic and hwnd == WIN["hwnd"])

    def GetWindowTextLengthW(self, hwnd: int) -> int:
        return len(self.windows[hwnd][0])

    def GetWindowTextW(self, hwnd: int, buffer: Any, size: int) -> int:
        buffer.value = self.windows[hwnd][0][: size - 1]
        return len(buffer.value)

    def GetWindowThreadProcessId(self, hwnd: int, pid: Any) -> int:
        pid._obj.value = self.windows[hwnd][1]
        return 1

    def GetClientRect(self, hwnd: int, rect: Any) -> int:
        self.calls.append(("GetClientRect", hwnd))
        r: wintypes.RECT = rect._obj
        r.left, r.top, r.right, r.bottom = 0, 0, 1024, 768
        return 1

    def ClientToScreen(self, hwnd: int, point: Any) -> int:
        p: wintypes.POINT = point._obj
        p.x, p.y = p.x + 308, p.y + 161
        return 1


def test_client_rect_in_screen_pixels_after_dpi_awareness() -> None:
    from csgo_env.game.screen.windows import WindowInfo
    from csgo_env.game.screen.windows_win32 import Win32Windows

    user32 = FakeUser32()
    windows = Win32Windows(user32)
    info = windows.find(["Counter-Strike 2", WIN["title"]], None)
    assert info == WindowInfo(WIN["hwnd"], WIN["title"], WIN["pid"], 308, 161, 1024, 768)
    # DPI awareness (per-monitor v2 = -4) comes before any rectangle is read
    per_monitor_v2 = ctypes.c_void_p(-4).value  # (DPI_AWARENESS_CONTEXT)-4
    assert user32.calls[0] == ("SetProcessDpiAwarenessContext", per_monitor_v2)
    assert user32.calls.index(("GetClientRect", WIN["hwnd"])) > 0
    assert windows.find([], WIN["pid"]) == info  # by pid, through EnumWindows
    assert windows.rect(info) == info


def test_old_windows_falls_back_to_set_process_dpi_aware() -> None:
    from csgo_env.game.screen.windows_win32 import Win32Windows

    user32 = FakeUser32(with_context_call=False)
    assert Win32Windows(user32).dpi_call == "SetProcessDPIAware"
    assert user32.calls[0] == ("SetProcessDPIAware",)


def test_minimised_and_missing_windows() -> None:
    from csgo_env.game.screen.windows_win32 import Win32Windows

    with pytest.raises(WindowNotFound, match=r"minimised.*Fix: restore"):
        Win32Windows(FakeUser32(iconic=True)).find([WIN["title"]], None)
    with pytest.raises(WindowNotFound) as err:
        Win32Windows(FakeUser32()).find(["Counter-Strike 2"], None)
    assert "'Desktop helper'" in str(err.value) and "Hidden thing" not in str(err.value)
    with pytest.raises(WindowNotFound, match="owned by pid 1"):
        Win32Windows(FakeUser32()).find([WIN["title"]], 1)


def test_real_user32_is_refused_off_windows() -> None:
    from csgo_env.game.screen.windows_win32 import load_user32

    if sys.platform != "win32":
        with pytest.raises(DependencyMissing, match="only on Windows"):
            load_user32()


# --- input: pydirectinput-rgx with user32.dll replaced -----------------------------------

class FakeFunction:
    """A ctypes function stand-in: accepts argtypes/restype, records calls."""

    def __init__(self, name: str, log: list) -> None:
        self.name, self.log = name, log
        self.argtypes: Any = None
        self.restype: Any = None

    def __call__(self, *args: Any) -> int:
        self.log.append((self.name, args))
        if self.name == "SendInput":
            return int(args[0].value)  # every event inserted
        return 0


def fake_windll_class(log: list) -> type:
    class FakeWinDLL:
        def __init__(self, name: str, *args: Any, **kw: Any) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> FakeFunction:
            if attr.startswith("_"):
                raise AttributeError(attr)
            function = FakeFunction(attr, log)
            setattr(self, attr, function)
            return function

    return FakeWinDLL


@pytest.fixture
def win32_input(monkeypatch: pytest.MonkeyPatch) -> Iterator[Win32Fixture]:
    if importlib.util.find_spec("pydirectinput") is None:
        pytest.skip("pydirectinput-rgx is not installed (pip install pydirectinput-rgx)")
    log: list = []
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(ctypes, "WinDLL", fake_windll_class(log), raising=False)
    monkeypatch.delitem(sys.modules, "pydirectinput", raising=False)
    from csgo_env.game.input.win32 import Win32Input
    from csgo_env.game.profiles import CSGO

    backend = Win32Input(CSGO)
    yield backend, log
    monkeypatch.delitem(sys.modules, "pydirectinput", raising=False)


def sent(log: list) -> list[tuple]:
    """Decode SendInput calls into ("key", scan, flags) / ("mouse", dx, dy, flags)."""
    out = []
    for name, args in log:
        if name != "SendInput":
            continue
        count, array, _size = args
        for i in range(int(count.value)):
            item = array[i]
            if item.type == 1:
                out.append(("key", item.ii.ki.wScan, item.ii.ki.dwFlags))
            else:
                out.append(("mouse", item.ii.mi.dx, item.ii.mi.dy, item.ii.mi.dwFlags))
    return out


SCANCODE, KEYUP = 0x0008, 0x0002
MOVE, LEFTDOWN, LEFTUP, RIGHTDOWN, RIGHTUP, ABSOLUTE = 0x1, 0x2, 0x4, 0x8, 0x10, 0x8000


def test_keys_go_as_directinput_scan_codes(win32_input: Win32Fixture) -> None:
    backend, log = win32_input
    for key in DIRECTINPUT_SCAN_CODES:
        backend.key_down(key)
        backend.key_up(key)
    expected = []
    for code in DIRECTINPUT_SCAN_CODES.values():
        expected += [("key", code, SCANCODE), ("key", code, SCANCODE | KEYUP)]
    assert sent(log) == expected
    assert sent(log)[0] == ("key", 0x11, SCANCODE)  # w


def test_mouse_moves_are_relative_and_buttons_explicit(win32_input: Win32Fixture) -> None:
    backend, log = win32_input
    backend.move_relative(37, -12)
    backend.move_relative(0, 0)  # nothing sent
    backend.button_down("left")
    backend.button_up("left")
    backend.button_down("right")
    backend.button_up("right")
    assert sent(log) == [("mouse", 37, -12, MOVE), ("mouse", 0, 0, LEFTDOWN),
                         ("mouse", 0, 0, LEFTUP), ("mouse", 0, 0, RIGHTDOWN),
                         ("mouse", 0, 0, RIGHTUP)]
    assert not any(flags & ABSOLUTE for *_, flags in sent(log))
    # no cursor query (fail-safe off) and no pause between calls
    assert not any(name == "GetCursorPos" for name, _ in log)
    pdi = sys.modules["pydirectinput"]
    assert pdi.PAUSE == 0 and pdi.FAILSAFE is False


def test_controller_over_win32_sends_split_moves_and_releases(win32_input: Win32Fixture) -> None:
    from csgo_env.actions import Action
    from csgo_env.game.input.controller import ActionController

    backend, log = win32_input
    with ActionController(backend, release_on_exit=False) as ctl:
        ctl.apply(Action(frozenset({"w"}), fire=True, mouse_x_bin=16, mouse_y_bin=4))
    assert sent(log) == [("key", 0x11, SCANCODE), ("mouse", 0, 0, LEFTDOWN),
                         ("mouse", 15, -5, MOVE), ("mouse", 15, -5, MOVE),
                         ("key", 0x11, SCANCODE | KEYUP), ("mouse", 0, 0, LEFTUP)]


def test_win32_input_is_refused_off_windows() -> None:
    from csgo_env.game.input.win32 import load_pydirectinput

    if sys.platform != "win32":
        with pytest.raises(DependencyMissing, match="only on Windows"):
            load_pydirectinput()


def test_win32_backend_tells_its_guardian_the_scan_codes(win32_input: Win32Fixture) -> None:
    from csgo_env.game.input.guardian import GuardianSpec

    backend, _ = win32_input
    assert backend.guardian_spec() == GuardianSpec("win32", dict(DIRECTINPUT_SCAN_CODES),
                                                   ("left", "right"))
