"""Game-shaped memory inside the current process, for the replay game and the tests.

A :class:`MemoryImage` maps fake modules whose ``/proc/PID/maps`` lines name the game's
modules (memfds called ``client.dll`` / ``engine.dll``: ``/memfd:client.dll (deleted)``)
plus an anonymous "heap" holding the player, client state and weapon structures, and fills
them so that :class:`csgo_env.game.memory.pose.PoseReader` in another process, given the same
offsets and profile, reads back what :meth:`MemoryImage.set_pose` wrote. Linux only.

Pointer size follows ``profile.pointer_size[platform]``. For 4-byte pointers (CS:GO's
32-bit layout, exercised on Linux with ``platform="win32"``) every region is mapped at a
fixed address below 4 GiB with ``MAP_FIXED_NOREPLACE`` (the kernel refuses rather than
replaces an existing mapping; the next candidate address is tried), so the 32-bit pointers
stored in the image are the real addresses of the structures. For 8-byte pointers the
kernel picks the addresses (usually above 2**46), which exercises full 64-bit pointers.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import struct
import sys
from collections.abc import Mapping
from pathlib import Path

from csgo_env.errors import DependencyMissing, MemoryReadError, explain
from csgo_env.game.memory.offsets import Offsets, write_hazedumper_json
from csgo_env.game.memory.pose import Pose
from csgo_env.game.memory.pose_layouts import (
    ENTITY_ENTRY_SIZE,
    Cs2Layout,
    CsgoLayout,
    resolve_layout,
)
from csgo_env.game.profiles import GameProfile

PAGE = mmap.PAGESIZE
INVALID_HANDLE_VALUE = 0xFFFFFFFF
MAP_SHARED, MAP_PRIVATE, MAP_ANONYMOUS = 0x01, 0x02, 0x20
MAP_FIXED_NOREPLACE = 0x100000
LOW_CANDIDATES = range(0x2000_0000, 0xF000_0000, 0x0100_0000)
WEAPON_INDEX, WEAPON_SERIAL = 7, 0x2A
"""The fake active weapon is entity 7; its handle is ``(serial << 12) | index``."""
OBSERVED_INDEX, OBSERVED_SERIAL = 3, 0x11
"""The player a spectator watches (:meth:`MemoryImage.set_observed`) is entity 3."""

REPLAY_SIGNATURES: Mapping[str, int] = {
    "dwLocalPlayer": 0x1A2C30, "dwEntityList": 0x1B0000, "dwClientState": 0x5E8,
    "dwClientState_ViewAngles": 0x3C0}
REPLAY_NETVARS: Mapping[str, int] = {
    "m_iHealth": 0x104, "m_vecOrigin": 0x148, "m_vecVelocity": 0x120, "m_iFOV": 0x31F4,
    "m_hActiveWeapon": 0x2F18, "m_iClip1": 0x3274, "m_vecViewOffset": 0x108,
    "m_iItemDefinitionIndex": 0x2FBA, "m_bIsScoped": 0x3928, "m_iObserverMode": 0x3388,
    "m_hObserverTarget": 0x339C}
"""The replay game's own layout (CS:GO names; the numbers are ours, not any game's)."""


def write_replay_offsets(path: str | os.PathLike[str]) -> Path:
    """Write the replay layout as a ``csgo.json``-shaped offsets file (atomically)."""
    return write_hazedumper_json(path, REPLAY_SIGNATURES, REPLAY_NETVARS)


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    libc.munmap.restype = ctypes.c_int
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    return libc


def _round(size: int) -> int:
    return (size + PAGE - 1) // PAGE * PAGE


class MemoryImage:
    """Structures laid out like the game's, at real addresses of this process.

    ``addresses`` names every region and structure (``client``, ``engine``, ``player``,
    ``client_state``, ``weapon`` for CS:GO; ``client``, ``engine``, ``pawn``, ``node``,
    ``camera`` for CS2). Close it to unmap (idempotent).
    """

    def __init__(self, profile: GameProfile, offsets: Offsets, *,
                 platform: str = sys.platform) -> None:
        if not sys.platform.startswith("linux"):
            raise DependencyMissing(explain("the memory image needs Linux (memfd_create)",
                                            got=f"sys.platform == {sys.platform!r}"))
        self.pointer_size = profile.pointer_size[platform]
        self.layout = resolve_layout(offsets)
        self._libc = _libc()
        self._regions: list[tuple[int, int]] = []
        self._cursor = iter(LOW_CANDIDATES)
        self.addresses: dict[str, int] = {}
        try:
            self._build(profile.client_module[platform], profile.engine_module[platform])
        except BaseException:
            self.close()
            raise

    # -- mapping ---------------------------------------------------------------------
    def _map(self, size: int, name: str | None) -> int:
        size = _round(size)
        fd = -1
        if name is not None:
            fd = os.memfd_create(name, os.MFD_CLOEXEC)
            os.ftruncate(fd, size)
        flags = MAP_SHARED if name is not None else MAP_PRIVATE | MAP_ANONYMOUS
        prot = mmap.PROT_READ | mmap.PROT_WRITE
        try:
            if self.pointer_size == 8:
                addr = self._libc.mmap(None, size, prot, flags, fd, 0)
                if addr in (None, ctypes.c_void_p(-1).value):
                    raise OSError(ctypes.get_errno(), "mmap failed")
            else:
                addr = self._map_low(size, prot, flags, fd)
        finally:
            if fd >= 0:
                os.close(fd)  # the mapping keeps the memfd alive
        self._regions.append((addr, size))
        return addr

    def _map_low(self, size: int, prot: int, flags: int, fd: int) -> int:
        for want in self._cursor:
            if want + size >= 1 << 32:
                break
            got = self._libc.mmap(want, size, prot, flags | MAP_FIXED_NOREPLACE, fd, 0)
            if got == want:
                for _ in range((size - 1) // 0x0100_0000):
                    next(self._cursor, None)  # skip candidates inside this mapping
                return want
            if got not in (None, ctypes.c_void_p(-1).value):
                self._libc.munmap(got, size)  # old kernel: the flag was only a hint
        raise OSError("no free address below 4 GiB for a 32-bit memory image")

    def _build(self, client_name: str, engine_name: str) -> None:
        lay, ps = self.layout, self.pointer_size
        a = self.addresses
        if isinstance(lay, CsgoLayout):
            client_size = lay.local_player + ps
            if lay.entity_list is not None:
                client_size = max(client_size, lay.entity_list + WEAPON_INDEX * ENTITY_ENTRY_SIZE)
            a["client"] = self._map(client_size, client_name)
            a["engine"] = self._map(lay.client_state + ps, engine_name)
            player = max(lay.health + 4, lay.origin + 12, lay.velocity + 12,
                         (lay.fov or 0) + 4, (lay.active_weapon or 0) + 4,
                         (lay.view_offset or 0) + 12, (lay.scoped or 0) + 1,
                         (lay.observer_mode or 0) + 4, (lay.observer_target or 0) + 4)
            sizes = {"player": player, "observed": player, "client_state": lay.view_angles + 8,
                     "weapon": max((lay.clip1 or 0) + 4, (lay.item_def or 0) + 4)}
        else:
            a["client"] = self._map(max(lay.local_pawn + ps, lay.view_angles + 8), client_name)
            a["engine"] = self._map(PAGE, engine_name)
            sizes = {"pawn": max(lay.health + 4, lay.scene_node + ps, lay.velocity + 12,
                                 (lay.camera_services or 0) + ps),
                     "node": lay.origin + 12, "camera": (lay.fov or 0) + 4}
        offsets, total = {}, 0
        for key, size in sizes.items():
            offsets[key] = total
            total += _round(size + 64)
        heap = self._map(total, None)
        for key, offset in offsets.items():
            a[key] = heap + offset
        if isinstance(lay, CsgoLayout):
            self._put_ptr(a["client"] + lay.local_player, a["player"])
            self._put_ptr(a["engine"] + lay.client_state, a["client_state"])
            if lay.entity_list is not None:
                entry = a["client"] + lay.entity_list + (WEAPON_INDEX - 1) * ENTITY_ENTRY_SIZE
                self._put_ptr(entry, a["weapon"])
                entry = a["client"] + lay.entity_list + (OBSERVED_INDEX - 1) * ENTITY_ENTRY_SIZE
                self._put_ptr(entry, a["observed"])
        else:
            self._put_ptr(a["client"] + lay.local_pawn, a["pawn"])
            self._put_ptr(a["pawn"] + lay.scene_node, a["node"])
            if lay.camera_services is not None:
                self._put_ptr(a["pawn"] + lay.camera_services, a["camera"])

    # -- writing ---------------------------------------------------------------------
    def poke(self, address: int, data: bytes) -> None:
        """Write ``data`` at ``address``, which must lie inside one of the image's regions."""
        if not any(start <= address and address + len(data) <= start + size
                   for start, size in self._regions):
            raise MemoryReadError(explain("write outside the memory image",
                                          expected="an address inside a mapped region",
                                          got=f"{address:#x} (+{len(data)})"))
        ctypes.memmove(address, data, len(data))

    def peek(self, address: int, size: int) -> bytes:
        """Read back ``size`` bytes of the image (same bounds rule as :meth:`poke`)."""
        if not any(start <= address and address + size <= start + length
                   for start, length in self._regions):
            raise MemoryReadError(explain("read outside the memory image",
                                          got=f"{address:#x} (+{size})"))
        return ctypes.string_at(address, size)

    def _put_ptr(self, address: int, value: int) -> None:
        self.poke(address, struct.pack("<I" if self.pointer_size == 4 else "<Q", value))

    def set_local_player(self, present: bool) -> None:
        """``False`` nulls the local player pointer, as in the game's main menu."""
        lay, a = self.layout, self.addresses
        if isinstance(lay, CsgoLayout):
            self._put_ptr(a["client"] + lay.local_player, a["player"] if present else 0)
        else:
            self._put_ptr(a["client"] + lay.local_pawn, a["pawn"] if present else 0)

    def set_pose(self, pose: Pose) -> None:
        """Store ``pose``; fov 90 (or ``None``) is stored as 0 like the game's default.
        ``clip_ammo=None`` stores an invalid weapon handle (CS:GO)."""
        lay, a = self.layout, self.addresses
        fov = 0 if pose.fov is None or pose.fov == 90 else round(pose.fov)
        if isinstance(lay, CsgoLayout):
            self._write_player(lay, a["player"], pose, fov)
            self.poke(a["client_state"] + lay.view_angles,
                      struct.pack("<2f", pose.pitch_deg, pose.yaw_deg))
            if lay.observer_mode is not None:
                self.poke(a["player"] + lay.observer_mode,
                          struct.pack("<i", pose.observer_mode or 0))
        else:
            self._set_cs2(lay, pose, fov)

    def set_observed(self, pose: Pose | None) -> None:
        """CS:GO layouts: the local player spectates, in first person (observer mode 4), a
        player whose state is ``pose`` (its angles are not stored: the view angles stay the
        local ones); ``None`` ends spectating (mode 0, no target)."""
        lay, a = self.layout, self.addresses
        if not isinstance(lay, CsgoLayout) or lay.observer_mode is None \
                or lay.observer_target is None:
            raise MemoryReadError("set_observed needs m_iObserverMode and m_hObserverTarget")
        handle = INVALID_HANDLE_VALUE if pose is None else \
            (OBSERVED_SERIAL << 12) | OBSERVED_INDEX
        if pose is not None:
            self._write_player(lay, a["observed"], pose, 0 if pose.fov in (None, 90)
                               else round(pose.fov or 90))
        self.poke(a["player"] + lay.observer_target, struct.pack("<I", handle))
        self.poke(a["player"] + lay.observer_mode, struct.pack("<i", 0 if pose is None else 4))

    def _write_player(self, lay: CsgoLayout, p: int, pose: Pose, fov: int) -> None:
        self.poke(p + lay.health, struct.pack("<i", pose.health))
        self.poke(p + lay.origin, struct.pack("<3f", *pose.position))
        self.poke(p + lay.velocity, struct.pack("<3f", *pose.velocity))
        if lay.fov is not None:
            self.poke(p + lay.fov, struct.pack("<i", fov))
        if lay.active_weapon is not None and lay.clip1 is not None:
            handle = INVALID_HANDLE_VALUE if pose.clip_ammo is None else \
                (WEAPON_SERIAL << 12) | WEAPON_INDEX
            self.poke(p + lay.active_weapon, struct.pack("<I", handle))
            if pose.clip_ammo is not None:  # one weapon entity: the last writer's clip
                self.poke(self.addresses["weapon"] + lay.clip1,
                          struct.pack("<i", pose.clip_ammo))
                if lay.item_def is not None:
                    self.poke(self.addresses["weapon"] + lay.item_def,
                              struct.pack("<i", pose.item_def or 0))
        if lay.view_offset is not None:
            self.poke(p + lay.view_offset, struct.pack(
                "<3f", 0.0, 0.0, 0.0 if pose.view_height is None else pose.view_height))
        if lay.scoped is not None:
            self.poke(p + lay.scoped, bytes([1 if pose.scoped else 0]))

    def _set_cs2(self, lay: Cs2Layout, pose: Pose, fov: int) -> None:
        a = self.addresses
        self.poke(a["pawn"] + lay.health, struct.pack("<i", pose.health))
        self.poke(a["node"] + lay.origin, struct.pack("<3f", *pose.position))
        self.poke(a["pawn"] + lay.velocity, struct.pack("<3f", *pose.velocity))
        self.poke(a["client"] + lay.view_angles, struct.pack("<2f", pose.pitch_deg,
                                                            pose.yaw_deg))
        if lay.fov is not None:
            self.poke(a["camera"] + lay.fov, struct.pack("<I", fov))

    def close(self) -> None:
        while self._regions:
            addr, size = self._regions.pop()
            self._libc.munmap(addr, size)

    def __enter__(self) -> MemoryImage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
