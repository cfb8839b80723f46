"""Does ``csgo-env record`` hold 16 Hz? Tick lateness of the recorder beside the bare env loop.

Starts its own Xvfb and a synthetic recording for the stand-in game, then alternates rounds
of the two loops, so both see the same background load:

- ``env``: ``CSGO-Deathmatch-v0`` on the stand-in, random actions (the bare env loop:
  input, tick, stand-in frame, capture, GSI events);
- ``record``: :class:`~csgo_env.recording.recorder.Recorder` in own play driven by the same
  random policy (the env loop's work plus memory and GSI reads, the keys held from the X
  server, the hand-off of each frame to the writer process, which writes 1000-frame files
  with their metadata while the loop runs).

Each round runs ``--ticks`` ticks of each (default 1000: every recorder round finishes a
file). Reports p50 / p99 / max lateness, overruns, achieved rate, the writer's waits and
files, the p99 ratio record / env and PASS/MISS per target: record p99 lateness <= 2 ms,
record rate within 1 % of 16 Hz.

    python scripts/bench_record.py                         # ~5 minutes
    python scripts/bench_record.py --ticks 200 --rounds 1 --frames-per-file 100   # a look
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np


def env_round(recording: Path, ticks: int, fps: float, seed: int) -> dict[str, Any]:
    """One round of the bare env loop; per-tick lateness (s) and the achieved rate."""
    import gymnasium as gym

    import csgo_env  # noqa: F401 - registers the env id
    from csgo_env.policy import RandomPolicy

    env = gym.make("CSGO-Deathmatch-v0", game="replay", fps=fps,
                   replay_recordings=[str(recording)], max_episode_steps=ticks + 1)
    policy = RandomPolicy(seed)
    try:
        obs, _ = env.reset(seed=seed)
        late = []
        t0 = time.perf_counter()
        for _ in range(ticks):
            obs, *_, info = env.step(policy.act(obs))
            late.append(info["tick_lateness_s"])
        elapsed = time.perf_counter() - t0
        stats = env.unwrapped.session.clock.stats()
    finally:
        env.close()
    return {"late": late, "rate": ticks / elapsed, "overruns": stats.overruns,
            "mode": stats.wait_mode, "files": 0, "waits": 0}


def record_round(recording: Path, out: Path, ticks: int, fps: float, seed: int,
                 frames_per_file: int) -> dict[str, Any]:
    """One round of the recorder for ``ticks`` ticks (files of ``frames_per_file``)."""
    from csgo_env.game.session_config import validate_session_config
    from csgo_env.policy import RandomPolicy
    from csgo_env.recording.recorder import Recorder, RecordOptions, RecordStatus

    config = validate_session_config(game="replay", fps=fps,
                                     replay_recordings=[str(recording)])
    options = RecordOptions(out_dir=out, frames_per_file=frames_per_file, keys="x11")
    late: list[float] = []
    stop = threading.Event()
    stamps: list[float] = []

    def on_tick(status: RecordStatus) -> None:
        late.append(status.late[-1])
        stamps.append(time.perf_counter())
        if len(late) >= ticks:
            stop.set()

    recorder = Recorder(config, options, policy=RandomPolicy(seed))
    summary = recorder.run(stop=stop, on_tick=on_tick)
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    clock = summary.clock
    return {"late": late, "rate": rate, "overruns": clock.overruns if clock else -1,
            "mode": clock.wait_mode if clock else "?", "files": len(summary.written),
            "waits": summary.writer_waits, "errors": summary.errors}


def _in_thread(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run ``fn`` in a fresh thread (scheduling set up by a clock stays with that thread)."""
    out: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: out.setdefault("v", fn()))
    thread.start()
    thread.join()
    return out["v"]


def _summary(rounds: list[dict[str, Any]]) -> dict[str, float]:
    late = np.array([v for r in rounds for v in r["late"]]) * 1e3
    return {"ticks": float(len(late)), "p50": float(np.percentile(late, 50)),
            "p99": float(np.percentile(late, 99)), "max": float(late.max()),
            "overruns": float(sum(r["overruns"] for r in rounds)),
            "rate": float(np.mean([r["rate"] for r in rounds])),
            "files": float(sum(r["files"] for r in rounds)),
            "waits": float(sum(r["waits"] for r in rounds))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ticks", type=int, default=1000, help="ticks per round and loop")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each loop")
    parser.add_argument("--fps", type=float, default=16.0)
    parser.add_argument("--frames-per-file", type=int, default=1000,
                        help="recorder file length (the public layout: 1000)")
    args = parser.parse_args(argv)

    from csgo_env.datasets.synthetic.recordings import write_synthetic_recordings
    from csgo_env.game.screen.xvfb import virtual_display

    tmp = Path(tempfile.mkdtemp(prefix="bench_record_"))
    env_rounds, rec_rounds = [], []
    try:
        recording = write_synthetic_recordings(tmp / "src", files=1, seed=0,
                                               with_metadata=False)[0]
        with virtual_display((1280, 1024)):
            for k in range(args.rounds):
                env_rounds.append(_in_thread(lambda k=k: env_round(
                    recording, args.ticks, args.fps, seed=k)))
                out = tmp / f"rec{k}"
                rec_rounds.append(_in_thread(lambda k=k, out=out: record_round(
                    recording, out, args.ticks, args.fps, seed=k,
                    frames_per_file=args.frames_per_file)))
                shutil.rmtree(out, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    env, rec = _summary(env_rounds), _summary(rec_rounds)
    errors = [e for r in rec_rounds for e in r.get("errors", [])]
    print(f"record vs bare env loop on the stand-in game (Xvfb), {args.rounds} x "
          f"{args.ticks} ticks each, interleaved, {args.fps:g} Hz, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}, python {sys.version.split()[0]}, clock wait "
          f"{rec_rounds[0]['mode']}")
    print(f"{'loop':<10}{'ticks':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'overruns':>10}"
          f"{'rate Hz':>9}{'files':>7}{'waits':>7}")
    for name, r in (("env", env), ("record", rec)):
        print(f"{name:<10}{r['ticks']:7.0f}{r['p50']:9.3f}{r['p99']:9.3f}{r['max']:9.3f}"
              f"{r['overruns']:10.0f}{r['rate']:9.2f}{r['files']:7.0f}{r['waits']:7.0f}")
    ratio = rec["p99"] / env["p99"] if env["p99"] > 0 else float("nan")
    late_ok = rec["p99"] <= 2.0
    rate_ok = abs(rec["rate"] - args.fps) <= 0.01 * args.fps
    print(f"p99 ratio record / env: {ratio:.3f}")
    print(f"target record p99 lateness <= 2 ms: {'PASS' if late_ok else 'MISS'} "
          f"({rec['p99']:.3f} ms; env {env['p99']:.3f} ms)")
    print(f"target record rate {args.fps:g} Hz +- 1 %: {'PASS' if rate_ok else 'MISS'} "
          f"({rec['rate']:.2f} Hz)")
    for error in errors:
        print(f"writer error: {error}")
    return 0 if late_ok and rate_ok and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
