"""Windows process memory through kernel32 (``ReadProcessMemory``, Toolhelp32), via ctypes.

Windows only: :func:`load_kernel32` checks ``sys.platform`` and refuses elsewhere. The
process is opened with ``PROCESS_VM_READ | PROCESS_QUERY_LIMITED_INFORMATION`` and nothing
else, so this module cannot write game memory. Module bases come from a Toolhelp32 module
snapshot taken with ``TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32``, which also lists the
modules of a 32-bit (WOW64) process such as CS:GO from 64-bit Python.

Every OS call goes through one :class:`Kernel32` object; tests on Linux pass one whose
functions emulate kernel32 over a byte array (the OS call replaced at the lowest level).
"""

from __future__ import annotations

import ctypes
import sys
import weakref
from ctypes import wintypes
from typing import Any

from csgo_env.errors import DependencyMissing, MemoryReadError, ProcessExited, explain
from csgo_env.game.memory.readers import MemoryReaderBase, check_range, unclosed_warning

PROCESS_VM_READ = 0x0010
PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
READ_ACCESS = PROCESS_VM_READ | PROCESS_QUERY_LIMITED_INFORMATION
TH32CS_SNAPPROCESS = 0x00000002
TH32CS_SNAPMODULE = 0x00000008
TH32CS_SNAPMODULE32 = 0x00000010
STILL_ACTIVE = 259
ERROR_BAD_LENGTH = 24
_INVALID_HANDLES = {None, 0, -1, (1 << 64) - 1, (1 << 32) - 1}


class MODULEENTRY32W(ctypes.Structure):
    _fields_ = [("dwSize", wintypes.DWORD), ("th32ModuleID", wintypes.DWORD),
                ("th32ProcessID", wintypes.DWORD), ("GlblcntUsage", wintypes.DWORD),
                ("ProccntUsage", wintypes.DWORD), ("modBaseAddr", ctypes.c_void_p),
                ("modBaseSize", wintypes.DWORD), ("hModule", ctypes.c_void_p),
                ("szModule", ctypes.c_wchar * 256), ("szExePath", ctypes.c_wchar * 260)]


class PROCESSENTRY32W(ctypes.Structure):
    _fields_ = [("dwSize", wintypes.DWORD), ("cntUsage", wintypes.DWORD),
                ("th32ProcessID", wintypes.DWORD), ("th32DefaultHeapID", ctypes.c_size_t),
                ("th32ModuleID", wintypes.DWORD), ("cntThreads", wintypes.DWORD),
                ("th32ParentProcessID", wintypes.DWORD), ("pcPriClassBase", wintypes.LONG),
                ("dwFlags", wintypes.DWORD), ("szExeFile", ctypes.c_wchar * 260)]


class Kernel32:
    """The kernel32 functions used here plus ``last_error()`` (``ctypes.get_last_error``)."""

    def __init__(self, functions: Any, last_error: Any) -> None:
        for name in ("OpenProcess", "CloseHandle", "ReadProcessMemory", "IsWow64Process",
                     "GetExitCodeProcess", "CreateToolhelp32Snapshot", "Module32FirstW",
                     "Module32NextW", "Process32FirstW", "Process32NextW"):
            setattr(self, name, getattr(functions, name))
        self.last_error = last_error


def load_kernel32() -> Kernel32:
    """kernel32 with the prototypes used here. Windows only."""
    if sys.platform != "win32":
        raise DependencyMissing(explain(
            "the win32 memory backend runs only on Windows",
            got=f"sys.platform == {sys.platform!r}", fix="use backend='auto' on Linux"))
    dll = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    h, b, d = wintypes.HANDLE, wintypes.BOOL, wintypes.DWORD
    protos = {
        "OpenProcess": (h, [d, b, d]),
        "CloseHandle": (b, [h]),
        "ReadProcessMemory": (b, [h, wintypes.LPCVOID, wintypes.LPVOID, ctypes.c_size_t,
                                  ctypes.POINTER(ctypes.c_size_t)]),
        "IsWow64Process": (b, [h, ctypes.POINTER(b)]),
        "GetExitCodeProcess": (b, [h, ctypes.POINTER(d)]),
        "CreateToolhelp32Snapshot": (h, [d, d]),
        "Module32FirstW": (b, [h, ctypes.POINTER(MODULEENTRY32W)]),
        "Module32NextW": (b, [h, ctypes.POINTER(MODULEENTRY32W)]),
        "Process32FirstW": (b, [h, ctypes.POINTER(PROCESSENTRY32W)]),
        "Process32NextW": (b, [h, ctypes.POINTER(PROCESSENTRY32W)]),
    }
    for name, (restype, argtypes) in protos.items():
        fn = getattr(dll, name)
        fn.restype, fn.argtypes = restype, argtypes
    return Kernel32(dll, ctypes.get_last_error)  # type: ignore[attr-defined]


def _snapshot(k: Kernel32, flags: int, pid: int) -> int:
    for _ in range(5):  # ERROR_BAD_LENGTH: the module list changed meanwhile; retry
        snap = k.CreateToolhelp32Snapshot(flags, pid)
        if snap not in _INVALID_HANDLES:
            return snap
        if k.last_error() != ERROR_BAD_LENGTH:
            break
    raise MemoryReadError(explain("Toolhelp32 snapshot failed", expected="a snapshot handle",
                                  got=f"Windows error {k.last_error()}",
                                  fix="run csgo_env as the same user as the game"))


def list_processes_win32(kernel32: Kernel32 | None = None) -> list[tuple[int, str]]:
    """``(pid, exe name)`` of every process, from a Toolhelp32 process snapshot."""
    k = kernel32 or load_kernel32()
    snap = _snapshot(k, TH32CS_SNAPPROCESS, 0)
    out: list[tuple[int, str]] = []
    try:
        entry = PROCESSENTRY32W()
        entry.dwSize = ctypes.sizeof(PROCESSENTRY32W)
        ok = k.Process32FirstW(snap, ctypes.pointer(entry))
        while ok:
            out.append((int(entry.th32ProcessID), entry.szExeFile))
            ok = k.Process32NextW(snap, ctypes.pointer(entry))
    finally:
        k.CloseHandle(snap)
    return out


def _close_handle(k: Kernel32, handle: int, pid: int) -> None:
    unclosed_warning("Win32ProcessMemory", pid)
    k.CloseHandle(handle)


class Win32ProcessMemory(MemoryReaderBase):
    """``ReadProcessMemory`` on a read-only process handle. ``pointer_size=None``: 4 for a
    WOW64 (32-bit) process, else 8."""

    def __init__(self, pid: int, *, pointer_size: int | None = None,
                 kernel32: Kernel32 | None = None) -> None:
        k = kernel32 or load_kernel32()
        handle = k.OpenProcess(READ_ACCESS, False, pid)
        if handle in _INVALID_HANDLES:
            err = k.last_error()
            cls = ProcessExited if err == 87 else MemoryReadError  # 87: no such process
            raise cls(explain(f"cannot open process {pid} for reading", got=f"Windows error "
                              f"{err}", fix="start the game; run csgo_env as the same user "
                              "(not elevated games with a non-elevated Python)"))
        self._k, self._handle = k, handle
        self._finalizer = weakref.finalize(self, _close_handle, k, handle, pid)
        self._finalizer.atexit = False
        if pointer_size is None:
            wow64 = wintypes.BOOL(0)
            k.IsWow64Process(handle, ctypes.pointer(wow64))
            pointer_size = 4 if wow64.value else 8
        super().__init__(pid, pointer_size)

    def _alive(self) -> bool:
        code = wintypes.DWORD(0)
        ok = self._k.GetExitCodeProcess(self._handle, ctypes.pointer(code))
        return bool(ok) and code.value == STILL_ACTIVE

    def read(self, address: int, size: int) -> bytes:
        if self._handle is None:
            raise MemoryReadError(explain("read on a closed reader", fix="open a new one"))
        check_range(address, size)
        buf = ctypes.create_string_buffer(size)
        done = ctypes.c_size_t(0)
        ok = self._k.ReadProcessMemory(self._handle, address, buf, size, ctypes.pointer(done))
        if ok and done.value == size:
            return buf.raw
        err = self._k.last_error()
        if not self._alive():
            raise ProcessExited(explain(f"process {self.pid} has exited",
                                        fix="restart the game and the environment"))
        raise MemoryReadError(explain(
            f"cannot read {size} bytes at {address:#x} in process {self.pid}",
            expected="a mapped, readable address",
            got=f"{done.value} bytes, Windows error {err}",
            fix="the address came from a pointer chain: check that the offsets match the "
                "running game build"))

    def modules(self) -> dict[str, int]:
        """Module name -> base address, for every module of the process."""
        k = self._k
        snap = _snapshot(k, TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, self.pid)
        found: dict[str, int] = {}
        try:
            entry = MODULEENTRY32W()
            entry.dwSize = ctypes.sizeof(MODULEENTRY32W)
            ok = k.Module32FirstW(snap, ctypes.pointer(entry))
            while ok:
                found.setdefault(entry.szModule, int(entry.modBaseAddr or 0))
                ok = k.Module32NextW(snap, ctypes.pointer(entry))
        finally:
            k.CloseHandle(snap)
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
            self._k.CloseHandle(self._handle)
            self._handle = None
