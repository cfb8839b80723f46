"""The Windows memory backend (pymem) with kernel32 replaced at the lowest level.

Not executed on Windows here: these tests run on Linux with pymem's ctypes function objects
for kernel32 and psapi (``OpenProcess``, ``ReadProcessMemory``, ``EnumProcessModulesEx``,
Toolhelp32 ...) replaced by Python functions that emulate a 32-bit CS:GO process over byte
arrays, called with the same ctypes arguments the real functions get. What runs for real:
pymem's own code, our access rights, error paths and the whole CS:GO pose chain with 4-byte
pointers.
"""

from __future__ import annotations

import ctypes
import struct
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pymem.ressources.kernel32
import pymem.ressources.psapi
import pytest

from csgo_env.errors import DependencyMissing, MemoryReadError, ProcessExited
from csgo_env.game.memory import win32 as w
from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import Pose, PoseReader
from csgo_env.game.memory.readers import open_process
from csgo_env.game.profiles import get_profile
from tests.support.offsets import CSGO_NETVARS, CSGO_SIGNATURES, write_hazedumper

pytestmark = pytest.mark.windows_os_call_replaced
HANDLE, SNAPSHOT = 0x44, 0x88
CLIENT, ENGINE, HEAP = 0x1000_0000, 0x2000_0000, 0x0300_0000


class FakeKernel32:
    """kernel32 and psapi over a dict of memory regions, called with the ctypes arguments
    pymem passes; records calls. ``running`` False: the process has exited."""

    def __init__(self, pid: int = 4242, wow64: bool = True) -> None:
        self.pid, self.wow64, self.running, self.error = pid, wow64, True, 0
        self.regions: dict[int, bytearray] = {}
        self.modules = [("csgo.exe", 0x0040_0000), ("client.dll", CLIENT), ("engine.dll", ENGINE)]
        self.processes = [(4, "System"), (pid, "csgo.exe")]
        self.calls: list[tuple[str, Any]] = []
        self.closed: list[int] = []
        self._cursor = 0

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Replace pymem's ctypes function objects (and ``ctypes.windll``) with these."""
        for name in ("OpenProcess", "CloseHandle", "GetLastError", "SetLastError",
                     "IsWow64Process", "WaitForSingleObject", "ReadProcessMemory",
                     "CreateToolhelp32Snapshot", "Process32First", "Process32Next"):
            monkeypatch.setattr(pymem.ressources.kernel32, name, getattr(self, name))
        for name in ("EnumProcessModulesEx", "GetModuleInformation", "GetModuleBaseNameA"):
            monkeypatch.setattr(pymem.ressources.psapi, name, getattr(self, name))
        monkeypatch.setattr(ctypes, "windll", SimpleNamespace(kernel32=self), raising=False)

    def region(self, base: int, size: int) -> bytearray:
        self.regions[base] = bytearray(size)
        return self.regions[base]

    def poke(self, address: int, data: bytes) -> None:
        for base, mem in self.regions.items():
            if base <= address and address + len(data) <= base + len(mem):
                mem[address - base:address - base + len(data)] = data
                return
        raise AssertionError(f"{address:#x} outside the fake regions")

    # --- the replaced OS calls -----------------------------------------------------
    def GetLastError(self) -> int:
        return self.error

    def SetLastError(self, code: int) -> None:
        self.error = code

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int | None:
        self.calls.append(("OpenProcess", (access, inherit, pid)))
        if pid != self.pid:
            self.error = 87
            return None
        return HANDLE

    def CloseHandle(self, handle: int) -> int:
        self.closed.append(handle)
        return 1

    def IsWow64Process(self, handle: int, result: Any) -> int:
        result._obj.value = int(self.wow64)
        return 1

    def WaitForSingleObject(self, handle: int, timeout_ms: int) -> int:
        assert handle == HANDLE and timeout_ms == 0
        return w.WAIT_TIMEOUT if self.running else 0  # 0: WAIT_OBJECT_0, it has exited

    def ReadProcessMemory(self, handle: int, address: Any, buf: Any, size: int,
                          done: Any) -> int:
        target = buf._obj
        assert handle == HANDLE and isinstance(target, ctypes.Array) and len(target) >= size
        address = address.value
        if not self.running:
            self.error = 299
            return 0
        for base, mem in self.regions.items():
            if base <= address and address + size <= base + len(mem):
                ctypes.memmove(target, bytes(mem[address - base:address - base + size]), size)
                return 1
        self.error = 299  # ERROR_PARTIAL_COPY
        return 0

    def CreateToolhelp32Snapshot(self, flags: int, pid: int) -> int:
        self.calls.append(("CreateToolhelp32Snapshot", (flags, pid)))
        return SNAPSHOT

    def _process(self, snap: int, entry: Any, first: bool) -> int:
        assert snap == SNAPSHOT
        self._cursor = 0 if first else self._cursor + 1
        if self._cursor >= len(self.processes):
            return 0
        pid, name = self.processes[self._cursor]
        entry._obj.th32ProcessID, entry._obj.szExeFile = pid, name.encode()
        return 1

    def Process32First(self, snap: int, entry: Any) -> int:
        return self._process(snap, entry, True)

    def Process32Next(self, snap: int, entry: Any) -> int:
        return self._process(snap, entry, False)

    def EnumProcessModulesEx(self, handle: int, modules: Any, size: int, needed: Any,
                             flag: int) -> int:
        self.calls.append(("EnumProcessModulesEx", flag))
        array = modules._obj
        for k, (_, base) in enumerate(self.modules):
            array[k] = base
        return 1

    def GetModuleInformation(self, handle: int, module: Any, info: Any, size: int) -> int:
        info._obj.lpBaseOfDll = module.value
        return 1

    def GetModuleBaseNameA(self, handle: int, base: Any, buf: Any, size: int) -> int:
        name = dict((b, n) for n, b in self.modules)[base.value]
        buf.value = name.encode()
        return len(name)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeKernel32:
    """A WOW64 CS:GO process behind pymem's replaced OS calls."""
    kernel = FakeKernel32()
    kernel.install(monkeypatch)
    return kernel


def open_reader(pid: int) -> w.Win32ProcessMemory:
    return w.Win32ProcessMemory(pid, platform="win32")


def test_reads_values_and_32bit_pointers(fake: FakeKernel32) -> None:
    mem = fake.region(HEAP, 0x100)
    struct.pack_into("<IifI", mem, 0, 0xCAFEBABE, -3, 0.5, HEAP + 0x80)
    reader = open_reader(fake.pid)
    assert reader.pointer_size == 4  # WOW64 process
    assert reader.read_u32(HEAP) == 0xCAFEBABE and reader.read_i32(HEAP + 4) == -3
    assert reader.read_f32(HEAP + 8) == 0.5 and reader.read_pointer(HEAP + 12) == HEAP + 0x80
    access = fake.calls[0][1][0]
    assert access == w.PROCESS_VM_READ | w.PROCESS_QUERY_LIMITED_INFORMATION | w.SYNCHRONIZE
    assert access & (0x0020 | 0x0008) == 0  # never PROCESS_VM_WRITE / PROCESS_VM_OPERATION
    reader.close()
    reader.close()
    assert fake.closed == [HANDLE]
    with pytest.raises(MemoryReadError, match="closed"):
        reader.read(HEAP, 4)


def test_64bit_process_gets_8_byte_pointers(fake: FakeKernel32) -> None:
    fake.wow64 = False
    struct.pack_into("<Q", fake.region(HEAP, 16), 0, 0x7FF6_1234_5678)
    with open_reader(fake.pid) as reader:
        assert reader.pointer_size == 8 and reader.read_pointer(HEAP) == 0x7FF6_1234_5678


def test_module_bases_of_every_module(fake: FakeKernel32) -> None:
    with open_reader(fake.pid) as reader:
        assert reader.module_base("client.dll") == CLIENT
        assert reader.module_base("ENGINE.DLL") == ENGINE
        with pytest.raises(MemoryReadError) as err:
            reader.module_base("engine2.dll")
    flags = [args for name, args in fake.calls if name == "EnumProcessModulesEx"]
    assert flags == [3, 3, 3]  # LIST_MODULES_ALL: 32-bit modules of a WOW64 game too
    assert "client.dll, csgo.exe, engine.dll" in str(err.value)


def test_bad_address_and_exited_process(fake: FakeKernel32) -> None:
    fake.region(HEAP, 16)
    reader = open_reader(fake.pid)
    with pytest.raises(MemoryReadError, match="Windows error 299") as err:
        reader.read(HEAP + 12, 8)
    assert not isinstance(err.value, ProcessExited)
    fake.running = False
    with pytest.raises(ProcessExited):
        reader.read(HEAP, 4)
    reader.close()
    with pytest.raises(ProcessExited):
        open_reader(999)


def test_process_list(fake: FakeKernel32) -> None:
    assert w.list_processes_win32("win32") == [(4, "System"), (fake.pid, "csgo.exe")]
    assert fake.closed == [SNAPSHOT]


def test_csgo_pose_chain_with_4_byte_pointers(fake: FakeKernel32, tmp_path: Path) -> None:
    """The whole CS:GO chain, with the structures placed by hand from the fixture numbers."""
    sig, net = CSGO_SIGNATURES, CSGO_NETVARS
    client = fake.region(CLIENT, sig["dwEntityList"] + 0x100)
    engine = fake.region(ENGINE, sig["dwClientState"] + 4)
    fake.region(HEAP, 0x10000)
    player, state, weapon = HEAP + 0x100, HEAP + 0x8000, HEAP + 0xC000
    struct.pack_into("<I", client, sig["dwLocalPlayer"], player)
    struct.pack_into("<I", engine, sig["dwClientState"], state)
    struct.pack_into("<I", client, sig["dwEntityList"] + (12 - 1) * 0x10, weapon)
    fake.poke(player + net["m_iHealth"], struct.pack("<i", 64))
    fake.poke(player + net["m_vecOrigin"], struct.pack("<3f", 100.5, -200.25, 8.0))
    fake.poke(player + net["m_vecVelocity"], struct.pack("<3f", 1.0, 2.0, -3.0))
    fake.poke(state + sig["dwClientState_ViewAngles"], struct.pack("<2f", -10.5, 45.0))
    fake.poke(player + net["m_iFOV"], struct.pack("<i", 40))
    fake.poke(player + net["m_hActiveWeapon"], struct.pack("<I", (0x155 << 12) | 12))
    fake.poke(weapon + net["m_iClip1"], struct.pack("<i", 7))
    offsets = load_offsets(write_hazedumper(tmp_path))
    with open_reader(fake.pid) as mem:
        pose = PoseReader(mem, offsets, get_profile("csgo"), platform="win32").read()
    assert pose == Pose(position=(100.5, -200.25, 8.0), velocity=(1.0, 2.0, -3.0),
                        pitch_deg=-10.5, yaw_deg=45.0, health=64, fov=40.0, clip_ammo=7)


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal off Windows")
def test_refuses_to_run_off_windows() -> None:
    with pytest.raises(DependencyMissing, match="only on Windows"):
        w.load_pymem()
    with pytest.raises(DependencyMissing):
        open_process(1, backend="win32")
