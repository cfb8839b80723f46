"""Benchmark: holding 16 Hz with both cores busy -- TickClock against two references.

Every pacer runs the same step model in the same process, interleaved in short rounds
(alternating order) so they share the same background load, while ``--busy`` processes
spin on every core:

1. wait for the tick;
2. the critical section: ``--critical-ms`` of CPU work (a stand-in for the frame grab),
   then ``release()`` (TickClock's real-time priority ends here);
3. ``--work-ms`` of CPU work (a stand-in for the policy), then the next tick.

Pacers:

- ``TickClock real-time``  ours, waiting at real-time priority where permitted
- ``TickClock unprivileged``  ours as a user without that permission gets it (short slice)
- ``deadline-sleep``  the reference a user would write: absolute deadlines, ``time.sleep``
- ``plain-sleep``     ``time.sleep(1/hz)`` after each step (the naive loop; drifts)

Lateness is measured where the wait returns to the caller: return time minus the due time
(for plain sleep: minus the time it asked to wake, so its own work is not counted). The
"frame in" column is the end of the critical section minus the due time minus its length:
zero when nothing preempted it. Targets: p99 lateness at return <= 2 ms for each TickClock
mode.

    python scripts/bench_clock.py                 # ~60 s
    python scripts/bench_clock.py --seconds 5     # quick look
    python scripts/bench_clock.py --no-realtime-wait   # only the unprivileged mode
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from bench_support import at_most, busy_cores, cpu_pressure, interleaved, percentile, report

from csgo_env.game.clock import TickClock
from csgo_env.game.sched_wait import prepare_waits

TARGET_P99_MS = 2.0


def _work(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class _DeadlineSleep:
    """Absolute deadlines with the same resync rule as TickClock, no spin, no priority."""

    def __init__(self, hz: float) -> None:
        self.period = 1.0 / hz
        self.next = time.perf_counter() + self.period

    def due(self) -> float:
        return self.next

    def tick(self) -> float:
        """Wait; return the due time."""
        due = self.next
        now = time.perf_counter()
        if now < due:
            time.sleep(due - now)
        now = time.perf_counter()
        self.next = now + self.period if now - due > self.period else due + self.period
        return due

    def release(self) -> None:
        pass


class _PlainSleep:
    def __init__(self, hz: float) -> None:
        self.period = 1.0 / hz

    def due(self) -> float:
        return float("inf")  # it never waits for a due time, so it is never entered late

    def tick(self) -> float:
        due = time.perf_counter() + self.period
        time.sleep(self.period)
        return due

    def release(self) -> None:
        pass


class _Clock:
    def __init__(self, hz: float, realtime: bool) -> None:
        self.clock = TickClock(hz, realtime_wait=realtime)
        self.clock.start()

    def due(self) -> float:
        return self.clock.next_deadline or 0.0

    def tick(self) -> float:
        return self.clock.tick().deadline

    def release(self) -> None:
        self.clock.release()


def _round(make: Callable[[], Any], ticks: int, critical_s: float, work_s: float
           ) -> dict[str, list[float]]:
    """One round of ``ticks`` steps in a fresh thread (scheduler settings stay with it)."""
    out: dict[str, list[float]] = {"late": [], "frame": [], "seconds": [], "entered_late": []}

    def body() -> None:
        pacer = make()
        t0 = time.perf_counter()
        for _ in range(ticks):
            out["entered_late"].append(float(time.perf_counter() > pacer.due()))
            due = pacer.tick()
            back = time.perf_counter()
            _work(critical_s)
            end = time.perf_counter()
            pacer.release()
            out["late"].append(back - due)
            out["frame"].append(end - due - critical_s)
            _work(work_s)
        out["seconds"].append(time.perf_counter() - t0)

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return out


def _mode(realtime: bool) -> str:
    """The wait mode a fresh thread gets."""
    box: dict[str, str] = {}
    probe = threading.Thread(target=lambda: box.setdefault(
        "mode", prepare_waits(realtime=realtime).mode))
    probe.start()
    probe.join()
    return box["mode"]


def run(hz: float, seconds: float, critical_s: float, work_s: float, round_s: float,
        realtime: bool) -> dict[str, dict[str, float]]:
    """Interleave the pacers in rounds of ``round_s`` until each ran ``seconds``."""
    pacers: dict[str, Callable[[], Any]] = {}
    if realtime:
        pacers["TickClock real-time"] = lambda: _Clock(hz, True)
    pacers["TickClock unprivileged"] = lambda: _Clock(hz, False)
    pacers["deadline-sleep"] = lambda: _DeadlineSleep(hz)
    pacers["plain-sleep"] = lambda: _PlainSleep(hz)
    ticks = max(1, round(round_s * hz))
    reps = max(1, round(seconds / round_s))
    rounds = interleaved({name: (lambda make=make: _round(make, ticks, critical_s, work_s))
                          for name, make in pacers.items()}, reps)
    out = {}
    for name, parts in rounds.items():
        late = [v for p in parts for v in p["late"]]
        frame = [v for p in parts for v in p["frame"]]
        entered_late = [v for p in parts for v in p["entered_late"]]
        on_time = [v for v, e in zip(late, entered_late, strict=True) if not e]
        secs = sum(v for p in parts for v in p["seconds"])
        out[name] = {"ticks": len(late), "rate_hz": len(late) / secs,
                     "mean_ms": 1e3 * sum(late) / len(late),
                     "p50_ms": 1e3 * percentile(late, 50), "p99_ms": 1e3 * percentile(late, 99),
                     "max_ms": 1e3 * max(late),
                     "over_2ms": sum(v > 0.002 for v in late) / len(late),
                     "frame_p99_ms": 1e3 * percentile(frame, 99),
                     "overruns": int(sum(entered_late)),
                     "on_time_p99_ms": 1e3 * percentile(on_time, 99)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hz", type=float, default=16.0)
    parser.add_argument("--seconds", type=float, default=14.0,
                        help="measured seconds per pacer (default 14: ~60 s in all)")
    parser.add_argument("--critical-ms", type=float, default=1.0,
                        help="CPU work right after the tick, before release (the frame grab)")
    parser.add_argument("--work-ms", type=float, default=5.0,
                        help="CPU work after the critical section (the policy)")
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                        help="busy-loop processes during the measurement (default: one per core)")
    parser.add_argument("--round-s", type=float, default=2.0)
    parser.add_argument("--no-realtime-wait", action="store_true",
                        help="measure only the unprivileged mode (what a user without "
                             "CAP_SYS_NICE or RLIMIT_RTPRIO gets)")
    parser.add_argument("--json", type=str, default=None, help="also write results here")
    args = parser.parse_args(argv)
    realtime = not args.no_realtime_wait

    pressure_before = cpu_pressure()
    with busy_cores(args.busy):
        results = run(args.hz, args.seconds, args.critical_ms / 1e3, args.work_ms / 1e3,
                      args.round_s, realtime)
    modes = {"TickClock real-time": _mode(True), "TickClock unprivileged": _mode(False)}
    print(f"{args.hz:g} Hz; per tick {args.critical_ms:g} ms critical section + "
          f"{args.work_ms:g} ms work; {args.busy} busy processes on {os.cpu_count()} cores; "
          f"python {sys.version.split()[0]}")
    print(f"wait modes: real-time pacer -> {modes['TickClock real-time']}, unprivileged "
          f"pacer -> {modes['TickClock unprivileged']}")
    print(f"CPU pressure (PSI) before the busy loops: {pressure_before}; after: {cpu_pressure()}")
    ref = results["deadline-sleep"]
    print(f"{'pacer':<24}{'ticks':>6}{'rate Hz':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
          f"{'>2 ms':>7}{'frame in p99':>13}{'overruns':>9}{'p99 w/o':>8}{'ref / ours':>11}")
    for name, r in results.items():
        ratio = ref["p99_ms"] / r["p99_ms"] if r["p99_ms"] > 0 else float("inf")
        print(f"{name:<24}{r['ticks']:>6}{r['rate_hz']:>9.3f}{r['p50_ms']:>8.3f}"
              f"{r['p99_ms']:>8.3f}{r['max_ms']:>8.3f}{100 * r['over_2ms']:>6.1f}%"
              f"{r['frame_p99_ms']:>13.3f}{r['overruns']:>9}{r['on_time_p99_ms']:>8.3f}"
              f"{ratio:>10.1f}x")
    print("overruns: ticks entered after their due time (the work before them was late); "
          "'p99 w/o': p99 of the other ticks; 'ref / ours': deadline-sleep p99 / p99")
    targets = [at_most(f"clock: {name} ({modes[name]}) p99 lateness at return", r["p99_ms"],
                       TARGET_P99_MS, " ms",
                       f"deadline-sleep reference {ref['p99_ms']:.2f} ms; {r['overruns']} "
                       f"overrun(s); {args.busy} busy")
               for name, r in results.items() if name.startswith("TickClock")]
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"args": vars(args), "modes": modes, "results": results}, f, indent=2)
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
