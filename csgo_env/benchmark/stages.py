"""Resumable stages of a benchmark run: a stage whose outputs exist is skipped.

A stage is a name and a function ``run(ctx) -> summary`` (plain data). When it returns,
``<out>/stages/<name>.json`` is written atomically with its summary and wall time; on the
next start a stage with that file is skipped and its summary reused, so a killed benchmark
continues where it stopped (stages resume inside themselves too: training runs, live runs).
:func:`run_stages` prints a header per stage with the elapsed time, and at the end one line
per stage (ran or kept, seconds).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csgo_env._atomic import atomic_write_text

Say = Callable[[str], None]


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline: ``run(context)`` returns its summary (JSON-ready)."""

    name: str
    title: str
    run: Callable[[Any], dict[str, Any]]


def stage_file(out: Path, name: str) -> Path:
    return out / "stages" / f"{name}.json"


def run_stages(stages: Sequence[Stage], context: Any, out: Path, *,
               say: Say = print) -> dict[str, dict[str, Any]]:
    """Run (or skip, when done before) each stage in order; returns the summaries by name.

    Each summary gets ``seconds`` (this run's or the earlier one's) and ``kept`` (skipped
    now). An exception stops the pipeline; what the finished stages wrote stays.
    """
    start = time.perf_counter()
    done: dict[str, dict[str, Any]] = {}
    for n, stage in enumerate(stages, 1):
        path = stage_file(out, stage.name)
        header = f"[{n}/{len(stages)}] {stage.name}: {stage.title}"
        if path.is_file():
            summary = json.loads(path.read_text(encoding="utf-8"))
            summary["kept"] = True
            done[stage.name] = summary
            say(f"{header} - done before ({summary.get('seconds', 0):.0f} s then), kept")
            continue
        say(f"{header} (t = {time.perf_counter() - start:.0f} s)")
        t0 = time.perf_counter()
        summary = dict(stage.run(context))
        summary["seconds"] = round(time.perf_counter() - t0, 2)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(summary, indent=1, sort_keys=True,
                                           default=str) + "\n")
        summary["kept"] = False
        done[stage.name] = summary
        say(f"    {stage.name} finished in {summary['seconds']:.1f} s")
    return done


__all__ = ["Stage", "run_stages", "stage_file"]
