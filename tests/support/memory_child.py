"""A child process holding known memory, read by the memory tests from outside.

``python memory_child.py raw [TOKEN]``: a 64-byte structure at a known address (see
:data:`RAW_LAYOUT`), a target structure it points to, and a 2-page memfd named
``known_module.so``. ``TOKEN`` (optional) also becomes the process name (``prctl``).

``python memory_child.py image GAME PLATFORM OFFSETS``: a
:class:`~csgo_env.standin.memory_image.MemoryImage` for profile ``GAME`` and ``PLATFORM``
built from the offsets at ``OFFSETS``, holding :data:`FIRST_POSE`.

Either way the child prints one JSON line (``pid`` and addresses) and then serves commands,
one JSON object per stdin line, answering one JSON line each: ``{"pose": {...}}``,
``{"poke": [address, hex bytes]}``, ``{"local_player": bool}``, ``{"peek": [address,
size]}`` (answers the hex bytes). It exits at end of input.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import mmap
import os
import struct
import subprocess
import sys
from pathlib import Path

RAW_LAYOUT = "<IiQ3fQ"
"""u32 0xDEADBEEF, i32 -7, u64 0x0123456789ABCDEF, 3 x f32 (1.5, -2.25, 1e6), pointer."""
RAW_VALUES = (0xDEADBEEF, -7, 0x0123456789ABCDEF, 1.5, -2.25, 1e6)
TARGET = b"target structure"
FIRST_POSE = {"position": [-1234.5, 987.25, 64.03125], "velocity": [250.0, -12.5, 0.0],
              "pitch_deg": 12.5, "yaw_deg": -135.75, "health": 87, "fov": 90.0,
              "clip_ammo": 23}


def _set_name(token: str) -> None:
    libc = ctypes.CDLL(None)
    libc.prctl(15, ctypes.c_char_p(token.encode()[:15]), 0, 0, 0)  # PR_SET_NAME


def main(argv: list[str]) -> int:
    keep: list[object] = []
    image = None
    if argv[0] == "raw":
        if len(argv) > 1:
            _set_name(argv[1])
        target = ctypes.create_string_buffer(TARGET)
        raw = ctypes.create_string_buffer(64)
        struct.pack_into(RAW_LAYOUT, raw, 0, *RAW_VALUES, ctypes.addressof(target))
        fd = os.memfd_create("known_module.so")
        os.ftruncate(fd, 2 * mmap.PAGESIZE)
        module = mmap.mmap(fd, 2 * mmap.PAGESIZE)
        module[:4] = b"\x7fELF"
        module_addr = ctypes.addressof(ctypes.c_char.from_buffer(module))
        keep += [target, raw, module]
        info = {"pid": os.getpid(), "raw": ctypes.addressof(raw),
                "target": ctypes.addressof(target), "module": module_addr}
    else:
        from csgo_env.game.memory.offsets import load_offsets
        from csgo_env.game.memory.pose import Pose
        from csgo_env.game.profiles import get_profile
        from csgo_env.standin.memory_image import MemoryImage

        game, platform, path = argv[1:4]
        image = MemoryImage(get_profile(game), load_offsets(path), platform=platform)
        image.set_pose(Pose(**_pose_args(FIRST_POSE)))
        info = {"pid": os.getpid(), "addresses": image.addresses}
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        answer: object = "ok"
        if "pose" in command and image is not None:
            from csgo_env.game.memory.pose import Pose

            image.set_pose(Pose(**_pose_args(command["pose"])))
        elif "poke" in command:
            address, data = command["poke"]
            ctypes.memmove(address, bytes.fromhex(data), len(data) // 2)
        elif "peek" in command:
            answer = ctypes.string_at(*command["peek"]).hex()
        elif "local_player" in command and image is not None:
            image.set_local_player(command["local_player"])
        print(json.dumps(answer), flush=True)
    if image is not None:
        image.close()
    return 0


def _pose_args(d: dict) -> dict:
    return {**d, "position": tuple(d["position"]), "velocity": tuple(d["velocity"])}


class Child:
    """Parent side: start this program, read its JSON line, send commands, stop it."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self.proc.wait(timeout=10)
            raise RuntimeError(f"memory child {args} exited with {self.proc.returncode}")
        self.info = json.loads(line)
        self.pid: int = self.info["pid"]

    def command(self, **command: object) -> object:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def kill(self) -> None:
        """Kill and reap the child (it is gone from /proc afterwards)."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """End of input (the child exits), then reap it and close the pipes."""
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()  # type: ignore[union-attr]
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()  # type: ignore[union-attr]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
