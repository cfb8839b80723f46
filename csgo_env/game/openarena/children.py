"""Start game processes that never outlive us, and stop them.

Every child starts in its own session (its own process group, so a Ctrl-C in the terminal
reaches the agent, not the game) with ``PR_SET_PDEATHSIG = SIGKILL`` set before it runs:
the kernel kills it the moment the thread that started it dies, however that happens
(``SIGKILL`` of our process included). A running child is also killed at interpreter exit
(``atexit``) and by :func:`stop_child` (its ``quit`` line first, then ``SIGKILL`` of the
group: ``SIGTERM`` once deadlocked the client).

Because the parent-death signal follows the starting *thread*, start the game from a
thread that lives as long as the game (the main thread, normally).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

from csgo_env.errors import GameError, explain

PR_SET_PDEATHSIG = 1

_live: dict[int, subprocess.Popen[bytes]] = {}
_lock = threading.Lock()
_atexit_installed = False


def _parent_death_hook() -> Callable[[], None]:
    """The function the child runs between fork and exec (looked up here, in the parent,
    so that the child only calls it: no loader lock is taken after the fork)."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def hook() -> None:
        if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(127)

    return hook


def _kill_all() -> None:
    with _lock:
        procs = list(_live.values())
        _live.clear()
    for proc in procs:
        kill_group(proc)


def spawn(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path,
          stdout: IO[bytes] | int, stderr: IO[bytes] | int) -> subprocess.Popen[bytes]:
    """Start ``argv`` with a stdin pipe, in its own session, killed when we die."""
    global _atexit_installed
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=stdout,
                                stderr=stderr, env=dict(env), cwd=cwd,
                                start_new_session=True,
                                preexec_fn=_parent_death_hook())
    except OSError as exc:
        raise GameError(explain(f"cannot start {argv[0]}", got=f"{type(exc).__name__}: {exc}",
                                fix="install OpenArena (bash scripts/setup_openarena.sh)")
                        ) from exc
    with _lock:
        _live[proc.pid] = proc
        if not _atexit_installed:
            atexit.register(_kill_all)
            _atexit_installed = True
    return proc


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """``SIGKILL`` the child's process group and reap the child (idempotent)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    with contextlib.suppress(Exception):
        proc.wait(5.0)


def send_line(proc: subprocess.Popen[bytes], line: str) -> bool:
    """Write one console line to the child's stdin; ``False`` when it cannot take it."""
    if proc.stdin is None or proc.poll() is not None:
        return False
    try:
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
    except OSError:
        return False
    return True


def stop_child(proc: subprocess.Popen[bytes], *, quit_line: str = "quit",
               timeout_s: float = 3.0) -> int | None:
    """Ask the child to quit, wait ``timeout_s``, then kill its group; returns its exit code."""
    if proc.poll() is None:
        send_line(proc, quit_line)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout_s)
    kill_group(proc)  # also takes down anything it started in its group
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    with _lock:
        _live.pop(proc.pid, None)
    return proc.poll()
