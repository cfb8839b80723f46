"""Window lookup on a real X server (Xvfb) against real windows of the window program."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from csgo_env.errors import ArgumentError, UnknownBackend, WindowNotFound
from csgo_env.game.screen.windows import (
    WindowInfo,
    backend_names,
    find_window,
    resolve_backend_name,
    window_rect,
)
from csgo_env.standin.window_process import WindowProcess

StartWindow = Callable[..., WindowProcess]
T = TypeVar("T")

pytestmark = pytest.mark.xvfb


def x_call(window_id: int, method: str, **kw: int) -> None:
    """Call an Xlib window method (configure, unmap, map) on the window, synchronously."""
    from Xlib.display import Display

    d = Display()
    try:
        getattr(d.create_resource_object("window", window_id), method)(**kw)
        d.sync()
    finally:
        d.close()


def wait_for(predicate: Callable[[], T], timeout: float = 3.0) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


def test_find_by_title_gives_client_rect_pid_and_handle(start_window: StartWindow) -> None:
    win = start_window(position=(40, 50))
    info = find_window(["no such title", win.title], backend="x11")
    assert info == WindowInfo(handle=win.window_id, title=win.title, pid=win.pid, left=40,
                              top=50, width=1024, height=768)
    assert find_window([win.title]) == info  # "auto" is x11 here


def test_find_by_pid_alone_and_with_title(start_window: StartWindow) -> None:
    win = start_window(position=(10, 20), size=(640, 480))
    by_pid = find_window([], pid=win.pid)
    assert (by_pid.handle, by_pid.title, by_pid.size) == (win.window_id, win.title, (640, 480))
    assert (by_pid.left, by_pid.top) == (10, 20)
    assert find_window([win.title], pid=win.pid) == by_pid
    with pytest.raises(WindowNotFound, match=f"owned by pid {win.pid + 100000}"):
        find_window([win.title], pid=win.pid + 100000)


def test_missing_window_lists_visible_titles(start_window: StartWindow) -> None:
    win = start_window()
    with pytest.raises(WindowNotFound) as err:
        find_window(["Counter-Strike 2"])
    message = str(err.value)
    assert "'Counter-Strike 2'" in message
    assert repr(win.title) in message  # the visible windows are listed
    assert "Fix:" in message and "windowed" in message


def test_unmapped_window_is_a_clear_error(start_window: StartWindow) -> None:
    win = start_window()
    info = find_window([win.title])
    x_call(win.window_id, "unmap")
    with pytest.raises(WindowNotFound, match=r"minimised or unmapped.*Fix: restore"):
        find_window([win.title])
    with pytest.raises(WindowNotFound, match="minimised or unmapped"):
        window_rect(info)
    x_call(win.window_id, "map")
    assert wait_for(lambda: _viewable(win.title))


def _viewable(title: str) -> bool:
    try:
        find_window([title])
    except WindowNotFound:
        return False
    return True


def test_moved_window_is_followed(start_window: StartWindow) -> None:
    win = start_window(position=(0, 0))
    info = find_window([win.title])
    x_call(win.window_id, "configure", x=123, y=77)

    def at_new_place() -> WindowInfo | None:
        rect = window_rect(info)
        return rect if (rect.left, rect.top) == (123, 77) else None

    moved = wait_for(at_new_place)
    assert moved == WindowInfo(info.handle, info.title, info.pid, 123, 77, 1024, 768)


def test_closed_window_is_reported_gone(start_window: StartWindow) -> None:
    win = start_window()
    info = find_window([win.title])
    win.stop()  # the X server destroys the window when its client disconnects
    with pytest.raises(WindowNotFound, match=r"gone.*Fix"):
        window_rect(info)


def test_backend_registry_and_argument_checks() -> None:
    assert set(backend_names()) == {"x11", "win32"}
    assert resolve_backend_name("auto") == ("win32" if sys.platform == "win32" else "x11")
    with pytest.raises(UnknownBackend, match="unknown window backend"):
        find_window(["x"], backend="wayland")
    with pytest.raises(ArgumentError, match="titles or a pid"):
        find_window([])
    with pytest.raises(ArgumentError, match="non-empty strings"):
        find_window(["ok", ""])


def test_no_x_server_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":9999")
    with pytest.raises(WindowNotFound, match=r"cannot connect to the X server.*Fix"):
        find_window(["anything"], backend="x11")
