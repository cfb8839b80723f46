"""Find a running process by executable name.

Linux reads ``/proc/*/comm`` (the kernel keeps only its first 15 characters) and
``/proc/*/cmdline``; a name matches the comm, or the last part of ``argv[0]`` split on
``/`` and ``\\`` (so ``csgo.exe`` started by Wine/Proton matches too). Windows uses psutil
when it is installed, else a Toolhelp32 snapshot (:mod:`csgo_env.game.memory.win32`).
Names compare case-insensitively on Windows, exactly on Linux.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from csgo_env.errors import GameNotRunning, explain
from csgo_env.game.profiles import GameProfile

_COMM_LEN = 15


@dataclass(frozen=True)
class ProcessInfo:
    """One process: ``name`` is the comm (Linux) or the exe name (Windows)."""

    pid: int
    name: str
    cmdline: tuple[str, ...] = ()


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:  # the process exited meanwhile, or it is not ours to read
        return None


def _list_linux() -> list[ProcessInfo]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        comm = _read(f"/proc/{entry}/comm")
        if comm is None:
            continue
        raw = _read(f"/proc/{entry}/cmdline") or b""
        args = tuple(a.decode(errors="replace") for a in raw.split(b"\0") if a)
        out.append(ProcessInfo(int(entry), comm.decode(errors="replace").rstrip("\n"), args))
    return out


def _list_windows() -> list[ProcessInfo]:
    if importlib.util.find_spec("psutil") is not None:
        import psutil

        return [ProcessInfo(p.info["pid"], p.info["name"] or "")
                for p in psutil.process_iter(["pid", "name"])]
    from csgo_env.game.memory.win32 import list_processes_win32

    return [ProcessInfo(pid, name) for pid, name in list_processes_win32()]


def list_processes(platform: str = sys.platform) -> list[ProcessInfo]:
    """Every process visible to this user, sorted by pid."""
    procs = _list_windows() if platform == "win32" else _list_linux()
    return sorted(procs, key=lambda p: p.pid)


def _matches(proc: ProcessInfo, name: str, platform: str) -> bool:
    fold = (lambda s: s.lower()) if platform == "win32" else (lambda s: s)
    want = fold(name)
    if fold(proc.name) in (want, want[:_COMM_LEN]):
        return True
    if proc.cmdline:
        argv0 = proc.cmdline[0].replace("\\", "/").rsplit("/", 1)[-1]
        return fold(argv0) == want
    return False


def find_processes(names: str | Iterable[str], *, cmdline_contains: str | None = None,
                   platform: str = sys.platform) -> list[ProcessInfo]:
    """Processes whose name is one of ``names`` (and whose command line contains
    ``cmdline_contains``, when given), sorted by pid; the current process is left out."""
    wanted = [names] if isinstance(names, str) else list(names)
    me = os.getpid()
    return [p for p in list_processes(platform)
            if p.pid != me and any(_matches(p, n, platform) for n in wanted)
            and (cmdline_contains is None or cmdline_contains in " ".join(p.cmdline))]


def find_game_process(profile: GameProfile, *, platform: str = sys.platform,
                      cmdline_contains: str | None = None) -> ProcessInfo:
    """The game's process (lowest pid when several match) or :class:`GameNotRunning`."""
    names = profile.process_names.get(platform, ())
    found = find_processes(names, cmdline_contains=cmdline_contains, platform=platform)
    if not found:
        raise GameNotRunning(explain(
            f"{profile.display_name} is not running", expected=f"a process named "
            f"{' or '.join(names) or '(none known for this platform)'}", got="no such process",
            fix=f"start the game first ({profile.launch_hint})" if profile.launch_hint
            else "start the game first"))
    return found[0]
