"""The release guardian process: wait for the agent to vanish, release what it held, exit.

Started by :class:`csgo_env.game.input.guardian.Guardian` as
``python -I -c BOOT SPEC_JSON``; ``main(spec)`` runs here. Standard library only (plus
the input library of its backend, imported by :mod:`~csgo_env.game.input.guardian_x11`
or :mod:`~csgo_env.game.input.guardian_win32`).

Lifecycle:

1. Linux: ask for ``SIGHUP`` when the parent dies (``prctl(PR_SET_PDEATHSIG)``), then
   check that the parent is still the process that started us (it may have died before).
2. Open the backend's own input connection and resolve every key code up front.
3. Write one JSON line ``{"type": "ready", "pid", "connection", "watches", "modules",
   "file"}`` on stdout and close it (``modules``: the top-level modules loaded, to show it
   is light; ``file``: where this module was loaded from).
4. Read ``held a,b,...`` lines from stdin; keep the last set. Linux: the pipe wakes the
   guardian only when it hangs up; its lines are read every :data:`POLL_S` and at the end.
5. On end of file, the parent-death signal (with the parent pid changed: a parent
   *thread* that ends also sends it, and is ignored), a parent pid that changed
   (checked every :data:`POLL_S`) or SIGTERM: read what is still in the pipe, release the
   held keys (sorted) then buttons, wait until the input system has them; on X11 release
   them once more :data:`LATE_INPUT_S` later (a press still on its way from the dead
   agent's own connection); exit 0.
   SIGINT and SIGHUP alone are ignored: the agent handles its own Ctrl-C.

It never presses, moves or clicks: its releasers have no such method.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

LATE_INPUT_S = 0.3
"""X11: the held set is released a second time this long after the first. The dead
agent's own X connection may still have had a press in its buffer; the kernel closes that
socket when the agent exits, and the server runs what it holds, possibly after our first
release (two connections, no order between them)."""
POLL_S = 1.0
"""How often the pipe is read and the parent pid checked, besides waking at once on the
pipe's hang-up and on signals (seconds)."""
PR_SET_PDEATHSIG = 1


class Releaser(Protocol):
    """A backend's release-only connection."""

    connection: str

    def release(self, keys: list[str], buttons: list[str]) -> None: ...


class HeldState:
    """The last ``held`` line received; parses a byte stream of lines."""

    def __init__(self, keys: set[str], buttons: set[str]) -> None:
        self.keys_known, self.buttons_known = keys, buttons
        self.keys: list[str] = []
        self.buttons: list[str] = []
        self._buf = b""

    def feed(self, chunk: bytes) -> None:
        *lines, self._buf = (self._buf + chunk).split(b"\n")
        for raw in lines:
            word, _, names = raw.decode("ascii", "replace").strip().partition(" ")
            if word != "held":
                continue
            got = [n for n in names.split(",") if n]
            self.keys = sorted(n for n in got if n in self.keys_known)
            self.buttons = sorted(n for n in got if n in self.buttons_known)


def _set_parent_death_signal(signum: int) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _ready(releaser: Releaser, watches: list[str]) -> None:
    names = sorted({m.split(".")[0] for m in sys.modules})
    line = json.dumps({"type": "ready", "pid": os.getpid(), "connection": releaser.connection,
                       "watches": watches, "modules": names, "file": __file__})
    with os.fdopen(os.dup(1), "w") as out:
        out.write(line + "\n")
    os.close(1)


def _fail(message: str) -> int:
    with contextlib.suppress(OSError):
        os.write(1, (json.dumps({"type": "error", "message": message}) + "\n").encode())
    return 2


def main(spec: dict[str, Any]) -> int:
    """Run the guardian described by ``spec`` (see :func:`~csgo_env.game.input.guardian.
    guardian_command`); returns the exit status."""
    parent = int(spec["parent"])
    for ignored in ("SIGINT", "SIGHUP", "SIGPIPE"):
        if hasattr(signal, ignored):
            signal.signal(getattr(signal, ignored), signal.SIG_IGN)
    if spec["backend"] == "win32":
        from csgo_env.game.input.guardian_win32 import run_win32

        return run_win32(spec, ready=_ready, fail=_fail)
    pdeath = _set_parent_death_signal(int(signal.SIGHUP))
    state = HeldState(set(spec["keys"]), set(spec["buttons"]))
    try:
        from csgo_env.game.input.guardian_x11 import X11Releaser

        releaser: Releaser = X11Releaser(spec.get("display"), spec["keys"], spec["buttons"])
    except Exception as exc:
        return _fail(f"{type(exc).__name__}: {exc}")
    watches = ["pipe end of file", "parent pid change"]
    if pdeath:
        watches.insert(1, "PR_SET_PDEATHSIG")
    _ready(releaser, watches)
    why = watch_posix(parent, state, pdeath)
    return finish(releaser, state, why, again_after_s=LATE_INPUT_S)


def watch_posix(parent: int, state: HeldState, pdeath: bool, *, stdin_fd: int = 0,
                poll_s: float = POLL_S) -> str:
    """Block until the agent is gone (or SIGTERM); return why.

    The pipe is watched for hang-up only (``poll`` without POLLIN: the agent's writes do
    not wake us); what it holds is read every ``poll_s`` and at the end, so the guardian
    costs no wake-up per step and the pipe never fills.
    """
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w, stdin_fd):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    flags = {"term": False, "hup": False}

    def on(name: str) -> Callable[[int, Any], None]:
        return lambda *_: flags.__setitem__(name, True)

    signal.signal(signal.SIGTERM, on("term"))
    if pdeath:
        signal.signal(signal.SIGHUP, on("hup"))
    poller = select.poll()
    poller.register(stdin_fd, select.POLLHUP | select.POLLERR)
    poller.register(wake_r, select.POLLIN)
    while True:
        if os.getppid() != parent:  # also what a parent-death signal means
            why = "the agent died (parent pid changed)"
            break
        if flags["term"]:
            why = "SIGTERM"
            break
        try:
            events = dict(poller.poll(poll_s * 1000))
        except InterruptedError:
            events = {}
        if wake_r in events:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 512)
        flags["hup"] = False  # a parent thread that ended sends it too: the pid decides
        if not _drain(stdin_fd, state):  # a hang-up (POLLHUP) reads as end of file here
            why = "end of the agent's pipe"
            break
    _drain(stdin_fd, state)  # what the agent wrote just before it died
    return why


def _drain(fd: int, state: HeldState) -> bool:
    """Read what the pipe holds now; False at end of file."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        state.feed(chunk)


def finish(releaser: Releaser, state: HeldState, why: str, *,
           again_after_s: float | None = None) -> int:
    """Release what is held (and, with ``again_after_s``, the same set once more that many
    seconds later: the module docstring's step 5), say so on stderr when anything was,
    return 0 (1 on error). It only ever releases."""
    keys, buttons = list(state.keys), list(state.buttons)
    try:
        releaser.release(keys, buttons)
        if again_after_s is not None and (keys or buttons):
            time.sleep(again_after_s)
            releaser.release(keys, buttons)
    except Exception as exc:
        _say(f"release failed after {why}: {exc}")
        return 1
    if keys or buttons:
        _say(f"{why}; released {', '.join(keys + buttons)}")
    return 0


def _say(text: str) -> None:
    """One line on the agent's stderr (which may be gone)."""
    with contextlib.suppress(OSError, ValueError):
        print(f"csgo_env input guardian: {text}", file=sys.stderr, flush=True)
