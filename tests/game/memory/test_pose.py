"""PoseReader against a child process holding a game-shaped memory image (all layouts)."""

from __future__ import annotations

import json
import math
import os
import struct
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from csgo_env.errors import (
    LocalPlayerMissing,
    MemoryReadError,
    OffsetsFileError,
    OffsetsOutdated,
    ProcessExited,
)
from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import Pose, PoseReader
from csgo_env.game.memory.readers import open_process
from csgo_env.game.profiles import get_profile
from tests.support.memory_child import FIRST_POSE, Child
from tests.support.offsets import (
    CS2_BUILD,
    CSGO_NETVARS,
    CSGO_SIGNATURES,
    write_cs2_dumper,
    write_hazedumper,
    write_json,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc")
FIRST = Pose(**{**FIRST_POSE, "position": tuple(FIRST_POSE["position"]),  # type: ignore[arg-type]
                "velocity": tuple(FIRST_POSE["velocity"])})
# (profile, platform the layout is for, pointer size the image must use)
LAYOUTS = [("csgo", "win32", 4), ("replay", "linux", 8), ("cs2", "win32", 8), ("cs2", "linux", 8)]


def _offsets_path(tmp_path: Path, game: str) -> Path:
    if game == "cs2":
        return write_cs2_dumper(tmp_path / "cs2")
    return write_hazedumper(tmp_path / "csgo")


@pytest.fixture
def start_child() -> Iterator[Callable[..., Child]]:
    started: list[Child] = []

    def start(game: str, platform: str, offsets: Path) -> Child:
        child = Child("image", game, platform, str(offsets))
        started.append(child)
        return child

    yield start
    for child in started:
        child.stop()


def _pose_json(pose: Pose) -> dict:
    return {**pose.__dict__, "position": list(pose.position), "velocity": list(pose.velocity)}


@pytest.mark.parametrize(("game", "platform", "pointer_size"), LAYOUTS)
@pytest.mark.parametrize("backend", ["proc_mem", "process_vm_readv"])
def test_reads_the_exact_pose(tmp_path: Path, start_child: Callable[..., Child], game: str,
                              platform: str, pointer_size: int, backend: str) -> None:
    path = _offsets_path(tmp_path, game)
    child = start_child(game, platform, path)
    addresses = child.info["addresses"]
    if pointer_size == 4:  # the 32-bit layout really uses 32-bit addresses
        assert all(a + 0x10000 < 1 << 32 for a in addresses.values())
    profile = get_profile(game)
    with open_process(child.pid, backend=backend) as mem:
        reader = PoseReader(mem, load_offsets(path), profile, platform=platform)
        assert reader.pointer_size == pointer_size
        assert mem.module_base(profile.client_module[platform]) == addresses["client"]
        is_cs2 = game == "cs2"
        expected = replace(FIRST, clip_ammo=None) if is_cs2 else FIRST
        assert reader.read() == expected
        extras = {} if is_cs2 else dict.fromkeys(
            ("view_height", "item_def", "scoped", "observer_mode", "observed"), False)
        assert reader.available == {"fov": True, "clip_ammo": not is_cs2, **extras}
        moved = Pose(position=(2048.0, -511.5, -96.25), velocity=(-0.5, 3.0, -300.0),
                     pitch_deg=-89.0, yaw_deg=179.5, health=0, fov=40.0,
                     clip_ammo=None if is_cs2 else 0)
        assert child.command(pose=_pose_json(moved)) == "ok"
        assert reader.read() == moved


def test_fov_default_is_stored_as_zero_and_read_as_90(tmp_path: Path,
                                                      start_child: Callable[..., Child]) -> None:
    path = _offsets_path(tmp_path, "csgo")
    child = start_child("csgo", "win32", path)
    with open_process(child.pid, pointer_size=4) as mem:
        player = mem.read_pointer(child.info["addresses"]["client"] +
                                  CSGO_SIGNATURES["dwLocalPlayer"])
        assert player == child.info["addresses"]["player"]
        assert mem.read_i32(player + CSGO_NETVARS["m_iFOV"]) == 0  # as the recordings' 0
        assert mem.read_i32(player + CSGO_NETVARS["m_iHealth"]) == FIRST.health
        reader = PoseReader(mem, load_offsets(path), get_profile("csgo"), platform="win32")
        assert reader.read().fov == 90.0
        child.command(pose=_pose_json(replace(FIRST, fov=10.0, clip_ammo=None)))
        pose = reader.read()
        assert pose.fov == 10.0 and pose.clip_ammo is None  # invalid weapon handle


def test_optional_chains_are_none_when_offsets_lack_them(tmp_path: Path,
                                                         start_child: Callable[..., Child]) -> None:
    full = _offsets_path(tmp_path, "csgo")
    child = start_child("csgo", "win32", full)
    partial = write_hazedumper(tmp_path / "partial", drop=("m_iFOV", "dwEntityList"))
    with open_process(child.pid) as mem:
        reader = PoseReader(mem, load_offsets(partial), get_profile("csgo"), platform="win32")
        assert {k: reader.available[k] for k in ("fov", "clip_ammo")} == {
            "fov": False, "clip_ammo": False}
        assert reader.read() == replace(FIRST, fov=None, clip_ammo=None)


def _stale_reader(tmp_path: Path, child: Child, **netvars: int) -> PoseReader:
    stale = write_hazedumper(tmp_path / "stale", netvars=netvars)
    mem = open_process(child.pid)
    return PoseReader(mem, load_offsets(stale), get_profile("csgo"), platform="win32")


def test_garbage_health_is_outdated_offsets(tmp_path: Path,
                                            start_child: Callable[..., Child]) -> None:
    child = start_child("csgo", "win32", _offsets_path(tmp_path, "csgo"))
    child.command(poke=[child.info["addresses"]["player"] + 0x200, struct.pack("<i", 12345).hex()])
    reader = _stale_reader(tmp_path, child, m_iHealth=0x200)
    with pytest.raises(OffsetsOutdated) as err:
        reader.read()
    message = str(err.value)
    assert "health 12345" in message and "re-dump offsets" in message
    assert "offsets=PATH" in message and "hazedumper" in message
    reader.memory.close()


def test_nan_position_is_outdated_offsets(tmp_path: Path,
                                          start_child: Callable[..., Child]) -> None:
    child = start_child("csgo", "win32", _offsets_path(tmp_path, "csgo"))
    nan = struct.pack("<3f", math.nan, 1.0, 2.0).hex()
    child.command(poke=[child.info["addresses"]["player"] + 0x300, nan])
    reader = _stale_reader(tmp_path, child, m_vecOrigin=0x300)
    with pytest.raises(OffsetsOutdated, match="non-finite floats: position \\(nan"):
        reader.read()
    reader.memory.close()


def test_pointer_into_nowhere_is_outdated_offsets(tmp_path: Path,
                                                  start_child: Callable[..., Child]) -> None:
    child = start_child("csgo", "win32", _offsets_path(tmp_path, "csgo"))
    client = child.info["addresses"]["client"]
    child.command(poke=[client + 0x40, struct.pack("<I", 0x10).hex()])
    stale = write_hazedumper(tmp_path / "stale", signatures={"dwLocalPlayer": 0x40})
    with open_process(child.pid) as mem:
        reader = PoseReader(mem, load_offsets(stale), get_profile("csgo"), platform="win32")
        with pytest.raises(OffsetsOutdated, match=r"unreadable memory.*Fix: re-dump"):
            reader.read()


def test_build_mismatch_refused_before_reading(tmp_path: Path) -> None:
    offsets = load_offsets(write_cs2_dumper(tmp_path / "cs2"))
    with open_process(os.getpid()) as mem:
        with pytest.raises(OffsetsOutdated) as err:
            PoseReader(mem, offsets, get_profile("cs2"), platform="win32",
                       expected_build=CS2_BUILD + 1)
        message = str(err.value)
        assert f"build {CS2_BUILD + 1}" in message and f"got build {CS2_BUILD}" in message
        assert "cs2-dumper" in message and "offsets=PATH" in message
        PoseReader(mem, offsets, get_profile("cs2"), platform="win32", expected_build=CS2_BUILD)


def test_no_local_player_in_menu(tmp_path: Path, start_child: Callable[..., Child]) -> None:
    path = _offsets_path(tmp_path, "cs2")
    child = start_child("cs2", "linux", path)
    with open_process(child.pid) as mem:
        reader = PoseReader(mem, load_offsets(path), get_profile("cs2"), platform="linux")
        child.command(local_player=False)
        with pytest.raises(LocalPlayerMissing, match="main menu"):
            reader.read()
        child.command(local_player=True)
        assert reader.read().health == FIRST.health


def test_dead_game_raises_process_exited(tmp_path: Path,
                                         start_child: Callable[..., Child]) -> None:
    path = _offsets_path(tmp_path, "replay")
    child = start_child("replay", "linux", path)
    with open_process(child.pid) as mem:
        reader = PoseReader(mem, load_offsets(path), get_profile("replay"), platform="linux")
        assert reader.read() == FIRST
        child.kill()
        with pytest.raises(ProcessExited):
            reader.read()


def test_offsets_must_suit_the_layout(tmp_path: Path) -> None:
    hz = load_offsets(write_hazedumper(tmp_path / "hz", drop=("m_iHealth", "dwClientState")))
    cs2 = load_offsets(write_cs2_dumper(tmp_path / "cs2"))
    with open_process(os.getpid()) as mem:
        with pytest.raises(OffsetsFileError, match="missing dwClientState, m_iHealth"):
            PoseReader(mem, hz, get_profile("csgo"), platform="win32")
        with pytest.raises(OffsetsFileError, match="hazedumper offsets"):
            PoseReader(mem, cs2, get_profile("csgo"), platform="win32")
        folder = write_cs2_dumper(tmp_path / "cs2b")
        schema = json.loads((folder / "client_dll.json").read_text())
        del schema["client.dll"]["classes"]["CCSPlayerBase_CameraServices"]["fields"]["m_iFOV"]
        write_json(folder / "client_dll.json", schema)
        no_fov = PoseReader(mem, load_offsets(folder), get_profile("cs2"), platform="linux")
        assert no_fov.available == {"fov": False, "clip_ammo": False}
        with pytest.raises(MemoryReadError, match=r"libclient\.so"):
            PoseReader(mem, cs2, get_profile("cs2"), platform="linux").read()


def test_pitch_beyond_the_clamp_is_outdated_offsets(tmp_path: Path,
                                                    start_child: Callable[..., Child]) -> None:
    path = _offsets_path(tmp_path, "replay")
    child = start_child("replay", "linux", path)
    child.command(pose=_pose_json(replace(FIRST, pitch_deg=95.0, yaw_deg=-200.0)))
    with open_process(child.pid) as mem:
        reader = PoseReader(mem, load_offsets(path), get_profile("replay"), platform="linux")
        with pytest.raises(OffsetsOutdated, match=r"pitch 95\.0 outside .*yaw -200\.0 outside"):
            reader.read()
