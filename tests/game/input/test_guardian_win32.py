"""The Windows release guardian with the OS calls replaced at the lowest level.

``ctypes.WinDLL`` is replaced by fake ``user32`` / ``kernel32`` objects with the same
function names: ``SendInput`` decodes the INPUT structures it is given (scan codes,
KEYEVENTF / MOUSEEVENTF flags), ``OpenProcess`` / ``CreateEventW`` / ``SetEvent`` /
``WaitForMultipleObjects`` / ``CloseHandle`` act on handles the test controls (the
parent's "process ends" when the test says so). The guardian's own loop runs for real in
a thread, reading a real pipe.

These tests are not executed on Windows here: on Windows the real user32 and kernel32
would be used, which this machine does not have.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from csgo_env.game.profiles import DIRECTINPUT_SCAN_CODES

pytestmark = pytest.mark.windows_os_call_replaced

SCANCODE, KEYUP = 0x0008, 0x0002
LEFTUP, RIGHTUP = 0x0004, 0x0010
PARENT, EVENT = 0x50, 0x60


class FakeOS:
    """user32 + kernel32: records calls; two waitable handles (the parent, the event)."""

    def __init__(self, *, parent_alive: bool = True, insert: int | None = None) -> None:
        self.calls: list[tuple[str, tuple]] = []
        self.sent: list[tuple] = []
        self.parent_alive = parent_alive
        self.insert = insert
        self.signalled = {PARENT: threading.Event(), EVENT: threading.Event()}
        self.waiting = threading.Event()

    # user32
    def SendInput(self, count: Any, array: Any, size: Any) -> int:
        self.calls.append(("SendInput", (count.value, size.value)))
        for i in range(count.value):
            item = array[i]
            if item.type == 1:
                self.sent.append(("key", item.ii.ki.wScan, item.ii.ki.dwFlags))
            else:
                self.sent.append(("mouse", item.ii.mi.dx, item.ii.mi.dy, item.ii.mi.dwFlags))
        return count.value if self.insert is None else self.insert

    # kernel32
    def OpenProcess(self, access: Any, inherit: Any, pid: Any) -> int:
        self.calls.append(("OpenProcess", (access.value, inherit.value, pid.value)))
        return PARENT if self.parent_alive else 0

    def CreateEventW(self, attrs: Any, manual: Any, initial: Any, name: Any) -> int:
        self.calls.append(("CreateEventW", (manual.value, initial.value)))
        return EVENT

    def SetEvent(self, handle: Any) -> int:
        self.calls.append(("SetEvent", (handle.value,)))
        self.signalled[handle.value].set()
        return 1

    def WaitForMultipleObjects(self, count: Any, handles: Any, wait_all: Any,
                               timeout: Any) -> int:
        wanted = [handles[i] for i in range(count.value)]
        self.calls.append(("WaitForMultipleObjects", (tuple(wanted), wait_all.value,
                                                      timeout.value)))
        self.waiting.set()
        while True:
            for index, handle in enumerate(wanted):
                if self.signalled[handle].wait(0.005):
                    return index

    def CloseHandle(self, handle: Any) -> int:
        self.calls.append(("CloseHandle", (handle.value,)))
        return 1

    def end_parent(self) -> None:
        self.signalled[PARENT].set()


class FakeWinDLL:
    os_calls: FakeOS

    def __init__(self, name: str, **kw: Any) -> None:
        self.name = name
        self._os = type(self).os_calls  # kept: a late call after the test stays harmless

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("_"):
            raise AttributeError(attr)
        return getattr(self._os, attr)


@pytest.fixture
def fake_os(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOS]:
    os_calls = FakeOS()
    monkeypatch.setattr(FakeWinDLL, "os_calls", os_calls, raising=False)
    monkeypatch.setattr(ctypes, "WinDLL", FakeWinDLL, raising=False)
    yield os_calls


SPEC = {"backend": "win32", "keys": dict(DIRECTINPUT_SCAN_CODES), "buttons": ["left", "right"],
        "parent": 4242}


class Run:
    """``run_win32`` in a thread, reading the read end of a real pipe."""

    def __init__(self, spec: dict[str, Any] = SPEC) -> None:
        from csgo_env.game.input.guardian_win32 import run_win32

        self.read_fd, self.write_fd = os.pipe()
        self.ready: list[list[str]] = []
        self.failed: list[str] = []
        self.code: list[int] = []
        self.thread = threading.Thread(target=lambda: self.code.append(run_win32(
            spec, ready=lambda releaser, watches: self.ready.append(watches),
            fail=lambda message: self.failed.append(message) or 2, stdin_fd=self.read_fd)))
        self.thread.start()

    def send(self, line: str) -> None:
        os.write(self.write_fd, line.encode())

    def close_pipe(self) -> None:
        if self.write_fd >= 0:
            os.close(self.write_fd)
            self.write_fd = -1

    def join(self) -> int:
        self.thread.join(5)
        assert not self.thread.is_alive()
        self.close_pipe()  # the guardian's pipe reader ends at end of file
        for reader in [t for t in threading.enumerate() if t.name == "guardian-pipe"]:
            reader.join(5)
        os.close(self.read_fd)
        return self.code[0]


def test_pipe_end_releases_what_was_held_as_scan_codes(fake_os: FakeOS) -> None:
    run = Run()
    run.send("held w,shift,left\n")
    run.send("held w,shift,left,right\n")
    run.send("held shift,right\n")  # the last line counts
    assert fake_os.waiting.wait(5)
    run.close_pipe()
    assert run.join() == 0
    assert run.ready == [["pipe end of file", "parent process handle"]]
    assert fake_os.sent == [("key", DIRECTINPUT_SCAN_CODES["shift"], SCANCODE | KEYUP),
                            ("mouse", 0, 0, RIGHTUP)]
    assert ("OpenProcess", (0x00100000, 0, 4242)) in fake_os.calls  # SYNCHRONIZE on the parent
    wait = next(args for name, args in fake_os.calls if name == "WaitForMultipleObjects")
    assert wait == ((PARENT, EVENT), 0, 0xFFFFFFFF)  # either one, no timeout
    assert ("CloseHandle", (PARENT,)) in fake_os.calls


def test_parent_handle_releases_while_the_pipe_stays_open(fake_os: FakeOS) -> None:
    """A handle to the pipe inherited elsewhere keeps it open: the process handle decides."""
    run = Run()
    run.send("held w,d,fire_is_not_a_key,left\n")
    assert fake_os.waiting.wait(5)
    fake_os.end_parent()
    run.thread.join(5)
    assert not run.thread.is_alive()
    assert fake_os.sent == [("key", 0x20, SCANCODE | KEYUP), ("key", 0x11, SCANCODE | KEYUP),
                            ("mouse", 0, 0, LEFTUP)]
    assert all(flags & KEYUP or flags in (LEFTUP, RIGHTUP) for *_, flags in fake_os.sent)
    assert run.join() == 0


def test_parent_gone_at_start_and_nothing_held(fake_os: FakeOS) -> None:
    fake_os.parent_alive = False
    run = Run()
    assert run.join() == 0
    assert run.ready == [["parent already gone"]]
    assert fake_os.sent == [] and not any(n == "SendInput" for n, _ in fake_os.calls)


def test_refused_release_is_reported(fake_os: FakeOS, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    fake_os.insert = 0  # UIPI: a game at a higher integrity level refuses our input
    run = Run()
    run.send("held w\n")
    assert fake_os.waiting.wait(5)
    run.close_pipe()
    assert run.join() == 1
    assert "SendInput inserted 0 of 1" in capsys.readouterr().err


def test_without_user32_the_guardian_fails_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(ctypes, "WinDLL", raising=False)
    run = Run()
    assert run.join() == 2 and run.ready == []
    assert run.failed and "WinDLL" in run.failed[0]


def test_agent_side_starts_it_in_its_own_process_group(monkeypatch: pytest.MonkeyPatch
                                                      ) -> None:
    import json

    from csgo_env.game.input.guardian import GuardianSpec, _popen_options, guardian_command

    monkeypatch.setattr(sys, "platform", "win32")
    assert _popen_options() == {"creationflags": 0x200}  # CREATE_NEW_PROCESS_GROUP
    cmd = guardian_command(GuardianSpec("win32", {"w": 0x11}), parent_pid=77)
    assert cmd[:3] == [sys.executable, "-I", "-c"]
    payload = json.loads(cmd[4])
    assert payload["backend"] == "win32" and payload["parent"] == 77
    assert payload["keys"] == {"w": 0x11} and payload["buttons"] == ["left", "right"]
