"""The release guardian's Windows side: its own ``SendInput``, and the parent's handle.

Runs inside the guardian process (:mod:`csgo_env.game.input.guardian_process`), standard
library only (``ctypes``; pydirectinput is not loaded). Releases go out as the agent's
backend (:mod:`csgo_env.game.input.win32`) sends presses: keys as DirectInput scan codes
(``KEYEVENTF_SCANCODE | KEYEVENTF_KEYUP``), buttons as ``MOUSEEVENTF_LEFTUP`` /
``MOUSEEVENTF_RIGHTUP``, all in one ``SendInput`` call.

Watching: the parent is opened with ``OpenProcess(SYNCHRONIZE)`` at start (it started us,
so it is alive unless it died in between: then we release at once). A reader thread
takes ``held`` lines from stdin and signals an event at end of file (the pipe breaks when
the agent dies); the main thread waits with ``WaitForMultipleObjects`` on the parent
handle and that event, whichever comes first. Windows has no SIGTERM to catch here:
``TerminateProcess`` on the guardian ends it without a release, which only a deliberate
kill of the guardian itself does.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from ctypes import wintypes
from typing import Any

INPUT_MOUSE, INPUT_KEYBOARD = 0, 1
KEYEVENTF_KEYUP, KEYEVENTF_SCANCODE = 0x0002, 0x0008
MOUSEEVENTF_LEFTUP, MOUSEEVENTF_RIGHTUP = 0x0004, 0x0010
BUTTON_UP_FLAGS = {"left": MOUSEEVENTF_LEFTUP, "right": MOUSEEVENTF_RIGHTUP}
SYNCHRONIZE = 0x00100000
INFINITE = 0xFFFFFFFF
WAIT_OBJECT_0 = 0


class MOUSEINPUT(ctypes.Structure):
    _fields_ = [("dx", wintypes.LONG), ("dy", wintypes.LONG), ("mouseData", wintypes.DWORD),
                ("dwFlags", wintypes.DWORD), ("time", wintypes.DWORD),
                ("dwExtraInfo", ctypes.c_size_t)]


class KEYBDINPUT(ctypes.Structure):
    _fields_ = [("wVk", wintypes.WORD), ("wScan", wintypes.WORD), ("dwFlags", wintypes.DWORD),
                ("time", wintypes.DWORD), ("dwExtraInfo", ctypes.c_size_t)]


class HARDWAREINPUT(ctypes.Structure):
    _fields_ = [("uMsg", wintypes.DWORD), ("wParamL", wintypes.WORD),
                ("wParamH", wintypes.WORD)]


class _INPUTUNION(ctypes.Union):
    _fields_ = [("mi", MOUSEINPUT), ("ki", KEYBDINPUT), ("hi", HARDWAREINPUT)]


class INPUT(ctypes.Structure):
    _fields_ = [("type", wintypes.DWORD), ("ii", _INPUTUNION)]


def load_dlls() -> tuple[Any, Any]:
    """``(user32, kernel32)`` through ``ctypes.WinDLL`` (replaced in the tests)."""
    windll = ctypes.WinDLL  # type: ignore[attr-defined]
    return windll("user32", use_last_error=True), windll("kernel32", use_last_error=True)


class Win32Releaser:
    """Key-up and button-up events through ``user32.SendInput``."""

    def __init__(self, user32: Any, scan_codes: Mapping[str, Any],
                 buttons: Iterable[str]) -> None:
        self._user32 = user32
        self.scan_codes = {k: int(v) for k, v in scan_codes.items()}
        self.buttons = {b: BUTTON_UP_FLAGS[b] for b in buttons if b in BUTTON_UP_FLAGS}
        self.connection = "own SendInput (scan codes)"

    def release(self, keys: list[str], buttons: list[str]) -> None:
        events = []
        for key in keys:
            if key in self.scan_codes:
                ki = KEYBDINPUT(0, self.scan_codes[key], KEYEVENTF_SCANCODE | KEYEVENTF_KEYUP,
                                0, 0)
                events.append(INPUT(INPUT_KEYBOARD, _INPUTUNION(ki=ki)))
        for button in buttons:
            if button in self.buttons:
                mi = MOUSEINPUT(0, 0, 0, self.buttons[button], 0, 0)
                events.append(INPUT(INPUT_MOUSE, _INPUTUNION(mi=mi)))
        if not events:
            return
        array = (INPUT * len(events))(*events)
        sent = int(self._user32.SendInput(wintypes.UINT(len(events)), array,
                                          ctypes.c_int(ctypes.sizeof(INPUT))))
        if sent != len(events):
            last_error = getattr(ctypes, "get_last_error", lambda: None)()  # Windows only
            raise OSError(f"SendInput inserted {sent} of {len(events)} release events "
                          f"(error {last_error})")


def run_win32(spec: dict[str, Any], *, ready: Callable[[Any, list[str]], None],
              fail: Callable[[str], int], stdin_fd: int = 0,
              dlls: tuple[Any, Any] | None = None) -> int:
    """The guardian's Windows main loop (see the module docstring); returns the status."""
    from csgo_env.game.input.guardian_process import HeldState, finish

    try:
        user32, kernel32 = dlls or load_dlls()
        releaser = Win32Releaser(user32, spec["keys"], spec["buttons"])
    except Exception as exc:
        return fail(f"{type(exc).__name__}: {exc}")
    state = HeldState(set(spec["keys"]), set(spec["buttons"]))
    parent = int(kernel32.OpenProcess(wintypes.DWORD(SYNCHRONIZE), wintypes.BOOL(False),
                                      wintypes.DWORD(int(spec["parent"]))) or 0)
    if not parent:
        ready(releaser, ["parent already gone"])
        return finish(releaser, state, "the agent was gone at start")
    eof = int(kernel32.CreateEventW(None, wintypes.BOOL(True), wintypes.BOOL(False), None))
    lock = threading.Lock()

    def read() -> None:
        try:
            while chunk := os.read(stdin_fd, 65536):
                with lock:
                    state.feed(chunk)
        except OSError:
            pass  # ERROR_BROKEN_PIPE: the agent's end is gone
        kernel32.SetEvent(wintypes.HANDLE(eof))

    reader = threading.Thread(target=read, name="guardian-pipe", daemon=True)
    ready(releaser, ["pipe end of file", "parent process handle"])
    reader.start()
    handles = (wintypes.HANDLE * 2)(parent, eof)
    which = int(kernel32.WaitForMultipleObjects(wintypes.DWORD(2), handles,
                                                wintypes.BOOL(False), wintypes.DWORD(INFINITE)))
    why = "the agent process ended" if which == WAIT_OBJECT_0 else "end of the agent's pipe"
    if which == WAIT_OBJECT_0:
        reader.join(0.2)  # the broken pipe follows at once; take its last lines
    with lock:
        code = finish(releaser, state, why)
    for handle in (parent, eof):
        kernel32.CloseHandle(wintypes.HANDLE(handle))
    return code
