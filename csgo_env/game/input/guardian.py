"""The release guardian, agent side: a small process that releases held input when we die.

:mod:`csgo_env.game.input.safety` releases on close, exceptions, ``atexit``, SIGTERM and
SIGINT, but only while this process still runs. SIGKILL (the OOM killer, a process-tree
kill, a notebook kernel restart) and crashes in native code (SIGSEGV, SIGABRT) leave keys
held in the game. The guardian is the last line: a child process with its *own*
connection to the input system (its own X connection; its own ``SendInput`` on Windows)
that learns what is held from us and releases it as soon as we are gone, then exits.

Protocol (one way, agent -> guardian, over the guardian's stdin pipe): one text line per
change of the held set, ``held NAME,NAME,...\\n`` (key names of the backend's table and
the buttons ``left`` / ``right``; an empty list when nothing is held). A line is sent only
when the set changes: before a press the guardian is told the union of what is held and
what is about to be pressed, after the releases the exact set, so at every moment the
last line in the pipe names a superset of what the game sees held (a release of a key
that is not down is dropped by the X server). The guardian reads the pipe lazily (Linux:
once a second and at the end; it is woken by the pipe's hang-up, not by each line).
Nothing is sent on a step that changes nothing; a write is one non-blocking ``os.write``
of a few bytes (no reply is awaited, ever). A write that would
block (the guardian stalled with a full pipe) is kept and retried with the next one.

The guardian releases what it was last told when (Linux) its stdin reaches end of file,
its parent-death signal arrives (``PR_SET_PDEATHSIG``) or its parent pid changes; on
Windows when the pipe breaks or the parent's process handle is signalled. It runs in its
own session / process group (a Ctrl-C or a process-group kill aimed at the agent does not
reach it), under ``python -I`` with a fixed import path (a ``csgo_env/`` folder in the
current directory cannot shadow it) and imports only the standard library and the input
library (no numpy, torch, OpenCV or mss). A forked child of the agent (``os.fork``,
multiprocessing, data-loader workers) drops its copy of the pipe, so the guardian still
sees end of file when the agent dies. See :mod:`csgo_env.game.input.guardian_process` for
the guardian's side.

Limits: a kill of the whole process tree or control group (``systemctl stop``, ``taskkill
/T``, a container stop) ends the guardian too; input sent around the controller (the
console typing of ``setup_console``, pressed and released within one call) is not
reported; on Windows a ``TerminateProcess`` of the guardian itself cannot be caught.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import warnings
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from csgo_env.errors import InputBackendError, explain

PROCESS_MODULE = "csgo_env.game.input.guardian_process"
"""The module the guardian runs (``main(spec)``)."""

_BOOT = """\
import importlib, json, sys, types
spec = json.loads(sys.argv[1])
for name, path in spec["packages"]:
    module = types.ModuleType(name)
    module.__path__ = [path]
    sys.modules[name] = module
sys.exit(importlib.import_module(spec["main"]).main(spec))
"""
"""The guardian's ``-c`` program: the packages above the process module become plain
namespaces at the paths this process imported them from (their ``__init__`` is not run,
so nothing heavy loads), then the module's ``main(spec)`` runs."""


@dataclass(frozen=True)
class GuardianSpec:
    """How a guardian reaches the input system a backend injects into.

    ``backend``: ``"x11"`` or ``"win32"``. ``keys``: key name -> X11 keysym name (x11) or
    DirectInput scan code (win32), every key the backend may press. ``buttons``: the mouse
    button names it may press. ``display``: the X display (x11; None: ``$DISPLAY``).
    """

    backend: str
    keys: Mapping[str, str | int]
    buttons: tuple[str, ...] = ("left", "right")
    display: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def guardian_command(spec: GuardianSpec, parent_pid: int | None = None) -> list[str]:
    """The guardian's command line: an isolated interpreter running :data:`_BOOT`."""
    import importlib

    packages = []
    parts = PROCESS_MODULE.split(".")[:-1]
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        package = importlib.import_module(name)
        packages.append((name, str(Path(next(iter(package.__path__))).resolve())))
    payload = {"main": PROCESS_MODULE, "packages": packages, "backend": spec.backend,
               "keys": dict(spec.keys), "buttons": list(spec.buttons),
               "display": spec.display, "parent": parent_pid or os.getpid(),
               **dict(spec.extra)}
    return [sys.executable, "-I", "-c", _BOOT, json.dumps(payload)]


def _popen_options() -> dict[str, Any]:
    """Own session (POSIX) / own process group (Windows); no inherited descriptors."""
    if sys.platform == "win32":
        return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200)}
    return {"start_new_session": True, "cwd": "/"}


_live: weakref.WeakSet[Guardian] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for guardian in list(_live):
        guardian._forget()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class Guardian:
    """A running guardian process for one backend; see the module docstring.

    ``aliases`` maps the caller's names to the wire names (the controller's ``fire`` ->
    ``left``). Use :meth:`start`; :meth:`expect` before pressing, :meth:`report` after
    releasing, :meth:`close` on a clean shutdown (after everything was released).
    """

    def __init__(self, proc: subprocess.Popen[bytes], ready: dict[str, Any],
                 aliases: Mapping[str, str]) -> None:
        self.proc: subprocess.Popen[bytes] | None = proc
        self.ready = ready
        self.aliases = dict(aliases)
        self._fd = proc.stdin.fileno() if proc.stdin is not None else -1
        self._known: frozenset[str] = frozenset()
        self._pending: bytes | None = None
        self._lock = threading.RLock()  # a release-on-signal handler may re-enter _send
        self.lost: str | None = None
        """Why the guardian stopped listening (None while it runs)."""
        self.superset_only = False
        """Set by :meth:`keep_superset`: :meth:`report` no longer shrinks the set."""
        with contextlib.suppress(OSError, ValueError):
            os.set_blocking(self._fd, False)  # Windows: pipes only from Python 3.12
        _live.add(self)

    @classmethod
    def start(cls, spec: GuardianSpec, *, aliases: Mapping[str, str] | None = None,
              timeout_s: float = 10.0) -> Guardian:
        """Start a guardian for ``spec`` and wait until it holds its own input connection.

        Raises :class:`~csgo_env.errors.InputBackendError` (the guardian's reason) when it
        exits or stays silent for ``timeout_s``; no process is left running then.
        """
        proc = subprocess.Popen(guardian_command(spec), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=None, close_fds=True,
                                **_popen_options())
        line = _read_line(proc, timeout_s)
        try:
            ready = json.loads(line) if line else {}
        except ValueError:
            ready = {"type": "garbled", "line": line[:200]}
        if ready.get("type") != "ready":
            _stop(proc, 0.0)
            raise InputBackendError(explain(
                "the input release guardian did not start", expected=f"a ready line within "
                f"{timeout_s:g} s", got=f"{ready.get('message') or line or 'nothing'!r} "
                f"(exit status {proc.returncode})",
                fix="check that the input system is reachable (DISPLAY, python-xlib); keys "
                    "are still released on close, exceptions, exit, SIGTERM and SIGINT"))
        if proc.stdout is not None:
            proc.stdout.close()
        return cls(proc, ready, aliases or {})

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def known(self) -> frozenset[str]:
        """What the guardian was last told is (or may be) held, in the caller's names."""
        return self._known

    def running(self) -> bool:
        return self.proc is not None and self.lost is None and self.proc.poll() is None

    def describe(self) -> str:
        """One line: pid, input connection and what it watches."""
        r = self.ready
        return (f"pid {self.pid}, {r.get('connection', '?')}, releases on "
                f"{', '.join(r.get('watches', ())) or '?'}")

    # --- per step (cheap: set operations; a write only on a change) -------------------
    def expect(self, names: Iterable[str]) -> None:
        """About to press ``names``: make sure the guardian will release them too."""
        if self._fd < 0 or (self._pending is None and self._known.issuperset(names)):
            return
        self._send(self._known.union(names))

    def report(self, names: Iterable[str]) -> None:
        """``names`` is exactly what is held now (after releases)."""
        if self.superset_only:
            self.expect(names)
            return
        now = frozenset(names)
        if self._fd < 0 or (now == self._known and self._pending is None):
            return
        self._send(now)

    def keep_superset(self) -> None:
        """From now on only add names: a release overtook presses still on their way (X11:
        a release sent on another connection from a signal handler), so what the game
        holds is no longer known exactly. The guardian then releases every name it was told
        since; the X server drops releases of keys that are up."""
        self.superset_only = True

    def _send(self, names: frozenset[str]) -> None:
        with self._lock:
            self._known = names
            wire = sorted(self.aliases.get(n, n) for n in names)
            data = f"held {','.join(wire)}\n".encode("ascii")
            try:
                os.write(self._fd, data)  # < PIPE_BUF: all or nothing
                self._pending = None
            except BlockingIOError:
                self._pending = data  # sent again with the next change (or report)
            except OSError as exc:
                self._lose(f"{type(exc).__name__}: {exc}")

    def _lose(self, why: str) -> None:
        if self.lost is None:
            self.lost = why
            self._fd = -1
            warnings.warn(f"the input release guardian stopped listening ({why}); held keys "
                          "are still released on close, exceptions, exit, SIGTERM and SIGINT",
                          RuntimeWarning, stacklevel=3)

    # --- end -----------------------------------------------------------------------
    def close(self, timeout_s: float = 2.0) -> int | None:
        """Close the pipe (the guardian releases what it was last told, then exits) and
        reap it; returns its exit status (idempotent)."""
        proc, self.proc = self.proc, None
        self._fd = -1
        _live.discard(self)
        if proc is None:
            return None
        return _stop(proc, timeout_s)

    def detach(self, timeout_s: float = 2.0) -> int | None:
        """Stop the guardian *without* a release: it is told nothing is held, then closed."""
        if self._fd >= 0:
            self.superset_only = False
            self._send(frozenset())
        return self.close(timeout_s)

    def _forget(self) -> None:
        """In a forked child: drop our copy of the pipe without touching the guardian."""
        fd, self._fd, self.proc = self._fd, -1, None
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)


def _read_line(proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    out: list[bytes] = []
    assert proc.stdout is not None
    stdout = proc.stdout
    reader = threading.Thread(target=lambda: out.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    return out[0].decode("utf-8", "replace").strip() if out else ""


def _stop(proc: subprocess.Popen[bytes], timeout_s: float) -> int | None:
    if proc.stdin is not None:
        with contextlib.suppress(OSError):
            proc.stdin.close()
    deadline = time.monotonic() + timeout_s
    try:
        return proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()
    finally:
        if proc.stdout is not None:
            with contextlib.suppress(OSError):
                proc.stdout.close()


def start_for(backend: object, *, aliases: Mapping[str, str] | None = None,
              timeout_s: float = 10.0) -> Guardian | None:
    """A guardian for ``backend`` if it can be guarded (has ``guardian_spec()``), else None.

    A guardian that cannot start is a warning, not an error: the other release paths
    still work.
    """
    spec_of = getattr(backend, "guardian_spec", None)
    if spec_of is None:
        return None
    try:
        return Guardian.start(spec_of(), aliases=aliases, timeout_s=timeout_s)
    except InputBackendError as exc:
        warnings.warn(str(exc), RuntimeWarning, stacklevel=3)
        return None
