"""Linux process memory: ``/proc/PID/mem`` (``os.pread``) and ``process_vm_readv``.

Both need ptrace read access to the target: the same user, and with Yama
``kernel.yama.ptrace_scope`` >= 1 the reader must be an ancestor of the target (the tests
read their own child) or hold ``CAP_SYS_PTRACE``. ``/proc/PID/mem`` is opened
``O_RDONLY`` once and kept open; nothing in this module can write another process's memory.

Module bases come from ``/proc/PID/maps``: the lowest start address of the mappings whose
file name is ``name``. A name matches a path's last component (``.../libclient.so``), a
deleted file (``client.dll (deleted)``) and a memfd (``/memfd:client.dll (deleted)``, how
:mod:`csgo_env.standin.memory_image` names its fake modules).
"""

from __future__ import annotations

import ctypes
import errno
import os
import weakref
from collections.abc import Callable, Sequence

from csgo_env.errors import MemoryReadError, ProcessExited, explain
from csgo_env.game.memory.readers import MemoryReaderBase, check_range, unclosed_warning

PTRACE_FIX = ("run csgo_env as the same user as the game; with kernel.yama.ptrace_scope >= 1 "
              "either `sudo sysctl kernel.yama.ptrace_scope=0` or give Python CAP_SYS_PTRACE "
              "(`sudo setcap cap_sys_ptrace=eip $(readlink -f $(which python3))`)")


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is neither a zombie nor dead (``/proc/PID/stat``)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return False
    state = stat[stat.rfind(b")") + 2:stat.rfind(b")") + 3]
    return state not in (b"Z", b"X", b"x", b"")


def elf_pointer_size(pid: int) -> int | None:
    """4 or 8 from the ELF class of ``/proc/PID/exe``; ``None`` when it cannot be read."""
    try:
        with open(f"/proc/{pid}/exe", "rb") as fh:
            head = fh.read(5)
    except OSError:
        return None
    if head[:4] != b"\x7fELF" or len(head) < 5:
        return None
    return {1: 4, 2: 8}.get(head[4])


def mapping_name(pathname: str) -> str:
    """The module name of one ``/proc/PID/maps`` pathname (last path part, memfd name)."""
    if pathname.endswith(" (deleted)"):
        pathname = pathname[: -len(" (deleted)")]
    if pathname.startswith("/memfd:"):
        return pathname[len("/memfd:"):]
    return pathname.rsplit("/", 1)[-1]


def read_maps(pid: int) -> list[tuple[int, int, str]]:
    """``(start, end, module name)`` for every file-backed mapping of ``pid``."""
    try:
        with open(f"/proc/{pid}/maps") as fh:
            lines = fh.read().splitlines()
    except FileNotFoundError:
        raise ProcessExited(explain(f"process {pid} is gone", expected="a running process",
                                    got="no /proc entry", fix="start the game")) from None
    except PermissionError as exc:
        raise MemoryReadError(explain(f"cannot read /proc/{pid}/maps", got=str(exc),
                                      fix=PTRACE_FIX)) from exc
    result = []
    for line in lines:
        parts = line.split(maxsplit=5)
        if len(parts) < 6 or not (parts[5].startswith("/")):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        result.append((start, end, mapping_name(parts[5])))
    return result


def module_base_from_maps(pid: int, name: str) -> int:
    """Load address of module ``name`` in ``pid``; exact match first, then case-insensitive."""
    maps = read_maps(pid)
    for match in (lambda n: n == name, lambda n: n.lower() == name.lower()):
        starts = [start for start, _, mod in maps if match(mod)]
        if starts:
            return min(starts)
    loaded = sorted({mod for _, _, mod in maps})
    shown = ", ".join(loaded[:40]) + (f" ... ({len(loaded)} in all)" if len(loaded) > 40 else "")
    raise MemoryReadError(explain(
        f"module {name!r} is not loaded in process {pid}", expected=name,
        got=f"loaded modules: {shown or 'none'}",
        fix="wait until the game has loaded a map, and check that the game profile "
            "(csgo / cs2) matches the running game"))


class _LinuxReader(MemoryReaderBase):
    def __init__(self, pid: int, pointer_size: int | None) -> None:
        if not process_alive(pid):
            raise ProcessExited(explain(f"no running process with pid {pid}",
                                        fix="start the game, or pass the right pid"))
        super().__init__(pid, pointer_size or elf_pointer_size(pid) or 8)

    def module_base(self, name: str) -> int:
        return module_base_from_maps(self.pid, name)

    def _failed(self, address: int, size: int, why: str) -> MemoryReadError:
        if not process_alive(self.pid):
            return ProcessExited(explain(f"process {self.pid} has exited",
                                         fix="restart the game and the environment"))
        return MemoryReadError(explain(
            f"cannot read {size} bytes at {address:#x} in process {self.pid}",
            expected="a mapped, readable address", got=why,
            fix="the address came from a pointer chain: check that the offsets match the "
                "running game build"))


def _close_fd(fd: int, pid: int) -> None:
    unclosed_warning("ProcMemReader", pid)
    os.close(fd)


class ProcMemReader(_LinuxReader):
    """Reads with ``os.pread`` on ``/proc/PID/mem`` held open read-only."""

    def __init__(self, pid: int, *, pointer_size: int | None = None) -> None:
        super().__init__(pid, pointer_size)
        try:
            self._fd: int | None = os.open(f"/proc/{pid}/mem", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise ProcessExited(explain(f"process {pid} is gone",
                                        fix="start the game")) from None
        except PermissionError as exc:
            raise MemoryReadError(explain(f"cannot open /proc/{pid}/mem for reading",
                                          got=str(exc), fix=PTRACE_FIX)) from exc
        self._finalizer = weakref.finalize(self, _close_fd, self._fd, pid)
        self._finalizer.atexit = False

    @property
    def fd(self) -> int | None:
        """The open ``/proc/PID/mem`` descriptor (read-only), ``None`` once closed."""
        return self._fd

    def read(self, address: int, size: int) -> bytes:
        if self._fd is None:
            raise MemoryReadError(explain("read on a closed reader", fix="open a new one"))
        check_range(address, size)
        try:
            data = os.pread(self._fd, size, address)
        except OSError as exc:
            raise self._failed(address, size, os.strerror(exc.errno or 0)) from None
        if len(data) != size:
            raise self._failed(address, size, f"{len(data)} bytes")
        return data

    def close(self) -> None:
        if self._fd is not None:
            self._finalizer.detach()
            os.close(self._fd)
            self._fd = None


class _IoVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


_IOV_MAX = 1024
_vm_readv: Callable[..., int] | None = None


def _load_vm_readv() -> Callable[..., int]:
    global _vm_readv
    if _vm_readv is None:
        fn = ctypes.CDLL(None, use_errno=True).process_vm_readv
        fn.restype = ctypes.c_ssize_t
        fn.argtypes = [ctypes.c_int, ctypes.POINTER(_IoVec), ctypes.c_ulong,
                       ctypes.POINTER(_IoVec), ctypes.c_ulong, ctypes.c_ulong]
        _vm_readv = fn
    return _vm_readv


class ProcessVmReader(_LinuxReader):
    """Reads with ``process_vm_readv``; :meth:`read_many` costs one syscall per 1024 reads.

    The local buffer and the iovec arrays are allocated once and reused (not thread-safe:
    use one reader per thread).
    """

    def __init__(self, pid: int, *, pointer_size: int | None = None) -> None:
        super().__init__(pid, pointer_size)
        self._call = _load_vm_readv()
        self._closed = False
        self._buf = ctypes.create_string_buffer(4096)
        self._local = _IoVec(ctypes.addressof(self._buf), 0)
        self._local_ref = ctypes.byref(self._local)
        self._remote = (_IoVec * _IOV_MAX)()

    def read(self, address: int, size: int) -> bytes:
        return self.read_many(((address, size),))[0]

    def read_many(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        if self._closed:
            raise MemoryReadError(explain("read on a closed reader", fix="open a new one"))
        if len(requests) <= _IOV_MAX:
            return self._batch(requests)
        out: list[bytes] = []
        for first in range(0, len(requests), _IOV_MAX):
            out.extend(self._batch(requests[first:first + _IOV_MAX]))
        return out

    def _batch(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        remote = self._remote
        total = 0
        for i, (address, size) in enumerate(requests):
            check_range(address, size)
            entry = remote[i]
            entry.iov_base, entry.iov_len = address, size
            total += size
        if total > len(self._buf):
            self._buf = ctypes.create_string_buffer(total)
            self._local.iov_base = ctypes.addressof(self._buf)
        self._local.iov_len = total
        got = self._call(self.pid, self._local_ref, 1, remote, len(requests), 0)
        if got < 0:
            err = ctypes.get_errno()
            if err == errno.ESRCH:
                raise ProcessExited(explain(f"process {self.pid} has exited",
                                            fix="restart the game and the environment"))
            if err == errno.EPERM:
                raise MemoryReadError(explain(f"no permission to read process {self.pid}",
                                              got=os.strerror(err), fix=PTRACE_FIX))
            address, size = requests[0]
            raise self._failed(address, size, os.strerror(err))
        if got != total:
            done = 0
            for address, size in requests:
                if done + size > got:
                    raise self._failed(address, size, f"{max(0, got - done)} bytes")
                done += size
        raw = memoryview(self._buf)[:total].tobytes()
        if len(requests) == 1:
            return [raw]
        out, pos = [], 0
        for _, size in requests:
            out.append(raw[pos:pos + size])
            pos += size
        return out

    def close(self) -> None:
        self._closed = True
