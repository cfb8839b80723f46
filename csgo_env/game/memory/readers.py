"""Read-only access to another process's memory, behind a registry of lazy backends.

:func:`open_process` returns a :class:`ProcessMemory`: raw reads, little-endian typed reads
(``read_u32``, ``read_f32``, ``read_floats`` ...), ``read_pointer`` (4 or 8 bytes, the
reader's ``pointer_size``) and ``module_base(name)``, the load address of a module
(``client.dll``, ``libclient.so``). Nothing here can write: the Linux backends open
``/proc/PID/mem`` read-only or use ``process_vm_readv``; the Windows backend asks for
``PROCESS_VM_READ | PROCESS_QUERY_LIMITED_INFORMATION`` only.

Backends (name -> platform): ``proc_mem`` (Linux, ``os.pread`` on ``/proc/PID/mem``),
``process_vm_readv`` (Linux, one syscall per batch of reads), ``win32`` (Windows, pymem
over ``ReadProcessMemory``). ``backend="auto"`` picks ``proc_mem`` on Linux and ``win32``
on Windows. A backend module is imported only when it is chosen.
"""

from __future__ import annotations

import struct
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from csgo_env.errors import (
    ArgumentError,
    DependencyMissing,
    MemoryReadError,
    UnknownBackend,
    explain,
)

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_I32 = struct.Struct("<i")
_F32 = struct.Struct("<f")


@runtime_checkable
class ProcessMemory(Protocol):
    """What every memory backend offers. Addresses are absolute virtual addresses."""

    pid: int
    pointer_size: int

    def read(self, address: int, size: int) -> bytes: ...
    def read_many(self, requests: Sequence[tuple[int, int]]) -> list[bytes]: ...
    def read_u32(self, address: int) -> int: ...
    def read_u64(self, address: int) -> int: ...
    def read_i32(self, address: int) -> int: ...
    def read_f32(self, address: int) -> float: ...
    def read_floats(self, address: int, n: int) -> tuple[float, ...]: ...
    def read_pointer(self, address: int) -> int: ...
    def module_base(self, name: str) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> ProcessMemory: ...
    def __exit__(self, *exc: object) -> None: ...


class MemoryReaderBase:
    """Typed reads built on :meth:`read`; backends implement ``read`` and ``module_base``.

    All values are little-endian (x86 and x86-64). ``read_many`` takes ``(address, size)``
    pairs and returns the bytes in the same order; backends that can batch override it.
    """

    pid: int
    pointer_size: int

    def __init__(self, pid: int, pointer_size: int) -> None:
        if pointer_size not in (4, 8):
            raise ArgumentError(explain("bad pointer size", expected="4 or 8",
                                        got=repr(pointer_size)))
        self.pid = pid
        self.pointer_size = pointer_size

    def read(self, address: int, size: int) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def module_base(self, name: str) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def read_many(self, requests: Sequence[tuple[int, int]]) -> list[bytes]:
        return [self.read(address, size) for address, size in requests]

    def read_u32(self, address: int) -> int:
        return _U32.unpack(self.read(address, 4))[0]

    def read_u64(self, address: int) -> int:
        return _U64.unpack(self.read(address, 8))[0]

    def read_i32(self, address: int) -> int:
        return _I32.unpack(self.read(address, 4))[0]

    def read_f32(self, address: int) -> float:
        return _F32.unpack(self.read(address, 4))[0]

    def read_floats(self, address: int, n: int) -> tuple[float, ...]:
        """``n`` consecutive 32-bit floats starting at ``address``."""
        return struct.unpack(f"<{n}f", self.read(address, 4 * n))

    def read_pointer(self, address: int) -> int:
        """An unsigned pointer of ``pointer_size`` bytes."""
        if self.pointer_size == 4:
            return self.read_u32(address)
        return self.read_u64(address)

    def __enter__(self) -> MemoryReaderBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_range(address: int, size: int) -> None:
    """Refuse negative sizes and addresses outside the 64-bit user range."""
    if size < 0 or address < 0 or address + size > 1 << 63:
        raise MemoryReadError(explain(
            "bad read request", expected="0 <= address, address + size < 2**63 and size >= 0",
            got=f"address {address:#x}, size {size}"))


def unclosed_warning(kind: str, pid: int) -> None:
    """Warn that a reader was garbage-collected without ``close()`` (used by finalizers)."""
    warnings.warn(f"{kind} for pid {pid} was not closed; call close() or use 'with'",
                  ResourceWarning, stacklevel=2)


def _proc_mem(pid: int, pointer_size: int | None) -> ProcessMemory:
    from csgo_env.game.memory.linux import ProcMemReader
    return ProcMemReader(pid, pointer_size=pointer_size)


def _process_vm_readv(pid: int, pointer_size: int | None) -> ProcessMemory:
    from csgo_env.game.memory.linux import ProcessVmReader
    return ProcessVmReader(pid, pointer_size=pointer_size)


def _win32(pid: int, pointer_size: int | None) -> ProcessMemory:
    from csgo_env.game.memory.win32 import Win32ProcessMemory
    return Win32ProcessMemory(pid, pointer_size=pointer_size)


BACKENDS: dict[str, tuple[str, Callable[[int, int | None], ProcessMemory]]] = {
    "proc_mem": ("linux", _proc_mem),
    "process_vm_readv": ("linux", _process_vm_readv),
    "win32": ("win32", _win32),
}
"""Backend name -> (the ``sys.platform`` it runs on, lazy factory)."""

AUTO_BACKEND: dict[str, str] = {"linux": "proc_mem", "win32": "win32"}


def backends_for(platform: str = sys.platform) -> list[str]:
    """Names of the backends that can run on ``platform``."""
    return [name for name, (plat, _) in BACKENDS.items() if plat == platform]


def check_backend_name(name: str) -> str:
    """``name`` when it is ``"auto"`` or a registered backend, else :class:`UnknownBackend`.

    Only the name is checked (nothing is opened, the platform is not asked)."""
    if name != "auto" and name not in BACKENDS:
        raise UnknownBackend(explain("unknown memory backend", expected=f"one of "
                                     f"{['auto', *BACKENDS]}", got=repr(name),
                                     fix="use memory_backend='auto'"))
    return name


def open_process(pid: int, *, backend: str = "auto",
                 pointer_size: int | None = None) -> ProcessMemory:
    """Open process ``pid`` for reading with ``backend``.

    ``pointer_size`` (4 or 8) sets what :meth:`ProcessMemory.read_pointer` reads; ``None``
    asks the backend to detect it (ELF class of ``/proc/PID/exe`` on Linux, WOW64 on
    Windows). Raises :class:`~csgo_env.errors.ArgumentError` for an unknown backend,
    :class:`~csgo_env.errors.DependencyMissing` for one that cannot run on this platform and
    :class:`~csgo_env.errors.MemoryReadError` when the process cannot be opened.
    """
    if backend == "auto":
        if sys.platform not in AUTO_BACKEND:
            raise DependencyMissing(explain(
                "no process memory backend for this platform",
                expected=f"one of {sorted(AUTO_BACKEND)}", got=repr(sys.platform),
                fix="run the game and csgo_env on Windows or Linux"))
        backend = AUTO_BACKEND[sys.platform]
    check_backend_name(backend)
    platform, factory = BACKENDS[backend]
    if platform != sys.platform:
        raise DependencyMissing(explain(
            f"memory backend {backend!r} cannot run here", expected=f"sys.platform "
            f"{platform!r}", got=repr(sys.platform),
            fix=f"use backend='auto' or one of {backends_for()}"))
    if pointer_size is not None and pointer_size not in (4, 8):
        raise ArgumentError(explain("bad pointer size", expected="4, 8 or None",
                                    got=repr(pointer_size)))
    return factory(pid, pointer_size)
