"""Windows process memory through pymem (``ReadProcessMemory`` and friends), read only.

Windows only: off Windows the reader refuses to open (``platform`` says which platform to
act as; tests pass ``"win32"``). pymem is an optional dependency (the ``live`` extra on
Windows); it is imported only when this backend is chosen.

The process is opened with ``pymem.process.open(pid, debug=False,
process_access=READ_ACCESS)`` where ``READ_ACCESS`` is ``PROCESS_VM_READ |
PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE``, never pymem's default all-access, and
never with the debug privilege, so this module cannot write game memory. Reads are
``pymem.memory.read_bytes``; module bases come from ``pymem.process.enum_process_module``
(``EnumProcessModulesEx`` with ``LIST_MODULES_ALL``, which also lists the modules of a
32-bit WOW64 process such as CS:GO from 64-bit Python); the pointer size from
``pymem.process.is_wow64``; whether the game still runs from ``WaitForSingleObject``; the
process list from ``pymem.process.list_processes``.

Every OS call goes through pymem's ctypes function objects (``pymem.ressources.kernel32``
and ``.psapi``); tests on Linux replace exactly those with functions that emulate kernel32
over byte arrays (the OS call replaced at the lowest level).
"""

from __future__ import annotations

import sys
import weakref
from types import ModuleType

from csgo_env._optional import require
from csgo_env.errors import DependencyMissing, MemoryReadError, ProcessExited, explain
from csgo_env.game.memory.readers import MemoryReaderBase, check_range, unclosed_warning

PROCESS_VM_READ = 0x0010
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
SYNCHRONIZE = 0x0010_0000
READ_ACCESS = PROCESS_VM_READ | PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE
"""The only rights asked for: read memory, query the process, wait for its exit."""
WAIT_TIMEOUT = 0x102
ERROR_INVALID_PARAMETER = 87  # OpenProcess on a pid that does not exist


def load_pymem(platform: str = sys.platform) -> ModuleType:
    """The ``pymem`` package with its ``process`` and ``memory`` modules. Windows only."""
    if platform != "win32":
        raise DependencyMissing(explain(
            "the win32 memory backend runs only on Windows",
            got=f"sys.platform == {platform!r}", fix="use backend='auto' on Linux"))
    pymem = require("pymem", extra="live", purpose="reading the game's memory on Windows")
    for name in ("pymem.process", "pymem.memory", "pymem.exception"):
        __import__(name)
    return pymem


def list_processes_win32(platform: str = sys.platform) -> list[tuple[int, str]]:
    """``(pid, exe name)`` of every process, from a Toolhelp32 process snapshot (each pid
    once: pymem's generator yields the first entry twice)."""
    pymem = load_pymem(platform)
    seen: dict[int, str] = {}
    for entry in pymem.process.list_processes():
        name = entry.szExeFile  # the ctypes field: bytes in the ANSI code page
        text = name.decode(errors="replace") if isinstance(name, bytes) else str(name)
        seen.setdefault(int(entry.th32ProcessID), text)
    return list(seen.items())


def _close_handle(pymem: ModuleType, handle: int, pid: int) -> None:
    unclosed_warning("Win32ProcessMemory", pid)
    pymem.process.close_handle(handle)


class Win32ProcessMemory(MemoryReaderBase):
    """Reads through pymem on a read-only process handle. ``pointer_size=None``: 4 for a
    WOW64 (32-bit) process, else 8."""

    def __init__(self, pid: int, *, pointer_size: int | None = None,
                 platform: str = sys.platform) -> None:
        pymem = load_pymem(platform)
        handle = pymem.process.open(pid, debug=False, process_access=READ_ACCESS)
        if not handle:
            err = int(pymem.ressources.kernel32.GetLastError())
            cls = ProcessExited if err == ERROR_INVALID_PARAMETER else MemoryReadError
            raise cls(explain(f"cannot open process {pid} for reading", got=f"Windows error "
                              f"{err}", fix="start the game; run csgo_env as the same user "
                              "(not elevated games with a non-elevated Python)"))
        self._pymem, self._handle = pymem, handle
        self._finalizer = weakref.finalize(self, _close_handle, pymem, handle, pid)
        self._finalizer.atexit = False
        if pointer_size is None:
            pointer_size = 4 if pymem.process.is_wow64(handle) else 8
        super().__init__(pid, pointer_size)

    def _alive(self) -> bool:
        kernel32 = self._pymem.ressources.kernel32
        return int(kernel32.WaitForSingleObject(self._handle, 0)) == WAIT_TIMEOUT

    def read(self, address: int, size: int) -> bytes:
        if self._handle is None:
            raise MemoryReadError(explain("read on a closed reader", fix="open a new one"))
        check_range(address, size)
        pymem = self._pymem
        try:
            data: bytes = pymem.memory.read_bytes(self._handle, address, size)
        except pymem.exception.WinAPIError as exc:
            err = exc.error_code
        else:
            if len(data) == size:
                return data
            err = None
        if not self._alive():
            raise ProcessExited(explain(f"process {self.pid} has exited",
                                        fix="restart the game and the environment"))
        raise MemoryReadError(explain(
            f"cannot read {size} bytes at {address:#x} in process {self.pid}",
            expected="a mapped, readable address", got=f"Windows error {err}",
            fix="the address came from a pointer chain: check that the offsets match the "
                "running game build"))

    def modules(self) -> dict[str, int]:
        """Module name -> base address, for every module of the process."""
        found: dict[str, int] = {}
        for info in self._pymem.process.enum_process_module(self._handle):
            found.setdefault(info.name, int(info.lpBaseOfDll or 0))
        return found

    def module_base(self, name: str) -> int:
        mods = self.modules()
        for mod, base in mods.items():
            if mod.lower() == name.lower():
                return base
        loaded = sorted(mods)
        raise MemoryReadError(explain(
            f"module {name!r} is not loaded in process {self.pid}", expected=name,
            got="loaded modules: " + (", ".join(loaded[:40]) or "none"),
            fix="wait until the game has loaded a map, and check that the game profile "
                "(csgo / cs2) matches the running game"))

    def close(self) -> None:
        if self._handle is not None:
            self._finalizer.detach()
            self._pymem.process.close_handle(self._handle)
            self._handle = None
