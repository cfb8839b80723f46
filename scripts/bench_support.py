"""What every benchmark script shares: targets printed as PASS/MISS, interleaved
repetitions, a busy-CPU load, and memory summed over a whole process tree.

A benchmark script imports this module from its own folder (``scripts/``), runs its
reference and the code under test in alternating repetitions (:func:`interleaved`), and
ends with :func:`report`, which prints one line per target::

    PASS  capture: Capturer.grab / bare mss grab of the same crop  1.21x  (target <= 1.5x)
    MISS  loader: windows/s through the DataLoader / authors' per-key reads  7.9x  (target >= 10x)

and returns the exit status (1 when any target is missed), so a regression is visible both
on screen and to a caller.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing as mp
import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """One stated target: ``value`` (in ``unit``) must be ``>= limit`` or ``<= limit``."""

    name: str
    value: float
    limit: float
    at_least: bool
    unit: str = ""
    detail: str = ""

    @property
    def met(self) -> bool:
        """Whether the figure meets the target (a NaN figure never does)."""
        if math.isnan(self.value):
            return False
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def line(self) -> str:
        """``PASS``/``MISS``, the name, the figure and the target on one line."""
        op = ">=" if self.at_least else "<="
        tail = f"  [{self.detail}]" if self.detail else ""
        return (f"{'PASS' if self.met else 'MISS'}  {self.name}  {_fmt(self.value)}{self.unit}"
                f"  (target {op} {_fmt(self.limit)}{self.unit}){tail}")


def at_least(name: str, value: float, limit: float, unit: str = "", detail: str = "") -> Target:
    """A target that ``value`` reaches when it is at least ``limit``."""
    return Target(name, float(value), float(limit), True, unit, detail)


def at_most(name: str, value: float, limit: float, unit: str = "", detail: str = "") -> Target:
    """A target that ``value`` meets when it is at most ``limit``."""
    return Target(name, float(value), float(limit), False, unit, detail)


def _fmt(v: float) -> str:
    if math.isnan(v) or math.isinf(v):
        return str(v)
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) < 1 else f"{v:.2f}".rstrip("0").rstrip(".")


def report(targets: Sequence[Target], *, note: str = "") -> int:
    """Print the PASS/MISS line of every target (and a note); 0 if all are met, else 1."""
    print()
    if note:
        print(note)
    for target in targets:
        print(target.line(), flush=True)
    return 0 if all(t.met for t in targets) else 1


def interleaved(runs: Mapping[str, Callable[[], T]], reps: int) -> dict[str, list[T]]:
    """Call every run ``reps`` times, alternating the order (A B C, C B A, A B C, ...).

    Load that comes and goes while the benchmark runs then falls on every side alike; the
    reversed order also cancels a steady drift (warming caches, a filling disk).
    """
    out: dict[str, list[T]] = {name: [] for name in runs}
    names = list(runs)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            out[name].append(runs[name]())
    return out


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (NaN when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _burn() -> None:
    while True:
        pass


@contextlib.contextmanager
def busy_cores(n: int) -> Iterator[None]:
    """Keep ``n`` processes spinning on the CPU while the block runs (0: none)."""
    ctx = mp.get_context("spawn")
    burners = [ctx.Process(target=_burn, daemon=True) for _ in range(max(0, n))]
    for p in burners:
        p.start()
    try:
        if burners:
            time.sleep(0.5)  # let them get going
        yield
    finally:
        for p in burners:
            p.terminate()
        for p in burners:
            p.join()


def cpu_pressure() -> str:
    """Linux PSI line for the CPU (``avg10=... avg60=...``): how much runnable work waited."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as f:
            return " ".join(f.readline().split()[1:3])
    except OSError:
        return "n/a"


def machine_line() -> str:
    """Cores and load average, for the head of a report."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores, load average {load:.2f}, CPU pressure {cpu_pressure()}"


@dataclass
class TreeMemory:
    """Memory of a process and all its descendants, sampled while it runs (MB = 1e6 bytes).

    ``peak_rss_mb``: the largest sum of resident sets seen at one sample (pages shared
    between processes count once per process, so this is an upper bound of the moment).
    ``peak_uss_mb``: the same for unique set sizes (memory that only that process holds; a
    lower bound). ``sum_hwm_mb``: the sum over every process ever seen of its own peak
    resident set (``VmHWM``; catches peaks between samples, an upper bound). Workers of a
    ``forkserver`` are children of the fork server, itself a child of the process, so they
    are part of the tree.
    """

    peak_rss_mb: float = 0.0
    peak_uss_mb: float = 0.0
    sum_hwm_mb: float = 0.0
    seconds: float = 0.0
    processes: int = 0
    returncode: int = 0
    _hwm: dict[int, float] = field(default_factory=dict, repr=False)


def _hwm_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        return None
    return None


def tree_memory(args: Sequence[str], *, interval_s: float = 0.05, uss: bool = True,
                env: Mapping[str, str] | None = None) -> TreeMemory:
    """Run ``args`` to completion and measure the memory of its whole process tree."""
    import psutil

    out = TreeMemory()
    start = time.perf_counter()
    err_file = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    proc = psutil.Popen(list(args), stdout=subprocess.DEVNULL, stderr=err_file,
                        env=None if env is None else dict(env))
    while proc.poll() is None:
        rss = uss_total = 0
        try:
            members = [proc, *proc.children(recursive=True)]
        except psutil.Error:
            members = [proc]
        for p in members:
            try:
                if uss:
                    info = p.memory_full_info()
                    uss_total += info.uss
                else:
                    info = p.memory_info()
                rss += info.rss
            except psutil.Error:
                continue
            hwm = _hwm_mb(p.pid)
            if hwm is not None:
                out._hwm[p.pid] = max(out._hwm.get(p.pid, 0.0), hwm)
        out.peak_rss_mb = max(out.peak_rss_mb, rss / 1e6)
        out.peak_uss_mb = max(out.peak_uss_mb, uss_total / 1e6)
        time.sleep(interval_s)
    out.seconds = time.perf_counter() - start
    out.returncode = proc.returncode
    out.processes = len(out._hwm)
    out.sum_hwm_mb = sum(out._hwm.values())
    err_file.seek(0)
    err = err_file.read().decode(errors="replace")[-2000:]
    err_file.close()
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(args)}\n{err}")
    return out
