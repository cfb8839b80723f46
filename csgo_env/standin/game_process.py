"""Start and drive the replay game process from the environment.

:class:`ReplayProcess` runs ``python -m csgo_env.standin`` (isolated from the current
directory, see :mod:`csgo_env._python_child`) under the current ``DISPLAY`` (or the one
given) in its own session (a Ctrl-C in the terminal reaches the agent, which releases its
keys, not the game), waits for its ``ready`` reply, and then moves it one
frame per env step over its stdin/stdout (``reset N`` / ``next``; see
:mod:`csgo_env.standin.game`). Each call returns the game's ``shown`` reply once the frame
is on screen and its GSI POST was answered. :meth:`ReplayProcess.stop` sends ``quit`` (the
game takes the last input, e.g. key releases, logs ``quit`` and exits), then escalates to
SIGTERM and SIGKILL; it is idempotent. If this process dies, the game reads end of input
and exits by itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from csgo_env._python_child import module_command
from csgo_env.errors import EnvTimeout, GameError, explain
from csgo_env.game.profiles import REPLAY
from csgo_env.observations import CROP, WINDOW_SIZE


def _fix_for(stderr_tail: str, log: Path) -> str:
    """The fix to suggest for a replay game that failed, from the end of its stderr."""
    if "ImportError" in stderr_tail or "ModuleNotFoundError" in stderr_tail:
        return ("the game process could not import a module: reinstall the project "
                f"(bash scripts/setup.sh); whole log: {log}")
    if "DISPLAY" in stderr_tail or "X server" in stderr_tail or "video" in stderr_tail:
        return f"check that DISPLAY names a running X server; whole log: {log}"
    return f"read the stderr tail above (whole log: {log})"


class ReplayProcess:
    """The replay game as a child process (arguments: see ``python -m csgo_env.standin -h``).

    ``extra_args`` are appended to the command line (e.g. ``["--sensitivity", "1.0"]`` to
    play a misconfigured game). Nothing starts before :meth:`start`.
    """

    def __init__(self, recordings: Sequence[str | Path], *, input_log: str | Path,
                 gsi_url: str | None = None, token: str | None = None,
                 offsets: str | Path | None = None, title: str = REPLAY.window_titles[0],
                 window_size: tuple[int, int] = WINDOW_SIZE,
                 crop: tuple[int, int, int, int] = CROP,
                 control: str = "stdio", start_frame: int = 0,
                 extra_args: Sequence[str] = (), display: str | None = None) -> None:
        self.input_log = Path(input_log)
        self.title = title
        self.control = control
        cmd = module_command("csgo_env.standin", "--input-log", str(self.input_log),
                             "--title", title,
                             "--window-size", f"{window_size[0]}x{window_size[1]}",
                             "--crop", ",".join(str(v) for v in crop), "--control", control,
                             "--start-frame", str(start_frame))
        for path in recordings:
            cmd += ["--recording", str(path)]
        if gsi_url is not None:
            cmd += ["--gsi-url", gsi_url]
        if token is not None:
            cmd += ["--token", token]
        if offsets is not None:
            cmd += ["--offsets", str(offsets)]
        self.cmd = [*cmd, *extra_args]
        self.display = display
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready: dict[str, Any] | None = None
        self._buf = b""
        self._stderr_path = self.input_log.with_name(self.input_log.name + ".stderr")

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise GameError("the replay game is not started")
        return self.proc.pid

    def start(self, timeout_s: float = 20.0) -> dict[str, Any]:
        """Start the game and wait for its ``ready`` reply (returned; also :attr:`ready`)."""
        if self.proc is not None:
            return self.ready or {}
        env = dict(os.environ)
        if self.display is not None:
            env["DISPLAY"] = self.display
        if not env.get("DISPLAY") and sys.platform.startswith("linux"):
            raise GameError(explain("the replay game needs an X display",
                                    expected="DISPLAY set", got="DISPLAY unset",
                                    fix="run under Xvfb (e.g. xvfb-run) or a desktop session"))
        with open(self._stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=err, env=env, start_new_session=True)
        try:
            self.ready = self._expect("ready", timeout_s)
        except BaseException:
            self.stop(timeout_s=1.0)
            raise
        return self.ready

    def _fail(self, what: str) -> GameError:
        tail = ""
        if self._stderr_path.exists():
            tail = self._stderr_path.read_text(errors="replace")[-1500:]
        code = None if self.proc is None else self.proc.poll()
        return GameError(explain(f"the replay game {what}", got=f"exit code {code}; stderr "
                                 f"tail: {tail!r}", fix=_fix_for(tail, self._stderr_path)))

    def _read_line(self, timeout_s: float) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise EnvTimeout(explain(
                    "the replay game did not answer", expected=f"a reply within {timeout_s:g} s",
                    got="nothing", fix="check the replay game's stderr log "
                                       f"{self._stderr_path}"))
            ready, _, _ = select.select([fd], [], [], remaining)
            if ready:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise self._fail("exited")
                self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def _expect(self, kind: str, timeout_s: float) -> dict[str, Any]:
        record = self._read_line(timeout_s)
        if record.get("type") == "error":
            raise self._fail(f"failed: {record.get('message')}")
        if record.get("type") != kind:
            raise self._fail(f"sent {record!r} instead of {kind!r}")
        return record

    def command(self, line: str, timeout_s: float = 5.0) -> dict[str, Any]:
        """Send one command line and return the ``shown`` reply."""
        if self.proc is None or self.proc.stdin is None or self.proc.poll() is not None:
            raise self._fail("is not running")
        try:
            self.proc.stdin.write(line.encode() + b"\n")
            self.proc.stdin.flush()
        except OSError as exc:
            raise self._fail(f"cannot take commands ({exc})") from exc
        return self._expect("shown", timeout_s)

    def reset(self, frame: int = 0, timeout_s: float = 5.0) -> dict[str, Any]:
        """Show ``frame`` with the player alive; counters keep their values."""
        return self.command(f"reset {int(frame)}", timeout_s)

    def next(self, timeout_s: float = 5.0) -> dict[str, Any]:
        """Show the next frame and play its kill/death flags."""
        return self.command("next", timeout_s)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout_s: float = 5.0) -> int | None:
        """Ask the game to quit, then escalate; returns its exit code (idempotent)."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None and proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.write(b"quit\n")
                proc.stdin.flush()
        for stdio in (proc.stdin, proc.stdout):
            if stdio is not None:
                with contextlib.suppress(OSError):
                    stdio.close()
        try:
            return proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.terminate()
        try:
            return proc.wait(2.0)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
