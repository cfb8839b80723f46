"""A private virtual X server (Xvfb) for headless machines: CI, the demo, benchmarks."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

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
