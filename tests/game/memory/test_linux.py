"""Linux memory readers against a real child process holding known values at known addresses."""

from __future__ import annotations

import fcntl
import gc
import os
import struct
import sys
import uuid
import warnings
from collections.abc import Iterator

import pytest

from csgo_env.errors import (
    ArgumentError,
    DependencyMissing,
    GameNotRunning,
    MemoryReadError,
    ProcessExited,
    UnknownBackend,
)
from csgo_env.game.memory.linux import ProcMemReader, mapping_name
from csgo_env.game.memory.readers import ProcessMemory, backends_for, open_process
from csgo_env.game.processes import find_game_process, find_processes
from csgo_env.game.profiles import CSGO
from tests.support.memory_child import RAW_VALUES, TARGET, Child

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux readers")
LINUX_BACKENDS = backends_for("linux")


@pytest.fixture
def child() -> Iterator[Child]:
    proc = Child("raw")
    yield proc
    proc.stop()


def test_registry_lists_both_linux_backends() -> None:
    assert LINUX_BACKENDS == ["proc_mem", "process_vm_readv"]
    assert backends_for("win32") == ["win32"]


@pytest.mark.parametrize("backend", LINUX_BACKENDS)
def test_reads_exact_values_from_child(child: Child, backend: str) -> None:
    raw, target = child.info["raw"], child.info["target"]
    with open_process(child.pid, backend=backend) as mem:
        assert isinstance(mem, ProcessMemory)
        assert mem.pid == child.pid and mem.pointer_size == 8  # ELF class of the child
        assert mem.read_u32(raw) == 0xDEADBEEF
        assert mem.read_i32(raw + 4) == -7
        assert mem.read_u64(raw + 8) == 0x0123456789ABCDEF
        assert mem.read_floats(raw + 16, 3) == (1.5, -2.25, 1e6)
        assert mem.read_f32(raw + 20) == -2.25
        assert mem.read_pointer(raw + 28) == target
        assert mem.read(mem.read_pointer(raw + 28), len(TARGET)) == TARGET
        first, second = mem.read_many([(raw, 4), (target, len(TARGET))])
        assert struct.unpack("<I", first)[0] == RAW_VALUES[0] and second == TARGET


@pytest.mark.parametrize("backend", LINUX_BACKENDS)
def test_pointer_size_four_reads_low_half(child: Child, backend: str) -> None:
    with open_process(child.pid, backend=backend, pointer_size=4) as mem:
        assert mem.read_pointer(child.info["raw"] + 8) == 0x89ABCDEF


@pytest.mark.parametrize("backend", LINUX_BACKENDS)
def test_module_base_from_maps_memfd(child: Child, backend: str) -> None:
    with open_process(child.pid, backend=backend) as mem:
        assert mem.module_base("known_module.so") == child.info["module"]
        assert mem.read(mem.module_base("known_module.so"), 4) == b"\x7fELF"
        with pytest.raises(MemoryReadError) as err:
            mem.module_base("client.dll")
    message = str(err.value)
    assert "'client.dll'" in message and "known_module.so" in message and "Fix:" in message


@pytest.mark.parametrize(("line", "name"), [
    ("/usr/lib/x86_64-linux-gnu/libc.so.6", "libc.so.6"),
    ("/memfd:client.dll (deleted)", "client.dll"),
    ("/tmp/x/engine.dll (deleted)", "engine.dll"),
    ("/home/u/.steam/Counter Strike/bin/libclient.so", "libclient.so"),
])
def test_mapping_names(line: str, name: str) -> None:
    assert mapping_name(line) == name


@pytest.mark.parametrize("backend", LINUX_BACKENDS)
def test_unmapped_address_is_a_read_error_not_an_exit(child: Child, backend: str) -> None:
    with open_process(child.pid, backend=backend) as mem:
        with pytest.raises(MemoryReadError) as err:
            mem.read(0x10, 4)
        assert not isinstance(err.value, ProcessExited)
        assert "0x10" in str(err.value)
        with pytest.raises(MemoryReadError):
            mem.read(-1, 4)


@pytest.mark.parametrize("backend", LINUX_BACKENDS)
def test_dead_process_raises(backend: str) -> None:
    proc = Child("raw")
    mem = open_process(proc.pid, backend=backend)
    assert mem.read_u32(proc.info["raw"]) == 0xDEADBEEF
    proc.kill()
    with pytest.raises(ProcessExited) as err:
        mem.read_u32(proc.info["raw"])
    assert isinstance(err.value, MemoryReadError) and isinstance(err.value, GameNotRunning)
    mem.close()
    proc.stop()
    with pytest.raises(MemoryReadError):
        open_process(proc.pid, backend=backend)


def test_proc_mem_is_opened_read_only(child: Child) -> None:
    with ProcMemReader(child.pid) as mem:
        assert mem.fd is not None
        assert fcntl.fcntl(mem.fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
        with pytest.raises(OSError):
            os.pwrite(mem.fd, b"\0\0\0\0", child.info["raw"])
        assert not any(name.startswith("write") for name in dir(mem))
    # the child's bytes are untouched
    assert child.command(peek=[child.info["raw"], 4]) == struct.pack("<I", 0xDEADBEEF).hex()


def test_close_is_idempotent_and_unclosed_reader_warns(child: Child) -> None:
    mem = open_process(child.pid)
    mem.close()
    mem.close()
    with pytest.raises(MemoryReadError):
        mem.read(child.info["raw"], 4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        leaked = open_process(child.pid)
        del leaked
        gc.collect()
    assert any(issubclass(w.category, ResourceWarning) for w in caught)


def test_open_process_rejects_bad_backends() -> None:
    with pytest.raises(UnknownBackend, match="unknown memory backend"):
        open_process(os.getpid(), backend="ptrace")
    with pytest.raises(DependencyMissing, match="win32"):
        open_process(os.getpid(), backend="win32")
    with pytest.raises(ArgumentError, match="pointer size"):
        open_process(os.getpid(), pointer_size=2)


def test_find_process_by_name_and_cmdline() -> None:
    token = uuid.uuid4().hex[:8]
    proc = Child("raw", "csgo_linux64", token)
    try:
        found = find_processes("csgo_linux64", cmdline_contains=token, platform="linux")
        assert [p.pid for p in found] == [proc.pid]
        assert found[0].name == "csgo_linux64" and token in found[0].cmdline
        game = find_game_process(CSGO, platform="linux", cmdline_contains=token)
        assert game.pid == proc.pid
    finally:
        proc.stop()
    with pytest.raises(GameNotRunning) as err:
        find_game_process(CSGO, platform="linux", cmdline_contains=token)
    assert "csgo_linux64" in str(err.value) and "-insecure" in str(err.value)


def test_windows_process_listing_path_via_psutil(child: Child) -> None:
    """The Windows listing uses psutil when installed (it also runs on Linux)."""
    import psutil

    name = psutil.Process(child.pid).name()
    found = find_processes(name.upper(), platform="win32")  # Windows folds case
    assert child.pid in [p.pid for p in found]
    assert os.getpid() not in [p.pid for p in found]
