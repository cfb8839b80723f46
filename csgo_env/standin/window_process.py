"""Start the window program (:mod:`csgo_env.standin.window`) as a child process.

:class:`WindowProcess` starts ``python -m csgo_env.standin.window``, waits for its ``ready``
log line, exposes the log, and stops the child on :meth:`~WindowProcess.stop` (idempotent,
also a context manager).
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

from csgo_env._python_child import module_command
from csgo_env.errors import GameError, explain
from csgo_env.observations import WINDOW_SIZE
from csgo_env.standin.window import read_log


class WindowProcess:
    """A running window program; ``ready`` holds its ready record (pid, window id, size).

    Arguments mirror the program's options. ``display`` sets ``DISPLAY`` for the child
    (default: inherited). Raises :class:`~csgo_env.errors.GameError` if the child exits or
    is not ready within ``timeout`` seconds; the child is killed in that case.
    """

    def __init__(self, title: str, log: str | os.PathLike[str], *,
                 size: tuple[int, int] = WINDOW_SIZE, position: tuple[int, int] | None = None,
                 frames: str | os.PathLike[str] | None = None, fps: float = 16.0,
                 display: str | None = None, timeout: float = 20.0) -> None:
        self.title = title
        self.log_path = Path(log)
        cmd = module_command("csgo_env.standin.window", "--title", title,
                             "--size", f"{size[0]}x{size[1]}", "--log", str(self.log_path))
        if position is not None:
            cmd += ["--pos", f"{position[0]},{position[1]}"]
        if frames is not None:
            cmd += ["--frames", str(frames), "--fps", str(fps)]
        env = dict(os.environ)
        if display is not None:
            env["DISPLAY"] = display
        self._stderr = self.log_path.with_suffix(self.log_path.suffix + ".stderr")
        with open(self._stderr, "wb") as err:
            self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        self.ready: dict[str, Any] = self._wait_ready(timeout)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def window_id(self) -> int:
        """The X window id reported by SDL (0 where the platform has none)."""
        return int(self.ready["window"])

    def _wait_ready(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in read_log(self.log_path):
                if record.get("type") == "ready" and record.get("pid") == self.proc.pid:
                    return record
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        stderr = self._stderr.read_text(errors="replace")[-2000:]
        raise GameError(explain(f"the window program {self.title!r} did not become ready",
                                expected=f"a ready line in {self.log_path} within {timeout} s",
                                got=f"exit code {self.proc.returncode}; stderr: {stderr!r}",
                                fix="check DISPLAY points at a running X server"))

    def events(self, kinds: tuple[str, ...] = ("key_down", "key_up", "button_down",
                                               "button_up", "motion")) -> list[dict[str, Any]]:
        """The input records logged so far (``ready``/``quit`` left out by default)."""
        return [r for r in read_log(self.log_path) if r.get("type") in kinds]

    def wait_events(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least ``count`` input records are logged; return them all.

        Returns what was logged by the deadline even if fewer, so the caller's assertion
        shows what did arrive.
        """
        deadline = time.monotonic() + timeout
        events = self.events()
        while len(events) < count and time.monotonic() < deadline:
            time.sleep(0.01)
            events = self.events()
        return events

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> WindowProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
