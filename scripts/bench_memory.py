"""Benchmark: pose read latency from another process, /proc/PID/mem vs process_vm_readv.

Starts a child holding the replay game's memory image (CS:GO layout, 8-byte pointers) and
one with the 32-bit CS:GO layout, then times, for every Linux backend: one 4-byte read and
one full :meth:`PoseReader.read`. The reference is ``proc_mem`` (one ``os.pread`` per read);
ratios are backend time / reference time (below 1 is faster). Backends and layouts run in
alternating order. A pose must be read once per 16 Hz step (62.5 ms budget); target: p99
of a pose read with the default backend <= 1 ms.

    python scripts/bench_memory.py [--reads 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import at_most, machine_line, report

from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import PoseReader
from csgo_env.game.memory.readers import AUTO_BACKEND, backends_for, open_process
from csgo_env.game.profiles import get_profile
from csgo_env.standin.memory_image import write_replay_offsets

CHILD = """
import json, sys
from csgo_env.game.memory.offsets import load_offsets
from csgo_env.game.memory.pose import Pose
from csgo_env.game.profiles import get_profile
from csgo_env.standin.memory_image import MemoryImage
game, platform, path = sys.argv[1:4]
image = MemoryImage(get_profile(game), load_offsets(path), platform=platform)
image.set_pose(Pose((1.0, 2.0, 3.0), (0.0, 0.0, 0.0), 5.0, 6.0, 100, 90.0, 30))
print(json.dumps(image.addresses), flush=True)
sys.stdin.read()
"""


def _time(fn: object, reads: int) -> tuple[float, float, float]:
    """(mean, median, p99) in microseconds over ``reads`` calls, timed in blocks of 10."""
    samples = []
    for _ in range(max(1, reads // 10)):
        start = time.perf_counter()
        for _ in range(10):
            fn()  # type: ignore[operator]
        samples.append((time.perf_counter() - start) / 10 * 1e6)
    samples.sort()
    return statistics.fmean(samples), samples[len(samples) // 2], samples[int(len(samples) * .99)]


TARGET_POSE_P99_US = 1000.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=20000, help="reads per measurement")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_replay_offsets(Path(tmp) / "csgo.json")
        offsets = load_offsets(path)
        rows = []
        for game, platform in (("replay", "linux"), ("csgo", "win32")):
            child = subprocess.Popen([sys.executable, "-c", CHILD, game, platform, str(path)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                addresses = json.loads(child.stdout.readline())  # type: ignore[union-attr]
                names = backends_for("linux")
                for backend in names if game == "replay" else names[::-1]:  # alternate
                    with open_process(child.pid, backend=backend) as mem:
                        reader = PoseReader(mem, offsets, get_profile(game), platform=platform)
                        reader.read()
                        player = addresses["player"]
                        for what, fn in (("u32 read", lambda m=mem, a=player: m.read_u32(a)),
                                         ("pose read", reader.read)):
                            mean, median, p99 = _time(fn, args.reads)
                            label = f"{game}/{platform} ptr={reader.pointer_size}"
                            rows.append((label, what, backend, mean, median, p99))
            finally:
                child.stdin.close()  # type: ignore[union-attr]
                child.wait()
    print(machine_line())
    print(f"{'layout':24} {'measure':10} {'backend':17} {'mean us':>8} {'median':>8} "
          f"{'p99':>8} {'vs proc_mem':>11}")
    reference = {(label, what): mean for label, what, backend, mean, _, _ in rows
                 if backend == "proc_mem"}
    for label, what, backend, mean, median, p99 in rows:
        ratio = mean / reference[label, what]
        print(f"{label:24} {what:10} {backend:17} {mean:8.2f} {median:8.2f} {p99:8.2f} "
              f"{ratio:11.2f}")
    default = AUTO_BACKEND["linux"]
    worst = max(p99 for _, what, backend, _, _, p99 in rows
                if what == "pose read" and backend == default)
    return report([at_most(f"memory: pose read p99, default backend ({default}), worst layout",
                           worst, TARGET_POSE_P99_US, " us", "of a 62,500 us step")])


if __name__ == "__main__":
    sys.exit(main())
