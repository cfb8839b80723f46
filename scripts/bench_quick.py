"""Wall time of ``csgo-env benchmark --quick`` from a fresh clone, against the 10-minute target.

Clones the repository's committed HEAD (``git clone`` into a temporary folder, no build
products, no caches), then runs the README's first command's benchmark from it
(``python -m csgo_env.cli benchmark --quick`` with ``PYTHONPATH`` set to the clone, a fresh
``CSGO_ENV_HOME`` and Minari folder, so nothing computed before is reused) and times it.
Beside it, in the same run, a fixed reference workload (NumPy and a small torch
convolution, ~2 s on an idle 2-core machine) runs before and after the benchmark: its
time against its first run tells how loaded the machine was while the benchmark ran. Also
printed: the load average before and after, the benchmark's CPU time (children's user +
sys) against its wall time, and every stage's time from the results folder.

    python scripts/bench_quick.py [--repo .] [--keep] [--target-s 600]

Target: the whole quick benchmark <= 600 s (PASS/MISS). On a loaded machine the reference's
slow-down is the factor to divide by; figures are only final on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def reference_workload() -> float:
    """Seconds of a fixed CPU workload (the same work every call)."""
    import numpy as np
    import torch

    torch.set_num_threads(2)
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    a = rng.random((400, 400))
    for _ in range(30):
        a = np.tanh(a @ a.T / 400.0)
    conv = torch.nn.Conv2d(3, 16, 3, padding=1)
    x = torch.rand(64, 3, 60, 112)
    with torch.no_grad():
        for _ in range(20):
            conv(x).relu_().sum()
    return time.perf_counter() - start


def clone(repo: Path, into: Path) -> str:
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(repo), str(into)], check=True)
    return subprocess.run(["git", "-C", str(into), "rev-parse", "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--target-s", type=float, default=600.0)
    parser.add_argument("--keep", action="store_true", help="keep the clone and results")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench_quick_"))
    try:
        commit = clone(args.repo, tmp / "clone")
        out = tmp / "results"
        env = {**os.environ, "PYTHONPATH": str(tmp / "clone"),
               "CSGO_ENV_HOME": str(tmp / "home"),
               "MINARI_DATASETS_PATH": str(tmp / "minari"), "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("DISPLAY", None)  # as on a fresh headless machine: the benchmark's own Xvfb
        ref_before = reference_workload()
        load_before = os.getloadavg()
        usage0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "csgo_env.cli", "benchmark", "--quick",
                               "--out", str(out)], cwd=tmp / "clone", env=env,
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        usage1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        load_after = os.getloadavg()
        ref_after = reference_workload()
        cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
            print(f"MISS: the benchmark failed (exit {proc.returncode}) after {wall:.0f} s")
            return 1
        print(f"commit {commit}, {os.cpu_count()} CPUs; fresh clone in {tmp / 'clone'}")
        print(f"load average (1, 5, 15 min): before {load_before[0]:.2f} {load_before[1]:.2f} "
              f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} "
              f"{load_after[2]:.2f}")
        print(f"reference workload: {ref_before:.2f} s before, {ref_after:.2f} s after "
              f"(ratio {ref_after / ref_before:.2f})")
        print(f"benchmark CPU time {cpu:.0f} s over {wall:.0f} s wall "
              f"({cpu / wall:.2f} cores busy on average)")
        for path in sorted((out / "stages").glob("*.json"),
                           key=lambda p: p.stat().st_mtime):
            seconds = json.loads(path.read_text()).get("seconds", 0.0)
            print(f"  stage {path.stem:8s} {seconds:7.1f} s")
        summary = out / "summary.md"
        if summary.is_file():
            print(summary.read_text())
        verdict = "PASS" if wall <= args.target_s else "MISS"
        print(f"{verdict}: csgo-env benchmark --quick from a fresh clone took {wall:.0f} s "
              f"(target <= {args.target_s:.0f} s)")
        return 0 if verdict == "PASS" else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
