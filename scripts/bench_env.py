"""Tick lateness of CSGO-Deathmatch-v0 on the replay game, beside a plain-sleep clock,
with and without the input release guardian.

Starts its own Xvfb, writes a short synthetic recording, then runs episodes of ``--steps``
random actions on the same env: with the env's clock (sleep until 2 ms before each
deadline, then spin) and with the reference clock, a plain absolute-deadline
``time.sleep`` (spin 0) — everything else identical (input, replay frame, GSI, capture,
memory pose). With ``--guardian both`` (default) the env-clock episodes run ``--rounds``
times with the release guardian on and off, interleaved (on/off, off/on, ...), so both
see the same machine load. Reports p50 / p99 / max lateness, overruns and the step's own
work (median ms after the tick) of each, the on/off ratios, the guardian's messages per
step (random actions change the held set nearly every step: the worst case) and the
direct cost of its per-step calls, and CPU time per step of this process and of the
guardian process (a load-independent view of the same cost).

    python scripts/bench_env.py [--steps 160] [--fps 16] [--guardian on|off|both]

Targets: p99 lateness <= 2 ms at 16 Hz; with the guardian, step work within 10% and p99
lateness within 0.5 ms of without it.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def cpu_ns(pid: int | None) -> float:
    """CPU time a process has run, in ns (Linux ``/proc/PID/schedstat``; NaN elsewhere)."""
    try:
        return float(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return float("nan")


def run_episode(env: Any, steps: int, seed: int) -> dict[str, list[float]]:
    """One episode of seeded random actions: lateness (ms), the step's own work (ms), the
    guardian's messages, and CPU time per step (us) of this process and of the guardian
    (CPU time barely depends on how loaded the machine is; wall-clock work does)."""
    session = env.unwrapped.session
    clock = session.clock
    ticked: list[float] = []
    tick = clock.tick

    def timed_tick() -> Any:
        report = tick()
        ticked.append(time.perf_counter())
        return report

    clock.tick = timed_tick
    guardian = session.controller.guardian
    sent = [0]
    if guardian is not None:
        send = guardian._send
        guardian._send = lambda names: (sent.__setitem__(0, sent[0] + 1), send(names))
    space = env.action_space
    space.seed(seed)
    env.reset(seed=seed)
    guardian_pid = None if guardian is None else guardian.pid
    cpu0, guardian0 = time.process_time_ns(), cpu_ns(guardian_pid)
    late, work = [], []
    for _ in range(steps):
        _, _, _, _, info = env.step(space.sample())
        late.append(info["tick_lateness_s"])
        work.append(time.perf_counter() - ticked[-1])  # replay frame + capture + GSI + pose
    cpu = (time.process_time_ns() - cpu0) / steps / 1e3
    guardian_cpu = (cpu_ns(guardian_pid) - guardian0) / steps / 1e3 if guardian else 0.0
    if guardian is not None:
        del guardian._send
    return {"late": [v * 1e3 for v in late], "work": [v * 1e3 for v in work],
            "overruns": [float(clock.stats().overruns)], "messages": [float(sent[0])],
            "cpu_us": [cpu], "guardian_cpu_us": [guardian_cpu]}


def summarise(runs: list[dict[str, list[float]]], steps: int) -> dict[str, float]:
    """Pool the runs of one setting."""
    late = np.concatenate([r["late"] for r in runs])
    return {"p50": float(np.percentile(late, 50)), "p99": float(np.percentile(late, 99)),
            "max": float(late.max()), "overruns": float(sum(r["overruns"][0] for r in runs)),
            "work_ms": float(np.median(np.concatenate([r["work"] for r in runs]))),
            "msg_per_step": sum(r["messages"][0] for r in runs) / (steps * len(runs)),
            "cpu_us": float(np.mean([r["cpu_us"][0] for r in runs])),
            "guardian_cpu_us": float(np.mean([r["guardian_cpu_us"][0] for r in runs]))}


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


def _burn() -> None:
    while True:
        pass


def _in_thread(fn: Callable[[], dict]) -> dict:
    """Run ``fn`` in a fresh thread (scheduling set up by a clock stays with that thread)."""
    out: dict = {}
    thread = threading.Thread(target=lambda: out.setdefault("v", fn()))
    thread.start()
    thread.join()
    return out["v"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=160, help="steps per run (default 160)")
    parser.add_argument("--fps", type=float, default=16.0)
    parser.add_argument("--busy", type=int, default=0,
                        help="busy-loop processes running meanwhile (e.g. 2: both cores busy)")
    parser.add_argument("--guardian", choices=("on", "off", "both"), default="both",
                        help="input release guardian during the env-clock episodes")
    parser.add_argument("--rounds", type=int, default=4,
                        help="env-clock episodes per guardian setting (default 4)")
    args = parser.parse_args()

    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env id
    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.game.clock import TickClock
    from csgo_env.game.screen.xvfb import virtual_display

    tmp = Path(tempfile.mkdtemp(prefix="bench_env_"))
    try:
        recording = write_synthetic_recordings(tmp, files=1, seed=0, with_metadata=False,
                                            num_frames=args.steps + 2)[0]
        with virtual_display((1280, 1024)):
            env = gym.make("CSGO-Deathmatch-v0", game="replay", fps=args.fps,
                           replay_recordings=[str(recording)])
            burners = [mp.get_context("spawn").Process(target=_burn, daemon=True)
                       for _ in range(args.busy)]
            for p in burners:
                p.start()
            session = env.unwrapped.session  # type: ignore[attr-defined]
            controller = session.controller
            settings = ["on", "off"] if args.guardian == "both" else [args.guardian]
            runs: dict[str, list[dict[str, list[float]]]] = {s: [] for s in settings}
            cost_us = float("nan")
            try:
                for round_ in range(args.rounds):
                    order = settings if round_ % 2 == 0 else settings[::-1]
                    for setting in order:
                        if setting == "on":
                            controller.start_guardian()
                        else:
                            controller.stop_guardian()
                        session.clock = TickClock(args.fps)

                        def episode(seed: int = round_) -> dict[str, list[float]]:
                            return run_episode(env, args.steps, seed=seed)

                        runs[setting].append(_in_thread(episode))
                mode = session.clock.stats().wait_mode
                if controller.start_guardian() is not None:
                    cost_us = guardian_call_cost_us(controller.guardian)
                # The reference: sleep to each deadline, default scheduling, own thread.
                if args.guardian == "off":
                    controller.stop_guardian()
                session.clock = TickClock(args.fps, spin_s=0.0, slice_s=None,
                                          realtime_wait=False)
                plain = summarise([_in_thread(lambda: run_episode(env, args.steps, seed=0))],
                                  args.steps)
            finally:
                for p in burners:
                    p.terminate()
                env.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    results = {s: summarise(r, args.steps) for s, r in runs.items()}
    ours = results.get("on", results.get("off"))
    assert ours is not None
    print(f"CSGO-Deathmatch-v0 (replay game under Xvfb), {args.steps} steps at {args.fps:g} Hz, "
          f"{args.rounds} round(s), {os.cpu_count()} CPUs, {args.busy} busy processes, load "
          f"{os.getloadavg()[0]:.2f}")
    print(f"{'clock':<40}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'overruns':>10}{'work ms':>9}"
          f"{'msg/step':>10}{'cpu us/step':>13}{'guardian cpu':>14}")
    rows = [(f"env (wait: {mode}), guardian {s}", r) for s, r in results.items()]
    guard_ref = "on" if args.guardian != "off" else "off"
    rows.append((f"reference (sleep), guardian {guard_ref}", plain))
    for name, r in rows:
        print(f"{name:<40}{r['p50']:9.3f}{r['p99']:9.3f}{r['max']:9.3f}{r['overruns']:10.0f}"
              f"{r['work_ms']:9.2f}{r['msg_per_step']:10.2f}{r['cpu_us']:13.0f}"
              f"{r['guardian_cpu_us']:14.1f}")
    ratio = ours["p99"] / plain["p99"] if plain["p99"] > 0 else float("nan")
    ok = ours["p99"] <= 2.0
    print(f"p99 ratio env / reference: {ratio:.3f}   target p99 <= 2 ms: "
          f"{'PASS' if ok else 'MISS'}")
    if "on" in results and "off" in results:
        on, off = results["on"], results["off"]
        work_ratio = on["work_ms"] / off["work_ms"] if off["work_ms"] > 0 else float("nan")
        p99_diff = on["p99"] - off["p99"]
        work_ok, late_ok = abs(work_ratio - 1.0) <= 0.10, p99_diff <= 0.5
        print(f"guardian on / off: step work ratio {work_ratio:.3f} (target within 10%: "
              f"{'PASS' if work_ok else 'MISS'}), p99 lateness {p99_diff:+.3f} ms (target "
              f"<= +0.5 ms: {'PASS' if late_ok else 'MISS'}); its calls cost {cost_us:.2f} us "
              f"per changing step in this process, the guardian process "
              f"{on['guardian_cpu_us']:.1f} us of CPU per step; this process's CPU per step "
              f"on / off {on['cpu_us'] / off['cpu_us']:.3f}")
        ok = ok and work_ok and late_ok
        for setting, setting_runs in runs.items():  # the spread between rounds is the noise
            medians = ", ".join(f"{np.median(r['work']):.2f}" for r in setting_runs)
            print(f"  step work per round, guardian {setting}: {medians} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
