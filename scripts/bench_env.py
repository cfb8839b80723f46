"""Benchmark: step timing of CSGO-Deathmatch-v0 on the replay game, beside a plain-sleep
clock, with and without the input release guardian.

Starts its own Xvfb, writes a short synthetic recording, and runs episodes of ``--steps``
seeded random actions on one env, with both cores busy by default (``--busy``). The
episodes alternate between the configurations (A B C D, D C B A, ...), each in a fresh
thread, everything else identical (input, replay frame, GSI, capture, memory pose):

- ``env real-time``: the env's clock, waiting at real-time priority where permitted;
- ``env unprivileged``: the env's clock as a user without that permission gets it;
- ``reference``: absolute deadlines with a plain ``time.sleep`` (what a user would write);
- ``env real-time, guardian off`` (with ``--guardian both``, the default): the first
  configuration without the input release guardian; the others run with it.

Measured where it matters to the game, against each step's deadline: when the step's
input has been sent (``input out``; before the deadline is on time), when the wait returns
(``tick``), and when the frame grab starts and ends (``frame in``). Also the step's own
work (its wall time outside the wait), the guardian's messages per step (random actions
change the held set nearly every step: the worst case), the direct cost of its per-step
calls, and CPU time per step of this process and of the guardian process (a
load-independent view of the same cost).

Targets: for each env mode, p99 of the tick, of the frame grab's start and of the input
<= 2 ms after the deadline; with the guardian, step work within 10% and p99 tick lateness
within 0.5 ms of without it.

    python scripts/bench_env.py [--steps 160] [--reps 3] [--busy 2] [--guardian both]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from bench_support import at_most, busy_cores, interleaved, machine_line, percentile, report

TARGET_MS = 2.0
REFERENCE = "reference (sleep to deadline)"
NO_GUARDIAN = "env real-time, guardian off"


def cpu_ns(pid: int | None) -> float:
    """CPU time a process has run, in ns (Linux ``/proc/PID/schedstat``; NaN elsewhere)."""
    try:
        return float(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return float("nan")


def run_episode(env: Any, clock: Any, steps: int, seed: int) -> dict[str, list[float]]:
    """One episode in a fresh thread; per step: seconds after the deadline of each point,
    the step's work outside the wait, and per episode the guardian's messages and CPU."""
    session = env.unwrapped.session
    session.clock = clock
    controller, capturer = session.controller, session.capturer
    marks: dict[str, float] = {}
    apply, grab, tick = controller.apply, capturer.grab, clock.tick

    def timed_apply(action: Any) -> None:
        apply(action)
        marks["input"] = time.perf_counter()

    def timed_tick() -> Any:
        marks["entered"] = time.perf_counter()
        report = tick()
        marks["tick"] = time.perf_counter()
        marks["due"] = report.deadline
        return report

    def timed_grab() -> Any:
        marks["grab"] = time.perf_counter()
        frame = grab()
        marks["grabbed"] = time.perf_counter()
        return frame

    out: dict[str, list[float]] = {"input": [], "tick": [], "grab": [], "grabbed": [],
                                   "overrun": [], "work": [], "messages": [], "cpu_us": [],
                                   "guardian_cpu_us": []}

    def body() -> None:
        guardian = controller.guardian
        sent = [0]
        if guardian is not None:
            send = guardian._send
            guardian._send = lambda names: (sent.__setitem__(0, sent[0] + 1), send(names))
        controller.apply, capturer.grab, clock.tick = timed_apply, timed_grab, timed_tick
        try:
            space = env.action_space
            space.seed(seed)
            env.reset(seed=seed)
            guardian_pid = None if guardian is None else guardian.pid
            sent[0] = 0
            cpu0, guardian0 = time.process_time_ns(), cpu_ns(guardian_pid)
            for _ in range(steps):
                start = time.perf_counter()
                _, _, _, _, info = env.step(space.sample())
                wall = time.perf_counter() - start
                for key in ("input", "tick", "grab", "grabbed"):
                    out[key].append(marks[key] - marks["due"])
                out["overrun"].append(float(info["overrun"]))
                out["work"].append(wall - (marks["tick"] - marks["entered"]))
            out["cpu_us"].append((time.process_time_ns() - cpu0) / steps / 1e3)
            out["guardian_cpu_us"].append(
                (cpu_ns(guardian_pid) - guardian0) / steps / 1e3 if guardian else 0.0)
            out["messages"].append(sent[0] / steps)
        finally:
            del controller.apply, capturer.grab, clock.tick
            if guardian is not None:
                del guardian._send

    thread = threading.Thread(target=body)
    thread.start()
    thread.join()
    return out


def _summary(parts: list[dict[str, list[float]]]) -> dict[str, float]:
    joined = {k: [v for p in parts for v in p[k]] for k in parts[0]}
    late_input = [max(0.0, v) for v in joined["input"]]
    return {"input_p99": 1e3 * percentile(late_input, 99),
            "tick_p50": 1e3 * percentile(joined["tick"], 50),
            "tick_p99": 1e3 * percentile(joined["tick"], 99),
            "tick_max": 1e3 * max(joined["tick"]),
            "grab_p99": 1e3 * percentile(joined["grab"], 99),
            "grabbed_p99": 1e3 * percentile(joined["grabbed"], 99),
            "overruns": float(sum(joined["overrun"])),
            "work_ms": 1e3 * float(np.median(joined["work"])),
            "msg_per_step": float(np.mean(joined["messages"])),
            "cpu_us": float(np.mean(joined["cpu_us"])),
            "guardian_cpu_us": float(np.mean(joined["guardian_cpu_us"]))}


def guardian_call_cost_us(guardian: Any, n: int = 20000) -> float:
    """Microseconds per step of the guardian calls when every step changes the held set."""
    a, b = frozenset({"w", "fire"}), frozenset({"w", "a", "scope"})
    t = time.perf_counter()
    for i in range(n):
        names = a if i % 2 else b
        guardian.expect(names)
        guardian.report(names)
    guardian.report(())
    return (time.perf_counter() - t) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=160, help="steps per episode (default 160)")
    parser.add_argument("--reps", "--rounds", type=int, default=3,
                        help="episodes per configuration (default 3)")
    parser.add_argument("--fps", type=float, default=16.0)
    parser.add_argument("--busy", type=int, default=os.cpu_count() or 2,
                        help="busy-loop processes meanwhile (default: one per core; 0: idle)")
    parser.add_argument("--no-realtime-wait", action="store_true",
                        help="leave out the real-time mode (what an unprivileged user gets)")
    parser.add_argument("--guardian", choices=("on", "off", "both"), default="both",
                        help="input release guardian: on or off in every configuration, or "
                             "both: on, plus the real-time configuration without it")
    args = parser.parse_args(argv)

    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env id
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.game.clock import TickClock
    from csgo_env.game.screen.xvfb import virtual_display

    realtime = not args.no_realtime_wait
    clocks: dict[str, Callable[[], Any]] = {}
    if realtime:
        clocks["env real-time"] = lambda: TickClock(args.fps, realtime_wait=True)
    clocks["env unprivileged"] = lambda: TickClock(args.fps, realtime_wait=False)
    clocks[REFERENCE] = lambda: TickClock(args.fps, spin_s=0.0, slice_s=None,
                                          realtime_wait=False, hold_s=0.0)
    if args.guardian == "both":
        clocks[NO_GUARDIAN] = lambda: TickClock(args.fps, realtime_wait=realtime)
    guardian_of = {name: name != NO_GUARDIAN and args.guardian != "off" for name in clocks}
    modes: dict[str, str] = {}
    cost_us = float("nan")
    tmp = Path(tempfile.mkdtemp(prefix="bench_env_"))
    try:
        recording = write_synthetic_recordings(tmp, files=1, seed=0, with_metadata=False,
                                               num_frames=args.steps + 2)[0]
        with virtual_display((1280, 1024)):
            env = gym.make("CSGO-Deathmatch-v0", game="replay", fps=args.fps,
                           replay_recordings=[str(recording)])
            controller = env.unwrapped.session.controller  # type: ignore[attr-defined]
            try:
                def episode(name: str) -> dict[str, list[float]]:
                    if guardian_of[name]:
                        controller.start_guardian()
                    else:
                        controller.stop_guardian()
                    clock = clocks[name]()
                    result = run_episode(env, clock, args.steps, seed=0)
                    modes[name] = clock.stats().wait_mode
                    return result

                with busy_cores(args.busy):
                    runs = interleaved({n: (lambda n=n: episode(n)) for n in clocks}, args.reps)
                if args.guardian != "off" and controller.start_guardian() is not None:
                    cost_us = guardian_call_cost_us(controller.guardian)
            finally:
                env.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    results = {name: _summary(parts) for name, parts in runs.items()}
    print(f"CSGO-Deathmatch-v0 (replay game under Xvfb), {args.reps} x {args.steps} steps per "
          f"configuration at {args.fps:g} Hz, interleaved; {args.busy} busy processes; "
          f"{machine_line()}")
    print("ms after each step's deadline (p99; input: how late past it the input was sent); "
          "work: median ms of a step outside its wait; CPU per step in us")
    print(f"{'configuration':<44}{'input':>7}{'tick p50':>9}{'tick p99':>9}{'tick max':>9}"
          f"{'grab p99':>9}{'grabbed':>8}{'overruns':>9}{'work':>7}{'msg':>6}{'cpu':>7}"
          f"{'guard':>7}")
    for name, r in results.items():
        label = f"{name} [{modes[name]}{', guardian' if guardian_of[name] else ''}]"
        print(f"{label:<44}{r['input_p99']:7.3f}{r['tick_p50']:9.3f}{r['tick_p99']:9.3f}"
              f"{r['tick_max']:9.3f}{r['grab_p99']:9.3f}{r['grabbed_p99']:8.3f}"
              f"{r['overruns']:9.0f}{r['work_ms']:7.2f}{r['msg_per_step']:6.2f}"
              f"{r['cpu_us']:7.0f}{r['guardian_cpu_us']:7.1f}")
    ref = results[REFERENCE]
    targets = []
    for name, r in results.items():
        if name not in ("env real-time", "env unprivileged"):
            continue
        tag = f"env: {name} ({modes[name]})"
        detail = f"reference {ref['tick_p99']:.2f} / {ref['grab_p99']:.2f} ms, {args.busy} busy"
        targets += [at_most(f"{tag} p99 tick at return", r["tick_p99"], TARGET_MS, " ms", detail),
                    at_most(f"{tag} p99 frame grab start", r["grab_p99"], TARGET_MS, " ms",
                            detail),
                    at_most(f"{tag} p99 input out after the deadline", r["input_p99"],
                            TARGET_MS, " ms")]
    if NO_GUARDIAN in results and "env real-time" in results:
        on, off = results["env real-time"], results[NO_GUARDIAN]
        work_ratio = on["work_ms"] / off["work_ms"] if off["work_ms"] > 0 else float("nan")
        print(f"guardian: its calls cost {cost_us:.2f} us per changing step in this process, "
              f"the guardian process {on['guardian_cpu_us']:.1f} us of CPU per step; this "
              f"process's CPU per step on / off {on['cpu_us'] / off['cpu_us']:.3f}")
        targets += [at_most("env: guardian on / off, step work, distance from 1",
                            abs(work_ratio - 1.0), 0.10, "", f"ratio {work_ratio:.3f}"),
                    at_most("env: guardian on - off, p99 tick lateness",
                            on["tick_p99"] - off["tick_p99"], 0.5, " ms")]
    return report(targets)


if __name__ == "__main__":
    raise SystemExit(main())
