"""A private virtual X server (Xvfb) for headless machines: CI, the demo, benchmarks, and
the replay game wherever no display is set (:func:`ensure_display`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from csgo_env.errors import DependencyMissing, GameError, explain


@contextmanager
def virtual_display(size: tuple[int, int] = (1280, 1024), depth: int = 24,
                    *, set_env: bool = True) -> Iterator[str]:
    """Run Xvfb on a free display for the duration of the block; yield ``":N"``.

    With ``set_env`` the ``DISPLAY`` variable points at it inside the block and is restored
    afterwards. The server is terminated (then killed) on exit, whatever happened inside.
    """
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise DependencyMissing(explain(
            "a virtual display needs Xvfb", expected="the Xvfb program on PATH",
            got="not found", fix="apt-get install xvfb (scripts/setup.sh does this)"))
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-screen", "0", f"{size[0]}x{size[1]}x{depth}",
         "-nolisten", "tcp", "-noreset"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    previous = os.environ.get("DISPLAY")
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise GameError(explain("Xvfb did not start", expected="a display number",
                                    got=f"nothing (exit status {proc.poll()})",
                                    fix="run Xvfb by hand to see its error"))
        display = f":{number}"
        if set_env:
            os.environ["DISPLAY"] = display
        yield display
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if set_env:
            if previous is None:
                os.environ.pop("DISPLAY", None)
            else:
                os.environ["DISPLAY"] = previous


class _Shared:
    """The one private Xvfb of :func:`ensure_display` and how many blocks use it."""

    lock = threading.Lock()
    users = 0
    name: str | None = None
    stack: ExitStack | None = None


@contextmanager
def ensure_display(size: tuple[int, int] = (1280, 1024)) -> Iterator[str | None]:
    """An X display to open windows on for the duration of the block; yields its name.

    Off Linux: ``None`` (windows open on the desktop). With ``DISPLAY`` set: that display.
    Without: a private Xvfb (:func:`virtual_display`, ``DISPLAY`` pointed at it), shared by
    every block of this process open at the same time; the first starts it, the last one
    to end stops it and restores ``DISPLAY``. Thread-safe.
    """
    if not sys.platform.startswith("linux"):
        yield None
        return
    with _Shared.lock:
        if _Shared.users:
            _Shared.users += 1
            shared = True
        elif os.environ.get("DISPLAY"):
            shared = False
        else:
            stack = ExitStack()
            _Shared.name = stack.enter_context(virtual_display(size))
            _Shared.stack, _Shared.users, shared = stack, 1, True
        name = _Shared.name if shared else os.environ["DISPLAY"]
    try:
        yield name
    finally:
        if shared:
            with _Shared.lock:
                _Shared.users -= 1
                if _Shared.users == 0 and _Shared.stack is not None:
                    stack, _Shared.stack, _Shared.name = _Shared.stack, None, None
                    stack.close()
